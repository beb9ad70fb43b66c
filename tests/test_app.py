"""The interactive page: what it runs (the workshop model, two scenarios side by side, county histories), what it
draws (legible charts), and a real browser (headless Chromium) choosing a scenario, comparing two, playing a
year within the time a workshop can wait, and reading the charts' titles and axes."""

from __future__ import annotations

import dataclasses
import itertools
import json
import math
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import numpy as np
import pytest
from test_figures_legible import _lab, _visible_ticks

from experiments.runs import scenarios
from experiments.runs.config import history_names
from experiments.workshop.page_model import (
    MEASURES,
    WEEK,
    Charts,
    Controls,
    SideBySide,
    WorkshopModel,
    page_params,
    scenario_items,
)
from experiments.workshop.vocabulary import GROUP_COLOUR_DISTANCE, GROUP_COLOURS, PAGE_GROUPS, label
from model import ParameterError

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM, CHROMEDRIVER = shutil.which("chromium"), shutil.which("chromedriver")


def test_the_workshop_model_follows_its_controls():
    m = WorkshopModel(policy="287g_task_force", population_size=1500, undocumented_share=0.1, profiling=2.0,
                      outreach_per_year=0.5, protection="on", officers_per_1000=3.0, rng="4")
    assert m.policy.status_questions == "stops" and m.policy.victim_witness_protection
    assert m.policy.outreach_rate == pytest.approx(0.5 / 365)
    assert abs((m.residents.status == 3).mean() - 0.1) < 0.002
    assert m.params.policing.profiling_multiplier == 2.0 and len(m.police) == round(3.0 * 1.5)
    assert m.seed == 4
    for _ in range(3):
        m.step()
    frame = m.datacollector.get_model_vars_dataframe()
    assert len(frame) == 4    # day 0 (before the first step) and three days
    assert set(frame.columns) == {f"{k}:{g}" for k in MEASURES for g in PAGE_GROUPS}
    assert frame.notna().all().all()


def test_bad_page_settings_are_refused_with_the_field_named():
    with pytest.raises(ParameterError, match="policy"):
        WorkshopModel(policy="no_such_scenario", population_size=1000)
    with pytest.raises(ParameterError, match="protection"):
        WorkshopModel(protection="maybe", population_size=1000)


def test_two_scenarios_side_by_side_share_residents_seed_and_days():
    pair = SideBySide(Controls(residents=1500, compare_with="287g_task_force", seed=2))
    first, second = pair.models
    assert np.array_equal(first.residents.status, second.residents.status)
    assert (first.network.adjacency != second.network.adjacency).nnz == 0
    pair.advance(2 * WEEK)
    assert first.day == second.day == 2 * WEEK - 1 and pair.day == 2 * WEEK
    names = [name for name, _, _ in pair.snapshot().runs]
    assert names == [label("community_trust"), label("287g_task_force")]


def test_a_scenario_beside_itself_gives_the_same_lines():
    pair = SideBySide(Controls(residents=1500, scenario="secure_communities", compare_with="secure_communities"))
    pair.advance(30)
    (_, a, _), (_, b, _) = pair.snapshot().runs
    assert all(np.array_equal(a[k], b[k], equal_nan=True) for k in a)


def test_a_county_history_runs_in_its_county_and_the_comparison_follows_it():
    controls = Controls(residents=1000).for_place("history:maricopa_az")
    assert (controls.undocumented_share, controls.officers_per_1000) == (0.05, 1.7)   # conf/city/maricopa_az.yaml
    pair = SideBySide(dataclasses.replace(controls, compare_with="decoupled"))
    history, alternative = pair.models
    assert history.params.days == alternative.params.days == (np.datetime64("2013-12-31")
                                                               - np.datetime64("2006-01-01")).astype(int) + 1
    assert history.params.timeline and not alternative.params.timeline
    assert np.array_equal(history.residents.status, alternative.residents.status)
    assert pair.snapshot().runs[0][0].startswith("Maricopa County")
    back = controls.for_place("community_trust")
    assert (back.undocumented_share, back.officers_per_1000) == (0.041, 2.2)   # national again


def test_the_page_levers_reach_every_scenario_of_a_history():
    params, _ = page_params("history:harris_tx", "national", None, 1000, None, 1.0, 0.5, "on", None, 0)
    for policy in [params.policy, *(s.policy for s in params.timeline)]:
        assert policy.victim_witness_protection and policy.outreach_rate == pytest.approx(0.5 / 365)


