"""Global sensitivity analysis of the headline outcomes to the uncertain (assumed) parameters, with SALib.

    python -m experiments.sensitivity                       # Morris screening, then Sobol on the top 4
    python -m experiments.sensitivity --trajectories 4 --sobol-n 16 --size 1000 --days 90    # a quick look

Morris screening ranks every parameter in UNCERTAIN by its elementary effects (mu*) on each outcome under
each scenario; Sobol indices (first order S1, total ST) then split the variance among the few that matter
most. Every model run uses the same seed, so differences come from the parameters (common random numbers).
Writes morris.parquet, sobol.parquet, sensitivity_ranking.png/.svg and sensitivity.txt to the folder.
"""

from __future__ import annotations

import argparse
import dataclasses
from datetime import datetime
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from SALib.analyze import morris as morris_analyze
from SALib.analyze import sobol as sobol_analyze
from SALib.sample import morris as morris_sample
from SALib.sample import sobol as sobol_sample

from experiments.paths import RESULTS
from experiments.runs.cli import non_negative_int, positive_int
from experiments.runs.config import load_policy, policy_names
from experiments.runs.samples import SAMPLE_GROUP, claim_folder, run_analysis, run_samples, sample_frame
from model import CommunityTrustModel, ModelParams, ParameterError

# The assumed parameters and the ranges screened (the defaults sit inside; Skogan's 4-14 for the asymmetry).
UNCERTAIN = {
    "beliefs.risk_amplification": (1.0, 40.0),
    "beliefs.attention_mean": (0.1, 1.0),
    "beliefs.attention_concentration": (0.2, 20.0),
    "beliefs.profiled_vulnerability": (0.0, 0.5),
    "beliefs.policy_fear_rate": (0.01, 0.1),
    "beliefs.fear_decay": (0.002, 0.03),
    "beliefs.network_fear": (0.0, 0.5),
    "beliefs.tie_vulnerability": (0.0, 1.0),
    "beliefs.trust_asymmetry": (4.0, 14.0),
    "beliefs.risk_trust_loss": (0.0, 0.03),
    "reporting.fear_weight": (10.0, 100.0),
    "reporting.fear_tolerance": (0.0, 0.06),
    "crime.reporting_deterrence": (0.0, 3.0),
    "reporting.trust_weight": (1.0, 8.0),
    "crime.exploitation": (0.0, 3.0),
    "crime.offender_concentration": (0.05, 1.0),
    "policing.witness_clearance_boost": (0.0, 0.5),
    "network.community_degree": (4.0, 16.0),
}

# The headline outcomes: name -> (summary metric, group), or a difference of two (a gap).
OUTCOMES = {
    "reporting gap, other citizens minus undocumented": (("willingness_to_report_end", "citizen_other"),
                                                        ("willingness_to_report_end", "undocumented")),
    "victimizations per 1,000 a year": (("victimizations_per_1000", "all"),),
    "Latino victims' reporting share": (("reporting_share", "latino"),),
    "clearance rate": (("clearance_rate", "all"),),
}


def params_for(values: np.ndarray, names: list[str], scenario: str, size: int, days: int) -> ModelParams:
    """Default parameters with the scenario and the sampled values set."""
    p = ModelParams(days=days, policy=load_policy(scenario))
    p.population = dataclasses.replace(p.population, size=size)
    for name, value in zip(names, values):
        section, field = name.split(".")
        setattr(p, section, dataclasses.replace(getattr(p, section), **{field: float(value)}))
    return p


def outcome_values(summary, scenario: str | None = None) -> list[float]:
    """The OUTCOMES of one run, from its summary table (a pandas frame; rows of `scenario` only if given)."""
    rows = summary if scenario is None else summary[summary["policy"] == scenario]
    value = rows.set_index("group")
    out = []
    for parts in OUTCOMES.values():
        first = value.at[parts[0][1], parts[0][0]]
        out.append(float(first - value.at[parts[1][1], parts[1][0]]) if len(parts) == 2 else float(first))
    return out


def evaluate(args: tuple) -> list[float]:
    """Run one model in this process and return its outcomes (in OUTCOMES order)."""
    import pandas as pd  # noqa: PLC0415

    values, names, scenario, size, days, seed = args
    model = CommunityTrustModel(params_for(values, names, scenario, size, days), rng=seed, create_agents=False).run()
    return outcome_values(pd.DataFrame(model.tables()["summary"]))


def run_design(folder: Path, x: np.ndarray, names: list[str], scenarios: list[str], size: int, days: int,
               seed: int, overrides: list[str]) -> dict[str, np.ndarray]:
    """Every row of design `x` under every scenario, as one Hydra multirun into `folder` (any launcher; the same
    call resumes); per scenario, the outcomes of each row in the design's order."""
    samples = sample_frame(x, names)
    summary = run_samples(folder, samples, [f"policy={','.join(scenarios)}", f"seed={seed}",
                                            f"population.size={size}", f"days={days}", "mesa_agents=false",
                                            "~hydra.callbacks.compare", *overrides])
    return design_outcomes(summary, samples[SAMPLE_GROUP], scenarios)


