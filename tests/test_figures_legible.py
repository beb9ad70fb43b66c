"""What can be checked of the workshop figures by code: no tick labels run into each other, every numeric axis
says its unit, subtitles read cleanly, and the scenarios' colours are told apart at a glance."""

from __future__ import annotations

import itertools
import re

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.colors import to_rgb

from experiments.runs import scenarios
from experiments.runs.compare import compare_folder
from experiments.runs.testing import write_small_sweep
from experiments.workshop.figures import draw_figures
from experiments.workshop.vocabulary import MIN_COLOUR_DISTANCE, colour

NUMBER = re.compile(r"^[\u2212\-+]?[\d.,]+%?$|^\$?10\^|^\$\\mathdefault")


@pytest.fixture(scope="module")
def figures(tmp_path_factory):
    folder = write_small_sweep(tmp_path_factory.mktemp("sweep"), policies=("decoupled", "community_trust", "pep",
                                                                             "secure_communities", "287g_task_force"))
    compare_folder(folder, "decoupled")
    drawn = draw_figures(folder)
    for fig in drawn.values():
        fig.canvas.draw()
    yield drawn
    plt.close("all")


def _visible_ticks(axis) -> list:
    return [t for t in axis.get_ticklabels() if t.get_visible() and t.get_text().strip()]


def test_no_tick_labels_overlap(figures):
    for name, fig in figures.items():
        renderer = fig.canvas.get_renderer()
        for ax in fig.axes:
            for axis in (ax.xaxis, ax.yaxis):
                boxes = [t.get_window_extent(renderer) for t in _visible_ticks(axis)]
                for a, b in itertools.combinations(boxes, 2):
                    overlap_x = min(a.x1, b.x1) - max(a.x0, b.x0)
                    overlap_y = min(a.y1, b.y1) - max(a.y0, b.y0)
                    assert overlap_x <= 1 or overlap_y <= 1, f"{name}: tick labels overlap on {ax.get_title()!r}"


def test_every_numeric_axis_is_labelled_with_its_unit(figures):
    for name, fig in figures.items():
        for ax in fig.axes:
            if not ax.axison:
                continue
            for axis, text in ((ax.xaxis, ax.get_xlabel()), (ax.yaxis, ax.get_ylabel())):
                ticks = [t.get_text() for t in _visible_ticks(axis)]
                if ticks and all(NUMBER.match(t.replace(" ", "")) for t in ticks):
                    assert re.search(r"\(.+\)", text), f"{name}: numeric axis labelled {text!r}, without a unit"


def test_subtitles_use_each_separator_once(figures):
    for name, fig in figures.items():
        subtitles = [t.get_text() for t in fig.texts if t.get_position()[1] > 0.85]   # under the title
        for text in subtitles:
            for separator in (":", ";"):
                assert text.count(separator) <= 1, f"{name}: {text!r} repeats {separator!r}"
            assert "  " not in text and not re.search(r"[:;,]\s*[:;,]", text), f"{name}: {text!r}"


def _lab(colour: str) -> np.ndarray:
    """sRGB to CIE Lab (D65)."""
    rgb = np.array(to_rgb(colour))
    linear = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]) @ linear
    xyz /= np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > 0.008856, np.cbrt(xyz), 7.787 * xyz + 16 / 116)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def test_lab_conversion_matches_known_values():
    assert _lab("#FFFFFF") == pytest.approx([100, 0, 0], abs=0.05)
    assert _lab("#FF0000") == pytest.approx([53.24, 80.09, 67.20], abs=0.1)


def test_the_compared_scenarios_colours_are_distinct_in_lab():
    for a, b in itertools.combinations(scenarios.compared(), 2):
        distance = float(np.linalg.norm(_lab(colour(a)) - _lab(colour(b))))
        assert distance >= MIN_COLOUR_DISTANCE, f"{a} and {b}: delta E {distance:.1f}"