def test_the_scenario_menu_shows_the_reports_scenarios_then_the_county_histories():
    items = scenario_items(True)
    texts = [i["text"] for i in items if "value" in i]
    assert texts[: len(scenarios.compared())] == [label(s) for s in scenarios.compared()]
    divider = next(n for n, i in enumerate(items) if i.get("divider"))
    assert "header" in items[divider + 1] and len(items) - divider - 2 == len(history_names())
    assert not any(re.search(r"_|287g", t) for t in texts)   # plain names, no config ids


@pytest.fixture(scope="module")
def charts():
    pair = SideBySide(Controls(residents=1500))
    at_load = Charts(pair.snapshot())
    at_load.update(pair.snapshot())
    at_load.figure.canvas.draw()
    pair.advance(120)
    later = Charts(pair.snapshot())
    later.update(pair.snapshot())
    later.figure.canvas.draw()
    return at_load, later


def test_every_chart_has_a_title_and_axes_with_units(charts):
    for c in charts:
        for ax in c.axes.values():
            assert ax.get_title(loc="left") and re.search(r"\(.+\)|per 1,000", ax.get_ylabel())
        assert all(ax.get_xlabel() == "day of the run (days)" for ax in list(c.axes.values())[3:])


def test_at_load_the_charts_show_day_zero_on_fixed_ranges(charts):
    at_load, _ = charts
    for measure, ax in at_load.axes.items():
        low, high = ax.get_ylim()
        assert low == 0 and high >= 10        # not matplotlib's +-0.045 around an empty axis
        assert ax.get_xlim()[0] < 0 and ax.get_xlim()[1] == 365   # the day-0 points inside the frame
        if MEASURES[measure][2]:
            assert (low, high) == MEASURES[measure][2]
        assert all(len(line.get_xdata()) == 1 for line in ax.get_lines())   # the day-0 point, with its marker


def test_no_tick_labels_overlap_and_the_legend_covers_no_chart(charts):
    for c in charts:
        renderer = c.figure.canvas.get_renderer()
        for ax in c.axes.values():
            for axis in (ax.xaxis, ax.yaxis):
                boxes = [t.get_window_extent(renderer) for t in _visible_ticks(axis)]
                for a, b in itertools.combinations(boxes, 2):
                    assert min(a.x1, b.x1) - max(a.x0, b.x0) <= 1 or min(a.y1, b.y1) - max(a.y0, b.y0) <= 1
        legend = c.figure.legends[0].get_window_extent(renderer)
        for ax in c.axes.values():
            box = ax.get_tightbbox(renderer)
            assert legend.y1 <= box.y0 + 1 or not legend.overlaps(box), ax.get_title(loc="left")


def test_group_colours_are_distinct_from_each_other_and_from_every_scenario_colour():
    groups = list(GROUP_COLOURS.values())   # the page's and the county histories'
    for g in groups:
        for name in scenarios.looks():
            s = scenarios.colour(name)
            assert np.linalg.norm(_lab(g) - _lab(s)) >= GROUP_COLOUR_DISTANCE, (g, name)
    for a, b in itertools.combinations(groups, 2):
        assert np.linalg.norm(_lab(a) - _lab(b)) >= GROUP_COLOUR_DISTANCE


# ---- the page in a browser -------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server():
    pytest.importorskip("solara", reason="the page needs the app extra: pip install -e '.[app]'")
    proc, url = start_page(None)
    yield url
    proc.terminate()
    proc.wait(timeout=20)


A_YEAR_WITHIN = 60.0    # seconds: the bound for playing a year at the default size


@pytest.mark.slow
@pytest.mark.skipif(not (CHROMIUM and CHROMEDRIVER),
                    reason="needs Debian's chromium and chromium-driver (.ci/run installs them)")
