"""The command line: a small run end to end in a subprocess (bad input: tests/test_bad_inputs.py)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parents[1]


def cli(tmp_path: Path, *overrides: str) -> subprocess.CompletedProcess:
    flags = [a for a in overrides if a.startswith("-")]
    rest = [a for a in overrides if not a.startswith("-")]
    return subprocess.run([sys.executable, "-m", "experiments.run", *flags, f"output.root={tmp_path}", *rest],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)


def run_folders(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_dir() and not p.name.startswith(".")]


def test_a_small_run_writes_its_tables_config_and_metadata(tmp_path):
    done = cli(tmp_path, "population.size=800", "days=30", "policy=secure_communities", "seed=3")
    assert done.returncode == 0, done.stderr
    folder, = [p.parent for p in tmp_path.rglob("run.json")]
    meta = json.loads((folder / "run.json").read_text())
    assert meta["seed"] == 3 and meta["policy"] == "secure_communities" and meta["residents"] == 800
    assert "population.size=800" in meta["overrides"] and meta["versions"]["mesa"].startswith("3.5")
    daily, summary = pq.read_table(folder / "daily.parquet"), pq.read_table(folder / "summary.parquet")
    groups = set(summary.column("group").to_pylist())
    assert {"all", "undocumented", "citizen_mixed_status", "latino"} <= groups
    assert daily.num_rows == 30 * len(groups)
    assert set(daily.column("policy").to_pylist()) == {"secure_communities"}
    assert "size: 800" in (folder / "config.yaml").read_text()
    assert "national, secure_communities, seed 3" in done.stdout and "undocumented" in done.stdout
    assert not list(folder.glob(".staging*"))


def test_a_timeline_run_names_its_scenarios(tmp_path):
    done = cli(tmp_path, "population.size=300", "days=20", "timeline=[{day: 10, policy: 287g_task_force}]")
    assert done.returncode == 0, done.stderr


def test_two_timelines_from_one_start_are_told_apart_and_say_what_was_in_force():
    """A timeline run is named by its switches (or by `scenario_name`), and the daily table says which policy was in
    force each day, so two timelines from the same start are not mixed up in a comparison."""
    from experiments.api import simulate

    def run(*overrides):
        return simulate("population.size=300", "days=20", "output.print_summary=false", *overrides, seed=1)

    early = run("timeline=[{day: 5, policy: 287g_task_force}]")
    late = run("timeline=[{day: 12, policy: 287g_task_force}, {day: 15, policy: pep}]")
    named = run("timeline=[{day: 5, policy: 287g_task_force}]", "scenario_name=adopt_early")
    plain = run("policy=pep")
    assert set(early.summary["policy"]) == {"community_trust, then 287g_task_force from day 5"}
    assert set(late.summary["policy"]) == {"community_trust, then 287g_task_force from day 12, then pep from day 15"}
    assert set(named.summary["policy"]) == set(named.daily["policy"]) == {"adopt_early"}
    assert set(plain.summary["policy"]) == set(plain.daily["policy_in_force"]) == {"pep"}
    city = late.daily[late.daily["group"] == "all"]
    assert (list(city["policy_in_force"]) == ["community_trust"] * 12 + ["287g_task_force"] * 3 + ["pep"] * 5)


def test_a_multirun_writes_one_complete_folder_per_job(tmp_path):
    done = cli(tmp_path, "-m", "population.size=300", "days=10", "policy=decoupled,pep", "seed=0,1",
               "output.print_summary=false")
    assert done.returncode == 0, done.stderr
    folders = sorted(p.parent.name for p in tmp_path.rglob("run.json"))
    assert folders == sorted(f"days=10,policy={p},population.size=300,seed={s}" for p in ("decoupled", "pep")
                             for s in (0, 1))
