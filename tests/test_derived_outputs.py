"""The comparison, the figures and the report of a sweep folder describe one checked set of finished runs: made
again when the runs change or a file is damaged, written whole or not at all, and saying which runs they cover;
a full disk gives one line and exit 4, not a traceback or an empty table."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pandas as pd
import pyarrow.parquet as pq
import pytest

from experiments.paths import ROOT
from experiments.runs.compare import compare_folder, comparison_of, complete_runs, runs_signature
from experiments.runs.testing import write_small_sweep

SMALL = {"size": 300, "days": 20}


@pytest.fixture(scope="module")
def two_seeds(tmp_path_factory):
    return write_small_sweep(tmp_path_factory.mktemp("sweep") / "s", policies=("decoupled", "pep"), seeds=(0, 1),
                             **SMALL)


def copy_of(folder, tmp_path):
    return shutil.copytree(folder, tmp_path / "copy")


def test_the_table_says_which_runs_it_covers(two_seeds, tmp_path):
    folder = copy_of(two_seeds, tmp_path)
    text = compare_folder(folder, "decoupled")
    assert "Covers 4 finished runs: 2 scenarios x 2 seeds (0-1)." in text
    assert (folder / "comparison.txt").read_text() == text + "\n"
    meta = pq.read_table(folder / "comparison.parquet").schema.metadata
    assert meta[b"runs_signature"].decode() == runs_signature(folder, complete_runs(folder))


def test_a_report_after_the_sweep_grew_describes_and_draws_the_same_runs(two_seeds, tmp_path):
    from experiments.workshop.figures import MANIFEST
    from experiments.workshop.report import make_report

    folder = copy_of(two_seeds, tmp_path)
    make_report(folder)
    before = json.loads((folder / "figures" / MANIFEST).read_text())["runs_signature"]
    write_small_sweep(folder, policies=("decoupled", "pep"), seeds=(2, 3), **SMALL)   # the sweep grows
    page = make_report(folder).read_text()
    runs = complete_runs(folder)
    assert "each run 4 times" in page
    assert json.loads((folder / "figures" / MANIFEST).read_text())["runs_signature"] == runs_signature(folder, runs)
    assert before != runs_signature(folder, runs)
    assert "Covers 8 finished runs: 2 scenarios x 4 seeds (0-3)." in (folder / "comparison.txt").read_text()


def test_a_truncated_comparison_is_made_again_from_the_runs(two_seeds, tmp_path):
    folder = copy_of(two_seeds, tmp_path)
    compare_folder(folder, "decoupled")
    whole = pq.read_table(folder / "comparison.parquet").to_pandas()
    path = folder / "comparison.parquet"
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    assert pd.DataFrame(comparison_of(folder, complete_runs(folder), "decoupled")).equals(whole)
    assert pq.read_table(path).to_pandas().equals(whole)


def full_disk(command: str, folder) -> subprocess.CompletedProcess:
    """`command` on `folder` with every parquet, text and figure write failing as on a full disk."""
    code = ("import errno, sys, pathlib, pyarrow.parquet as pq, matplotlib.figure as mf\n"
            "def full(*a, **k):\n"
            "    raise OSError(errno.ENOSPC, 'No space left on device', str(a[1] if len(a) > 1 else a[0]))\n"
            "pq.write_table = full\n"
            "pathlib.Path.write_text = lambda self, *a, **k: full(self)\n"
            "mf.Figure.savefig = lambda self, *a, **k: full(self, a[0])\n"
            f"from experiments.{command} import main\n"
            f"main([{str(folder)!r}])\n")
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("command", ["compare", "report", "figures"])
def test_a_full_disk_gives_one_line_and_exit_4_and_leaves_the_old_files(two_seeds, tmp_path, command):
    folder = copy_of(two_seeds, tmp_path)
    compare_folder(folder, "decoupled")
    old = (folder / "comparison.txt").read_text()
    done = full_disk(command, folder)
    assert done.returncode == 4, done.stderr[-2000:]
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert "No space left on device" in done.stderr
    assert (folder / "comparison.txt").read_text() == old
    assert not [p for p in folder.iterdir() if p.name.startswith(".") and ".tmp-" in p.name]
    assert not (folder / "report.html").exists()


def test_the_end_of_a_sweep_compares_its_own_runs_not_another_sweeps(tmp_path):
    """Another sweep's finished run in the same folder (seed 9) is not in this sweep's table."""
    folder = tmp_path / "shared"
    write_small_sweep(folder, policies=("decoupled",), seeds=(9,), **SMALL)
    done = subprocess.run([sys.executable, "-m", "experiments.run", "-m", "policy=decoupled,pep", "seed=0",
                           "population.size=300", "days=10", f"hydra.sweep.dir={folder}", "hydra/launcher=basic",
                           "output.print_summary=false"], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Covers 2 finished runs: 2 scenarios x 1 seed (0)." in (folder / "comparison.txt").read_text()
    everything = compare_folder(folder, "decoupled")                         # the folder's command: all of them
    assert "Covers 3 finished runs: decoupled 2 seeds (0, 9); pep 1 seed (0)." in everything


def test_a_full_disk_at_the_end_of_a_sweep_exits_4_with_the_runs_kept(tmp_path):
    code = ("import errno, sys, pyarrow.parquet as pq\n"
            "from experiments.runs import compare\n"
            "def full(*a, **k): raise OSError(errno.ENOSPC, 'No space left on device', 'comparison.parquet')\n"
            "compare.write_atomically = full\n"
            f"sys.argv = ['run', '-m', 'policy=decoupled,pep', 'population.size=300', 'days=5',"
            f" 'hydra.sweep.dir={tmp_path / 'sweep'}', 'hydra/launcher=basic']\n"
            "from experiments.runs.run import main; main()\n")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 4, done.stderr[-2000:]
    assert "cannot write comparison.parquet: No space left on device" in done.stderr
    assert len(complete_runs(tmp_path / "sweep")) == 2 and not (tmp_path / "sweep" / "comparison.txt").exists()