def test_a_browser_chooses_compares_and_plays_a_year_in_time(server, tmp_path):
    from selenium import webdriver
    from selenium.common.exceptions import StaleElementReferenceException, TimeoutException
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    options = webdriver.ChromeOptions()
    for arg in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                f"--user-data-dir={tempfile.mkdtemp()}", "--window-size=1600,1200"):
        options.add_argument(arg)
    options.binary_location = CHROMIUM
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    # the page re-renders as the model changes: read it atomically and retry elements that went stale
    wait = WebDriverWait(driver, 90, ignored_exceptions=(StaleElementReferenceException,))
    text = lambda: driver.execute_script("return document.body.innerText")  # noqa: E731
    js = driver.execute_script

    def click_visible(xpath: str) -> None:
        def attempt(d) -> bool:
            shown = [e for e in d.find_elements(By.XPATH, xpath) if e.is_displayed()]
            if not shown:
                return False
            shown[0].click()
            return True
        wait.until(attempt)

    def choose(menu: str, item: str) -> None:
        click_visible(f"//label[text()={menu!r}]/following-sibling::div[contains(@class,'v-select__selections')]")
        click_visible(f"//div[contains(@class,'v-menu__content')]//div[contains(@class,'v-list-item__title') "
                      f"and text()={item!r}]")

    try:
        driver.get(server)
        wait.until(lambda _: "Day 0 of 365: Community trust policy vs 287(g) task force" in text())
        page = text()
        assert "287g_task_force" not in page and "community_trust" not in page   # plain names only
        assert "Render" not in page and "Threads" not in page                     # no developer controls
        tracks = js("return Array.from(document.querySelectorAll('.page-slider .v-slider__track-container'))"
                    ".map(e => e.getBoundingClientRect().width)")
        assert len(tracks) >= 4 and min(tracks) > 150, tracks
        alt = js("return document.querySelector('img.page-charts').alt")
        for title, unit, _ in MEASURES.values():
            assert title in alt and unit in alt

        choose("Scenario", label("secure_communities"))
        wait.until(lambda _: "Day 0 of 365: Secure Communities vs 287(g) task force" in text())
        choose("Compare with (same residents, same seed)", label("decoupled"))
        wait.until(lambda _: "Day 0 of 365: Secure Communities vs No collaboration" in text())
        before = js("return document.querySelector('img.page-charts').src")

        click_visible("//button[normalize-space(.)='Play' or normalize-space(.)='PLAY']")
        started, seen = time.perf_counter(), []
        while time.perf_counter() - started < 3 * A_YEAR_WITHIN:
            day = re.search(r"Day (\d+) of 365", text())
            if day and (not seen or seen[-1] != int(day[1])):
                seen.append(int(day[1]))
            if seen and seen[-1] == 365:
                break
            time.sleep(0.05)
        played = time.perf_counter() - started
        assert seen and seen[-1] == 365, f"the page reached day {seen[-1] if seen else 0} in {played:.0f} s"
        assert played < A_YEAR_WITHIN, f"a year took {played:.1f} s to play"
        drawn = lambda: int(js("return document.querySelector('.frames-drawn').textContent"))  # noqa: E731
        try:   # the count is a separate element of the page: give its last update a moment to arrive
            WebDriverWait(driver, 10).until(lambda _: drawn() >= math.ceil(365 / WEEK))
        except TimeoutException:
            pass
        frames = drawn()
        assert frames >= math.ceil(365 / WEEK), f"{frames} redraws in a year: not one a week"
        assert all(d % WEEK == 0 or d == 365 for d in seen)
        assert js("return document.querySelector('img.page-charts').src") != before
        print(f"\na year played in {played:.1f} s, {frames} redraws, {len(seen)} seen by the test")
        shot = tmp_path / "app.png"
        driver.save_screenshot(str(shot))
        assert shot.stat().st_size > 50_000
        shutil.copy(shot, ROOT / "results" / "app_screenshot.png")
    finally:
        driver.quit()


def test_a_county_history_redraws_every_four_weeks_and_a_year_every_week():
    assert SideBySide(Controls(residents=1000, compare_with="")).frame_days == WEEK
    history = SideBySide(Controls(residents=1000, compare_with="").for_place("history:maricopa_az"))
    assert history.frame_days == 4 * WEEK


# ---- the page keeps to the machine and to its visitors ----------------------------------------------------------

GUARD = ROOT / "tests" / "data" / "network_guard"   # a sitecustomize that refuses and logs any non-local connection


def guarded_env(log: Path, **extra: str) -> dict:
    import os

    return {**os.environ, "PYTHONPATH": f"{GUARD}{os.pathsep}{os.environ.get('PYTHONPATH', '')}",
            "NETWORK_GUARD_LOG": str(log), **extra}


