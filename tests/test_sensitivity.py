"""The sensitivity pipeline runs on a tiny sample and ranks parameters from real model runs."""

from __future__ import annotations

import numpy as np
import pyarrow.parquet as pq
import pytest
from SALib.sample import sobol as sobol_sample

from experiments.analyses.sensitivity import OUTCOMES, UNCERTAIN, evaluate, main, params_for, sobol_indices
from model import validate


def test_every_uncertain_parameter_exists_and_its_range_is_valid():
    names = list(UNCERTAIN)
    for bound in (0, 1):
        validate(params_for(np.array([UNCERTAIN[n][bound] for n in names]), names, "secure_communities", 500, 10))


def test_a_parameter_that_matters_changes_the_outcome():
    names = ["crime.offender_concentration"]
    low = evaluate((np.array([0.05]), names, "secure_communities", 1500, 60, 0))
    high = evaluate((np.array([1.0]), names, "secure_communities", 1500, 60, 0))
    assert len(low) == len(OUTCOMES) and low != high


@pytest.mark.slow
def test_the_pipeline_runs_on_a_tiny_sample(tmp_path):
    main(["--trajectories", "2", "--sobol-n", "4", "--top", "2", "--size", "500", "--days", "20",
          "--folder", str(tmp_path), "hydra.launcher.n_jobs=2"])
    morris = pq.read_table(tmp_path / "morris.parquet").to_pydict()
    assert set(morris["parameter"]) == set(UNCERTAIN) and set(morris["outcome"]) == set(OUTCOMES)
    sobol = pq.read_table(tmp_path / "sobol.parquet").to_pydict()
    assert len(set(sobol["parameter"])) == 2
    assert (tmp_path / "sensitivity_ranking.png").stat().st_size > 20_000


@pytest.mark.slow
def test_a_design_split_across_workers_gives_the_one_process_outcomes_and_resumes(tmp_path):
    from experiments.analyses.sensitivity import run_design

    names = ["crime.offender_concentration", "beliefs.risk_amplification"]
    x = np.array([[0.05, 2.0], [0.5, 10.0], [1.0, 30.0], [0.2, 5.0]])
    args = (names, ["secure_communities"], 400, 15, 0)
    one = run_design(tmp_path / "one", x, *args, ["hydra/launcher=basic"])
    split = run_design(tmp_path / "split", x, *args, ["hydra.launcher.n_jobs=2"])
    np.testing.assert_array_equal(one["secure_communities"], split["secure_communities"])
    finished = sorted((tmp_path / "split" / "runs").rglob("summary.parquet"))
    stamps = [p.stat().st_mtime_ns for p in finished]
    again = run_design(tmp_path / "split", x, *args, ["hydra.launcher.n_jobs=2"])    # the same call resumes
    assert [p.stat().st_mtime_ns for p in finished] == stamps                      # nothing ran again
    np.testing.assert_array_equal(again["secure_communities"], split["secure_communities"])


def test_sobol_intervals_are_the_same_on_every_call_with_seed_zero():
    """SALib leaves its bootstrap unseeded for seed 0 (found by benchmarks/bench_sobol_split.py at 2,048 runs)."""
    problem = {"num_vars": 3, "names": ["a", "b", "c"], "bounds": [[0, 1]] * 3}
    x = sobol_sample.sample(problem, 64, calc_second_order=False, seed=0)
    y = x[:, 0] + 0.5 * x[:, 1] ** 2 + 0.1 * x[:, 0] * x[:, 2]
    first, again = sobol_indices(problem, y, 0), sobol_indices(problem, y, 0)
    for key in ("S1", "ST", "S1_conf", "ST_conf"):
        np.testing.assert_array_equal(first[key], again[key], err_msg=key)
    assert first["S1"][0] > first["S1"][2]          # the indices themselves are sensible
