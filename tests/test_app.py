"""The interactive page: the app model follows its controls, and a real browser (headless Chromium) loads
the page, changes the scenario, steps the model and sees the charts update."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM, CHROMEDRIVER = shutil.which("chromium"), shutil.which("chromedriver")


def test_the_app_model_follows_its_controls():
    from experiments.app import WorkshopModel, page  # noqa: F401  (the page must build)
    m = WorkshopModel(policy="287g_task_force", population_size=1500, undocumented_share=0.1, profiling=2.0,
                      outreach_per_year=0.5, protection="on", officers_per_1000=3.0, rng="4")
    assert m.policy.status_questions == "stops" and m.policy.victim_witness_protection
    assert m.policy.outreach_rate == pytest.approx(0.5 / 365)
    assert abs((m.residents.status == 3).mean() - 0.1) < 0.002
    assert m.params.policing.profiling_multiplier == 2.0 and len(m.police) == round(3.0 * 1.5)
    for _ in range(3):
        m.step()
    frame = m.datacollector.get_model_vars_dataframe()
    assert len(frame) == 4 and "Trust: undocumented" in frame.columns
    assert frame.notna().all().all()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server():
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "experiments.app", "--port", str(port)], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.time() + 90
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)
            break
        except OSError:
            time.sleep(0.5)
    else:
        proc.kill()
        pytest.fail("the Solara server did not start within 90 s")
    yield url
    proc.terminate()
    proc.wait(timeout=20)


@pytest.mark.slow
@pytest.mark.skipif(not (CHROMIUM and CHROMEDRIVER),
                    reason="needs Debian's chromium and chromium-driver (.ci/run installs them)")
def test_a_browser_changes_the_scenario_and_sees_the_charts_update(server, tmp_path):
    from selenium import webdriver
    from selenium.common.exceptions import StaleElementReferenceException
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
    charts = lambda: driver.execute_script("return Array.from(document.images).map(i => i.src)")  # noqa: E731

    def click(xpath: str) -> None:
        def attempt(d) -> bool:
            d.find_element(By.XPATH, xpath).click()
            return True
        wait.until(attempt)

    try:
        driver.get(server)
        wait.until(lambda _: "Community trust policy — day 0 of 365" in text())
        wait.until(lambda _: len(charts()) >= 4)   # the charts render after the title: a race seen in CI
        before = charts()
        assert len(before) >= 4
        click("//*[contains(@class,'v-select__selection') and text()='community_trust']")
        click("//div[contains(@class,'v-list-item__title') and text()='287g_task_force']")
        click("//button[contains(., 'Reset') or contains(., 'RESET')]")
        wait.until(lambda _: "287(g) task force — day 0 of 365" in text())
        assert "Status questions: stops" in text()
        for _ in range(5):
            click("//button[contains(., 'Step') or contains(., 'STEP')]")
            time.sleep(0.5)
        wait.until(lambda _: "day 5 of 365" in text())
        wait.until(lambda _: sum(a != b for a, b in zip(before, charts())) >= 4)
        shot = tmp_path / "app.png"
        driver.save_screenshot(str(shot))
        assert shot.stat().st_size > 50_000
        shutil.copy(shot, ROOT / "results" / "app_screenshot.png")
    finally:
        driver.quit()
