"""A scenario is its file: a new conf/policy/<name>.yaml, in a config folder of one's own, shows in the
comparison, the figures, the report and the page with its label, colour and order, and no Python edit."""

from __future__ import annotations

import shutil

import pyarrow.parquet as pq
import pytest

from experiments import paths
from experiments.runs import composing, config, scenarios
from experiments.runs.compare import compare_folder
from experiments.runs.run import run
from experiments.workshop.figures import make_figures
from experiments.workshop.page_model import WorkshopModel, scenario_items
from experiments.workshop.report import make_report

OPEN_DOOR = """# Open door: decoupled levers, with outreach (a scenario of a test's own).
name: open_door
fingerprint_sharing: false
victim_witness_protection: true
outreach_rate: 0.002
scenario:
  label: "Open door policy"
  colour: "#123456"
  order: 2
"""


@pytest.fixture(scope="module")
def own_config(tmp_path_factory):
    folder = tmp_path_factory.mktemp("conf")
    (folder / "policy").mkdir()
    (folder / "policy" / "open_door.yaml").write_text(OPEN_DOOR)
    return folder


@pytest.fixture(scope="module")
def sweep(own_config, tmp_path_factory):
    folder = tmp_path_factory.mktemp("sweep")
    for policy in ("decoupled", "open_door", "secure_communities"):
        for seed in (0, 1):
            overrides = [f"hydra.searchpath=[file://{own_config}]", f"policy={policy}", f"seed={seed}",
                         "population.size=1500", "days=40", "output.print_summary=false"]
            run(composing.compose(overrides), folder / f"policy={policy},seed={seed}", overrides)
    return folder


def test_a_new_scenario_file_shows_in_the_comparison_figures_and_report(sweep):
    assert "open_door" not in scenarios.looks()            # known only from its runs' record
    compare_folder(sweep, "decoupled")
    table = pq.read_table(sweep / "comparison.parquet").to_pydict()
    order = list(dict.fromkeys(table["policy"]))
    assert order == ["decoupled", "open_door", "secure_communities"]   # its order: 2, after No collaboration
    make_figures(sweep)
    who = (sweep / "figures" / "1_who_stops_calling.svg").read_text()
    assert "Open door policy" in who and "#123456" in who
    report = make_report(sweep).read_text()
    assert "Open door policy" in report and "open_door" not in report.split("<h2>The scenarios</h2>")[1]


def test_a_relabelled_scenario_is_not_run_again(sweep, own_config):
    overrides = [f"hydra.searchpath=[file://{own_config}]", "policy=open_door", "seed=0", "population.size=1500",
                 "days=40", "output.print_summary=false", "policy.scenario.label=Another name"]
    assert run(composing.compose(overrides), sweep / "policy=open_door,seed=0", overrides) is None


def test_a_new_scenario_file_shows_in_the_pages_menu_and_runs_there(own_config, tmp_path, monkeypatch):
    conf = tmp_path / "conf"
    shutil.copytree(paths.CONF_DIR, conf)
    shutil.copy(own_config / "policy" / "open_door.yaml", conf / "policy")
    for module in (paths, composing, config):
        monkeypatch.setattr(module, "CONF_DIR", conf)
    texts = [i["text"] for i in scenario_items(False) if "value" in i]
    assert texts[:3] == ["No collaboration", "Community trust policy", "Open door policy"]   # a tie: by name
    model = WorkshopModel("open_door", population_size=1000, days=5)
    assert model.params.policy.outreach_rate == 0.002 and not model.params.policy.fingerprint_sharing
