"""Helpers shared by the tests and the benchmarks: small models built from default parameters with a few
fields changed, one group's summary, and a small sweep written through the command line's own `run()`."""

from __future__ import annotations

import dataclasses

import numpy as np

from experiments.runs.config import load_policy
from model import CommunityTrustModel, ModelParams


def make_params(size: int = 2000, days: int = 60, policy: str | None = None, **sections) -> ModelParams:
    """Default parameters with `population.size`, `days`, a named scenario and section fields replaced,
    e.g. make_params(crime={"exploitation": 0.0})."""
    p = ModelParams(days=days)
    p.population = dataclasses.replace(p.population, size=size)
    if policy is not None:
        p.policy = load_policy(policy)
    for section, changes in sections.items():
        setattr(p, section, dataclasses.replace(getattr(p, section), **changes))
    return p


def make_model(seed: int = 0, agents: bool = False, **kwargs) -> CommunityTrustModel:
    return CommunityTrustModel(make_params(**kwargs), rng=seed, create_agents=agents)


def summary_row(model: CommunityTrustModel, group: str = "all") -> dict:
    """The run summary of one group as a dict."""
    table = model.tables()["summary"]
    i = list(table["group"]).index(group)
    return {k: v[i] for k, v in table.items()}


def total_over_seeds(seeds, metric: str, group: str = "all", **kwargs) -> float:
    """Sum of a summary total (e.g. 'holds') over runs with several seeds."""
    return float(sum(summary_row(make_model(seed=s, **kwargs).run(), group)[metric] for s in seeds))



def rows_where(mask: np.ndarray) -> np.ndarray:
    return np.flatnonzero(mask)


def write_small_sweep(folder, policies=("decoupled", "secure_communities", "287g_task_force"), seeds=(0, 1),
                      size=1500, days=60):
    """Run a small sweep in-process through the same `run()` the CLI uses; one folder per run."""
    from experiments.api import compose  # noqa: PLC0415  (Hydra only when a sweep is written)
    from experiments.runs.run import run  # noqa: PLC0415  (the run machinery likewise)

    for policy in policies:
        for seed in seeds:
            overrides = [f"policy={policy}", f"seed={seed}", f"population.size={size}", f"days={days}",
                         "output.print_summary=false"]
            run(compose(overrides), folder / f"policy={policy},seed={seed}", overrides)
    return folder


# How far a float of a run's tables may move between two machines whose C libraries give exp, log and pow other
# bits (glibc's FMA and plain forms): (relative, absolute) for math.isclose and numpy.testing.assert_allclose.
# benchmarks/same_everywhere.py measured at most 2.8e-15 relative and 2.8e-18 absolute near zero over 90
# year-long runs (docs/performance.md, "Same results on any processor"); the bound leaves a margin of 300.
ACROSS_C_LIBRARIES = (1e-12, 1e-15)


def _numpy_groups(without) -> str:
    """The groups of numpy's SIMD dispatch on this build whose names `without` accepts, for NPY_DISABLE_CPU_FEATURES
    (numpy 2.5 names them X86_V3, X86_V4, AVX512_ICL, ...; earlier versions AVX2, AVX512F, AVX512_SKX, ...)."""
    from numpy._core._multiarray_umath import __cpu_dispatch__  # noqa: PLC0415

    return " ".join(f for f in __cpu_dispatch__ if without(f))


def cpu_settings() -> dict[str, dict[str, str]]:
    """Environments under which a run must give the default's results (tests/test_same_on_any_cpu.py,
    benchmarks/same_everywhere.py): numpy's default dispatch; without its AVX-512 paths; its baseline only; and the
    C library's (glibc's) exp, log and pow in their forms for processors without FMA."""
    return {
        "default": {},
        "numpy without AVX-512": {"NPY_DISABLE_CPU_FEATURES": _numpy_groups(lambda f: "512" in f or f == "X86_V4")},
        "numpy baseline only": {"NPY_DISABLE_CPU_FEATURES": _numpy_groups(lambda f: True)},
        "glibc without FMA": {"GLIBC_TUNABLES": "glibc.cpu.hwcaps=-FMA,-AVX2"},
    }