def test_the_network_guard_sees_a_lookup_off_the_machine(tmp_path):
    """The guard the page's tests rely on does catch a process that would go out (Solara's own launch would)."""
    log = tmp_path / "guard.log"
    done = subprocess.run([sys.executable, "-c", "import socket\ntry:\n    socket.getaddrinfo('pypi.org', 443)\n"
                           "except OSError:\n    pass\nsocket.getaddrinfo('127.0.0.1', 80)"],
                          env=guarded_env(log), capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "getaddrinfo 'pypi.org'" in log.read_text() and "127.0.0.1" not in log.read_text()


def start_page(env: dict | None) -> tuple[subprocess.Popen, str]:
    """`python -m experiments.app` on a free port (with `env`, if given), once it answers."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "experiments.app", "--port", str(port)], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.time() + 90
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)
            return proc, url
        except OSError:
            time.sleep(0.5)
    proc.kill()
    pytest.fail("the Solara server did not start within 90 s")


def headless_chromium(performance_log: bool = False):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    for arg in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                f"--user-data-dir={tempfile.mkdtemp()}", "--window-size=1600,1200"):
        options.add_argument(arg)
    if performance_log:
        options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    options.binary_location = CHROMIUM
    return webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)


def play_a_while(driver, url: str, seconds: float) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(url)
    wait = WebDriverWait(driver, 90)
    wait.until(lambda _: "Day 0 of 365" in driver.execute_script("return document.body.innerText"))

    def press_play(d) -> bool:
        shown = [e for e in d.find_elements(By.XPATH, "//button[normalize-space(.)='Play' or "
                                                        "normalize-space(.)='PLAY']") if e.is_displayed()]
        return bool(shown) and (shown[0].click() or True)
    wait.until(press_play)
    wait.until(lambda _: re.search(r"Day ([1-9]\d*) of 365", driver.execute_script("return document.body.innerText")))
    time.sleep(seconds)


def cpu_seconds(pid: int) -> float:
    import os

    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def resident_mib(pid: int) -> float:
    line = next(x for x in Path(f"/proc/{pid}/status").read_text().splitlines() if x.startswith("VmRSS:"))
    return int(line.split()[1]) / 1024


@pytest.mark.slow
def test_starting_the_page_opens_no_connection_off_the_machine(tmp_path):
    """Solara's version check (PyPI) and telemetry (a public-IP lookup, Mixpanel) are off in the project's launch."""
    pytest.importorskip("solara", reason="the page needs the app extra: pip install -e '.[app]'")
    log = tmp_path / "guard.log"
    proc, url = start_page(guarded_env(log))
    try:
        assert b"solaraInit" in urllib.request.urlopen(url, timeout=10).read()
        time.sleep(3)   # Solara's checks run in threads at start
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    assert not log.exists(), log.read_text()


@pytest.mark.slow
@pytest.mark.skipif(not (CHROMIUM and CHROMEDRIVER),
                    reason="needs Debian's chromium and chromium-driver (.ci/run installs them)")
def test_playing_opens_no_connection_off_the_machine_and_stops_when_the_tab_goes(tmp_path):
    """Playing: the server and the page ask nothing of any host but 127.0.0.1. Then the tab closes: the run stops
    (it used to simulate on at a full core), and the session's memory goes back (it used to grow by about 15 MiB a
    visit): after a first visit, three more leave the server within 30 MiB of where the first left it."""
    pytest.importorskip("solara", reason="the page needs the app extra: pip install -e '.[app]'")
    log = tmp_path / "guard.log"
    proc, url = start_page(guarded_env(log, SOLARA_KERNEL_CULL_TIMEOUT="1s"))
    try:
        driver = headless_chromium(performance_log=True)
        try:
            play_a_while(driver, url, 2.0)
            requested = {m.get("params", {}).get("request", {}).get("url", "") for m in
                         (json.loads(e["message"])["message"] for e in driver.get_log("performance"))
                         if m.get("method") == "Network.requestWillBeSent"}
        finally:
            driver.quit()
        network = [u for u in requested if u.startswith(("http:", "https:", "ws:", "wss:"))]   # not chrome://
        off_machine = [u for u in network if not u.startswith(("http://127.0.0.1:", "ws://127.0.0.1:"))]
        assert network and not off_machine, off_machine
        busy = cpu_seconds(proc.pid)
        time.sleep(6)
        assert cpu_seconds(proc.pid) - busy < 1.5, "the page went on simulating after its tab closed"
        after_first = resident_mib(proc.pid)
        for _ in range(3):
            driver = headless_chromium()
            try:
                play_a_while(driver, url, 1.0)
            finally:
                driver.quit()
            time.sleep(5)
        assert resident_mib(proc.pid) - after_first < 30, f"{after_first:.0f} -> {resident_mib(proc.pid):.0f} MiB"
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    assert not log.exists(), log.read_text()