def design_outcomes(summary, samples, scenarios: list[str]) -> dict[str, np.ndarray]:
    """Per scenario, the outcomes of each of `samples` (ids, in the design's order) from the runs' `summary`."""
    runs = dict(tuple(summary.groupby([SAMPLE_GROUP, "policy"])))
    return {scenario: np.array([outcome_values(runs[(sample, scenario)]) for sample in samples])
            for scenario in scenarios}


def morris(folder: Path, scenarios: list[str], trajectories: int, size: int, days: int, seed: int,
           overrides: list[str]) -> dict[str, list]:
    problem = {"num_vars": len(UNCERTAIN), "names": list(UNCERTAIN), "bounds": [list(b) for b in UNCERTAIN.values()]}
    x = morris_sample.sample(problem, N=trajectories, num_levels=4, seed=seed)
    ys = run_design(folder, x, problem["names"], scenarios, size, days, seed, overrides)
    rows: dict[str, list] = {k: [] for k in ("scenario", "outcome", "parameter", "mu_star", "mu_star_conf", "sigma")}
    for scenario, y in ys.items():
        for j, outcome in enumerate(OUTCOMES):
            si = morris_analyze.analyze(problem, x, mean_filled(y[:, j]), num_levels=4, seed=seed)
            for i, name in enumerate(problem["names"]):
                for key, value in (("scenario", scenario), ("outcome", outcome), ("parameter", name),
                                   ("mu_star", float(si["mu_star"][i])),
                                   ("mu_star_conf", float(si["mu_star_conf"][i])), ("sigma", float(si["sigma"][i]))):
                    rows[key].append(value)
    return rows


def top_parameters(rows: dict[str, list], k: int) -> list[str]:
    """The k parameters with the largest mu*, each outcome's mu* scaled by its largest, summed."""
    score: dict[str, float] = {}
    for outcome in set(rows["outcome"]):
        for scenario in set(rows["scenario"]):
            idx = [i for i, (o, s) in enumerate(zip(rows["outcome"], rows["scenario"]))
                   if o == outcome and s == scenario]
            top = max(rows["mu_star"][i] for i in idx) or 1.0
            for i in idx:
                score[rows["parameter"][i]] = score.get(rows["parameter"][i], 0.0) + rows["mu_star"][i] / top
    return sorted(score, key=score.get, reverse=True)[:k]


def mean_filled(y: np.ndarray) -> np.ndarray:
    """Outcomes with those a run could not give (NaN, e.g. a rate with no cases) replaced by the others' mean."""
    return np.where(np.isnan(y), np.nanmean(y), y)


def sobol_indices(problem: dict, y: np.ndarray, seed: int) -> dict:
    """SALib's first-order and total Sobol indices of outcomes `y` (mean-filled), with bootstrap intervals drawn
    from `seed`. SALib seeds its bootstrap only for a seed that is true, so seed 0 would give other intervals on
    every call; a Generator from `seed` is the same stream SALib makes from any other seed."""
    return sobol_analyze.analyze(problem, mean_filled(y), calc_second_order=False, seed=np.random.default_rng(seed))


def sobol(folder: Path, names: list[str], scenarios: list[str], n: int, size: int, days: int, seed: int,
          overrides: list[str]) -> dict[str, list]:
    problem = {"num_vars": len(names), "names": names, "bounds": [list(UNCERTAIN[p]) for p in names]}
    x = sobol_sample.sample(problem, n, calc_second_order=False, seed=seed)
    ys = run_design(folder, x, names, scenarios, size, days, seed, overrides)
    rows: dict[str, list] = {k: [] for k in ("scenario", "outcome", "parameter", "S1", "S1_conf", "ST", "ST_conf")}
    for scenario, y in ys.items():
        for j, outcome in enumerate(OUTCOMES):
            si = sobol_indices(problem, y[:, j], seed)
            for i, name in enumerate(names):
                for key, value in (("scenario", scenario), ("outcome", outcome), ("parameter", name),
                                   ("S1", si["S1"][i]), ("S1_conf", si["S1_conf"][i]), ("ST", si["ST"][i]),
                                   ("ST_conf", si["ST_conf"][i])):
                    rows[key].append(float(value) if key not in ("scenario", "outcome", "parameter") else value)
    return rows


def ranking_figure(rows: dict[str, list], out: Path) -> list[Path]:
    """One panel per outcome: mu* of each parameter, bars per scenario, largest first."""
    import matplotlib  # noqa: PLC0415

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # noqa: PLC0415

    from experiments.workshop.figures import save  # noqa: PLC0415
    from experiments.workshop.vocabulary import colour, label  # noqa: PLC0415

    scenarios = list(dict.fromkeys(rows["scenario"]))
    fig, axes = plt.subplots(1, len(OUTCOMES), figsize=(6 * len(OUTCOMES), 6.5))
    for ax, outcome in zip(np.atleast_1d(axes), OUTCOMES):
        params = sorted(UNCERTAIN,
                        key=lambda p: -max(m for o, q, m in zip(rows["outcome"], rows["parameter"], rows["mu_star"])
                                           if o == outcome and q == p))
        y = np.arange(len(params))
        for k, scenario in enumerate(scenarios):
            mu = {q: m for o, s, q, m in zip(rows["outcome"], rows["scenario"], rows["parameter"], rows["mu_star"])
                  if o == outcome and s == scenario}
            ax.barh(y + k * 0.8 / len(scenarios), [mu[p] for p in params], 0.8 / len(scenarios),
                    color=colour(scenario), label=label(scenario))
        ax.set_yticks(y + 0.4 - 0.4 / len(scenarios), params, fontsize=8)
        ax.invert_yaxis()
        ax.set_xlabel("Morris mu* (mean absolute elementary effect, outcome units)")
        ax.set_title(outcome, fontsize=10)
        ax.grid(axis="x", alpha=0.3)
    np.atleast_1d(axes)[0].legend(fontsize=8, loc="lower right")
    fig.suptitle("Which uncertain assumptions move the results most?", fontsize=14, fontweight="bold")
    fig.tight_layout()
    return save(fig, out, "sensitivity_ranking")


DESIGN_ARGUMENTS = ("scenarios", "trajectories", "sobol_n", "top", "size", "days", "seed")


def parse(argv: list[str] | None) -> tuple[argparse.Namespace, list[str]]:
    parser = argparse.ArgumentParser(prog="python -m experiments.sensitivity", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scenarios", nargs="+", default=["secure_communities", "287g_task_force"])
    parser.add_argument("--trajectories", type=positive_int, default=10, help="Morris trajectories (runs: r x (k+1))")
    parser.add_argument("--sobol-n", type=positive_int, default=64, help="Sobol base sample (runs: N x (k+2))")
    parser.add_argument("--top", type=positive_int, default=4, help="parameters kept for Sobol")
    parser.add_argument("--size", type=positive_int, default=3000)
    parser.add_argument("--days", type=positive_int, default=365)
    parser.add_argument("--seed", type=non_negative_int, default=0)
    parser.add_argument("--folder", type=Path, default=None, help="the same folder again resumes the analysis")
    args, overrides = parser.parse_known_args(argv)
    known = policy_names()
    for s in args.scenarios:
        if s not in known:
            raise ParameterError(f"--scenarios: {s!r} is not a scenario; choose from {', '.join(known)}.")
    if args.top > len(UNCERTAIN):
        raise ParameterError(f"--top {args.top}: at most {len(UNCERTAIN)}, the number of uncertain parameters.")
    args.folder = args.folder or RESULTS / "sensitivity" / datetime.now().strftime("%Y-%m-%d_%H-%M-%S")
    return args, overrides


def analyse(args: argparse.Namespace, overrides: list[str]) -> str:
    out = args.folder
    claim_folder(out, {"overrides": overrides, **{k: getattr(args, k) for k in DESIGN_ARGUMENTS}},
                 "sensitivity analysis")
    screen = morris(out / "morris", args.scenarios, args.trajectories, args.size, args.days, args.seed, overrides)
    pq.write_table(pa.table(screen), out / "morris.parquet")
    top = top_parameters(screen, args.top)
    variance = sobol(out / "sobol", top, args.scenarios, args.sobol_n, args.size, args.days, args.seed, overrides)
    pq.write_table(pa.table(variance), out / "sobol.parquet")
    ranking_figure(screen, out)
    lines = [f"Morris screening ({args.trajectories} trajectories, {args.size:,} residents, {args.days} days), "
             f"top parameters overall: {', '.join(top)}", "", "Sobol indices (first order S1, total ST):"]
    for i in range(len(variance["parameter"])):
        lines.append(f"  {variance['scenario'][i]:<20} {variance['outcome'][i]:<50} {variance['parameter'][i]:<32} "
                     f"S1 {variance['S1'][i]:6.2f}  ST {variance['ST'][i]:6.2f}")
    text = "\n".join(lines)
    (out / "sensitivity.txt").write_text(text + "\n")
    return text


def main(argv: list[str] | None = None) -> None:
    run_analysis("sensitivity", parse, analyse, argv)


if __name__ == "__main__":
    main()
