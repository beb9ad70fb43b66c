"""Bad input, as a new user would type it: every case exits non-zero with a short message that names the field
or path, prints no traceback, and leaves nothing that looks finished (no run.json, no table, no report).

The commands run as subprocesses, several at once (a session fixture starts them all), so the whole table
costs about as much as a handful of runs.
"""

from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from experiments.runs.testing import write_small_sweep

ROOT = Path(__file__).resolve().parents[1]
SMALL = ("population.size=300", "days=5")
WITH_EXAMPLE_RULE = "rules=[model.rules.crime.CommitCrimes, model.rules.examples.UnsolvedCaseDisillusion]"


@dataclass(frozen=True)
class Case:
    id: str
    command: tuple[str, ...]      # `{tmp}` is the case's own folder; `{out}` its output root
    names: str                    # the field, path or value the message must name
    code: int | None = None       # a specific exit code, if one is promised


def run_cmd(*overrides: str, multirun: bool = False) -> tuple[str, ...]:
    return ("-m", "experiments.run", *(("-m",) if multirun else ()), "output.root={out}", *SMALL, *overrides)


# a command that reads the small sweep, with every table, text and figure write failing as on a full disk (as root,
# a read-only folder cannot be made without a mount; a full disk fails the same writes)
FULL_DISK = ("import errno, pathlib, shutil, pyarrow.parquet as pq, matplotlib.figure as mf\n"
             "def full(*a, **k):\n"
             "    raise OSError(errno.ENOSPC, 'No space left on device', str(a[-1] if a else ''))\n"
             "shutil.copytree('{{tmp}}/sweep', '{{tmp}}/full_{command}')\n"
             "pq.write_table = full\n"
             "pathlib.Path.write_text = lambda self, *a, **k: full(self)\n"
             "mf.Figure.savefig = lambda self, *a, **k: full(self, a[0])\n"
             "from experiments.{command} import main\n"
             "main(['{{tmp}}/full_{command}'])\n")

CASES = [
    # out-of-range values, dict-valued ones included
    Case("probability above 1", run_cmd("reporting.violent_base=1.5"), "reporting.violent_base = 1.5"),
    Case("negative offending multiplier", run_cmd("crime.offending_multiplier.citizen=-1"),
         "crime.offending_multiplier.citizen = -1"),
    Case("vulnerability above 1", run_cmd("beliefs.vulnerability.undocumented=5"),
         "beliefs.vulnerability.undocumented"),
    Case("negative vulnerability", run_cmd("beliefs.vulnerability.citizen=-3"), "beliefs.vulnerability.citizen"),
    Case("shares not summing to 1", run_cmd("population.status_shares.citizen=0.5"), "population.status_shares"),
    Case("negative share", run_cmd("population.ethnicity_shares.latino=-0.2"), "population.ethnicity_shares"),
    Case("population below 10", run_cmd("population.size=3"), "population.size = 3"),
    Case("negative unit cost", run_cmd("costs.jail_day=-5"), "costs.jail_day = -5"),
    Case("unknown unit costs", run_cmd("costs=atlantis"), "costs"),
    Case("zero days", run_cmd("days=0"), "days = 0"),
    Case("negative seed", run_cmd("seed=-1"), "seed = -1"),
    Case("a seed too large for the tables", run_cmd("seed=9223372036854775808"), "seed = 9223372036854775808",
         code=2),
    Case("a seed too large in a sweep", run_cmd("seed=0,9223372036854775808", multirun=True),
         "seed = 9223372036854775808", code=2),
    Case("hold over 10 days", run_cmd("enforcement.hold_days=30"), "enforcement.hold_days = 30"),
    Case("nan", run_cmd("enforcement.pickup_after_hold=nan"), "enforcement.pickup_after_hold"),
    Case("trust asymmetry below 1", run_cmd("beliefs.trust_asymmetry=0.5"), "beliefs.trust_asymmetry"),
    Case("city share above 1", run_cmd("city.foreign_born_share=1.5"), "city.foreign_born_share"),
    Case("outreach rate as a lever", run_cmd("policy.outreach_rate=2"), "policy.outreach_rate"),
    # wrong types and unknown keys
    Case("text for a number", run_cmd("population.size=abc"), "population.size", code=2),
    Case("a fraction for a whole number", run_cmd("population.size=2.5"), "population.size", code=2),
    Case("text for the seed", run_cmd("seed=abc"), "seed", code=2),
    Case("text for a switch", run_cmd("policy.pretext_arrests=maybe"), "policy.pretext_arrests", code=2),
    Case("a wrong type in a sweep", run_cmd("population.size=2.5", "seed=0,1", multirun=True), "population.size",
         code=2),
    Case("an unknown belief kernel", run_cmd("kernel=fast"), "kernel = 'fast': choose auto, numpy or numba"),
    Case("unknown key", run_cmd("crime.nonsense=1"), "crime.nonsense: not a parameter", code=2),
    Case("unknown section", run_cmd("+weather.rain=1"), "weather: not a parameter"),
    Case("unknown key added with +", run_cmd("+crime.rainfall=3"), "crime.rainfall: not a parameter"),
    Case("unknown status in a mapping", run_cmd("+crime.offending_multiplier.martian=1"),
         "crime.offending_multiplier"),
    # choices and names
    Case("unknown scenario", run_cmd("policy=amnesty"), "policy=amnesty: there is no conf/policy/amnesty.yaml",
         code=2),
    Case("unknown scenario in a sweep", run_cmd("policy=amnesty,pep", multirun=True), "policy=amnesty", code=2),
    Case("unknown lever value", run_cmd("policy.ice_request=warrant"), "policy.ice_request"),
    Case("unknown city", run_cmd("city=atlantis"), "city=atlantis", code=2),
    Case("unknown profiled label", run_cmd("policing.profiled_label=martian"), "policing.profiled_label"),
    # timelines and histories
    Case("timeline scenario unknown", run_cmd("timeline=[{day: 2, policy: nope}]"), "policy 'nope'"),
    Case("timeline beyond the run", run_cmd("timeline=[{day: 20, policy: pep}]"), "timeline[0].day = 20"),
    Case("timeline out of order", run_cmd("timeline=[{day: 3, policy: pep}, {day: 1, policy: decoupled}]"),
         "timeline days"),
    Case("timeline switch without a policy", run_cmd("timeline=[{day: 2}]"), "timeline[0].policy is missing"),
    Case("two timeline switches on one day", run_cmd("timeline=[{day: 3, policy: pep}, {day: 3, policy: 287g_jail}]"),
         "one switch a day"),
    Case("until without a history", run_cmd("history.until=2012-01-01"), "history.until"),
    Case("until after the history", run_cmd("history=cook_il", "city=cook_il", "history.until=2030-01-01"),
         "history.until = 2030-01-01"),
    Case("until not a date", run_cmd("history=cook_il", "city=cook_il", "history.until=soon"), "history.until"),
    # rules and their parameters
    Case("rule parameter not a number",
         run_cmd(WITH_EXAMPLE_RULE, "+rule_params.UnsolvedCaseDisillusion.trust_loss=abc"),
         "rule_params.UnsolvedCaseDisillusion.trust_loss"),
    Case("rule parameter out of range",
         run_cmd(WITH_EXAMPLE_RULE, "+rule_params.UnsolvedCaseDisillusion.trust_loss=3"),
         "rule_params.UnsolvedCaseDisillusion.trust_loss = 3"),
    Case("parameters of a rule not listed", run_cmd("+rule_params.UnsolvedCaseDisillusion.trust_loss=0.1"),
         "UnsolvedCaseDisillusion"),
    Case("rule that does not exist", run_cmd("rules=[model.rules.crime.NoSuchRule]"), "model.rules.crime.NoSuchRule"),
    # config files
    Case("YAML syntax error in a scenario file", ("-m", "experiments.run", "--config-dir", "{tmp}/conf",
                                                  "policy=broken", "output.root={out}", *SMALL),
         "broken.yaml: not valid YAML (line"),
    Case("a config file that is not UTF-8", ("-m", "experiments.run", "--config-dir", "{tmp}/latin1",
                                             "policy=latin1", "output.root={out}", *SMALL),
         "latin1.yaml: not UTF-8 text", code=2),
    # sweeps
    Case("no workers", run_cmd("hydra.launcher.n_jobs=0", "seed=0,1", multirun=True), "hydra.launcher.n_jobs = 0"),
    Case("a sweep of no jobs", run_cmd("policy=glob(nomatch*)", "seed=0,1", multirun=True), "no jobs"),
    Case("a bad value in one job of a sweep", run_cmd("seed=0,1", "crime.exploitation=0,-2", multirun=True),
         "crime.exploitation = -2"),
    Case("a negative seed in a sweep", run_cmd("seed=0,-1", multirun=True), "seed = -1"),
    Case("a sweep whose folder names would be too long",
         run_cmd("seed=0,1", *[f"beliefs.{k}=0.5" for k in ("attention_mean", "tie_vulnerability", "direct_fear",
                                                            "network_fear", "profiled_vulnerability",
                                                            "initial_knowledge", "initial_trust_mean")],
                 "crime.local_victim_share=0.5", "crime.witness_probability=0.5", multirun=True),
         "hydra.sweep.subdir"),
    Case("launcher extra not installed", run_cmd("hydra/launcher=ray_cluster", "seed=0,1", multirun=True),
         'pip install -e ".[ray]"'),
    # the machine
    Case("population too large for memory", run_cmd("population.size=2000000000", "mesa_agents=false"),
         "population.size = 2,000,000,000"),
    Case("days too many for memory", run_cmd("days=100000000"), "days = 100,000,000", code=2),
    Case("output under a file", ("-m", "experiments.run", "output.root={tmp}/a_file/results", *SMALL),
         "a_file", code=4),
    Case("output on a read-only file system", ("-m", "experiments.run", "output.root=/proc/results", *SMALL),
         "/proc/results", code=4),
    Case("disk full while writing", ("-c", ("import errno, pyarrow.parquet as pq\n"
                                           "def full(table, where, **kw): raise OSError(errno.ENOSPC, "
                                           "'No space left on device', str(where))\n"
                                           "pq.write_table = full\n"
                                           "import sys; sys.argv = ['run', 'output.root={out}', "
                                           "'population.size=300', 'days=5']\n"
                                           "from experiments.runs.run import main; main()")),
         "No space left on device", code=4),
    # commands that read a sweep folder
    Case("compare a missing folder", ("-m", "experiments.compare", "{tmp}/nothing"), "nothing"),
    Case("compare an empty folder", ("-m", "experiments.compare", "{tmp}/empty"), "no finished runs"),
    Case("compare against a baseline not in the sweep", ("-m", "experiments.compare", "{tmp}/sweep",
                                                         "--baseline", "nosuch"), "baseline 'nosuch'"),
    Case("figures of a missing folder", ("-m", "experiments.figures", "{tmp}/nothing"), "nothing"),
    Case("figures of an empty folder", ("-m", "experiments.figures", "{tmp}/empty"), "no finished runs"),
    Case("report of a missing folder", ("-m", "experiments.report", "{tmp}/nothing"), "nothing"),
    Case("report of an empty folder", ("-m", "experiments.report", "{tmp}/empty"), "no finished runs"),
    *(Case(f"{command} on a full disk", ("-c", FULL_DISK.format(command=command)), "No space left on device", code=4)
      for command in ("compare", "figures", "report")),
    # validation
    Case("validate with no seeds", ("-m", "experiments.validate", "--seeds", "0"), "--seeds"),
    Case("validate with negative seeds", ("-m", "experiments.validate", "--seeds", "-3"), "--seeds"),
    Case("validate a missing targets file", ("-m", "experiments.validate", "--targets", "{tmp}/none.yaml"),
         "none.yaml"),
    Case("validate a misspelled metric", ("-m", "experiments.validate", "--targets", "{tmp}/metric.yaml"),
         "metric 'violent_reportng_share'"),
    Case("validate an unknown group", ("-m", "experiments.validate", "--targets", "{tmp}/group.yaml"),
         "group 'martians'"),
    Case("validate a target value that is not a number", ("-m", "experiments.validate", "--targets",
                                                          "{tmp}/value.yaml"), "value"),
    Case("validate an unknown scenario", ("-m", "experiments.validate", "--targets", "{tmp}/scenario.yaml"),
         "scenario 'nope'"),
    Case("history with no seeds", ("-m", "experiments.history", "--seeds", "0"), "--seeds"),
]


def _prepare(folder: Path) -> None:
    """What the cases read: a broken scenario file, a file where a folder should be, an empty folder, a
    finished sweep, and targets files with one mistake each."""
    (folder / "conf" / "policy").mkdir(parents=True)
    (folder / "conf" / "policy" / "broken.yaml").write_text("name: broken\nstatus_questions: [stops, booking\n")
    (folder / "latin1" / "policy").mkdir(parents=True)
    (folder / "latin1" / "policy" / "latin1.yaml").write_bytes("name: latin1  # Peña County\n".encode("latin-1"))
    (folder / "a_file").write_text("not a folder")
    (folder / "empty").mkdir()
    write_small_sweep(folder / "sweep", policies=("decoupled",), seeds=(0,), size=300, days=5)
    targets = (ROOT / "conf" / "validation" / "targets.yaml").read_text()
    for name, old, new in (("metric", "metric: violent_reporting_share", "metric: violent_reportng_share"),
                           ("group", "group: undocumented", "group: martians"),
                           ("value", "value: 0.42", "value: abc"),
                           ("scenario", "scenario: community_trust", "scenario: nope")):
        assert old in targets
        (folder / f"{name}.yaml").write_text(targets.replace(old, new, 1))


def _run(case: Case, folder: Path, out: Path) -> subprocess.CompletedProcess:
    args = [a.replace("{tmp}", str(folder)).replace("{out}", str(out)) for a in case.command]
    env = {**os.environ, "HYDRA_FULL_ERROR": "0"}
    return subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True, timeout=300, env=env,
                          check=False)


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory):
    """Every case run once, three at a time: the inputs' folder, and case id -> (its output root, the process)."""
    base = tmp_path_factory.mktemp("bad_inputs")
    _prepare(base / "inputs")
    outs = {case.id: base / "out" / f"{i:02d}" for i, case in enumerate(CASES)}
    with ThreadPoolExecutor(max_workers=3) as pool:
        done = pool.map(lambda c: _run(c, base / "inputs", outs[c.id]), CASES)
        return base / "inputs", {case.id: (outs[case.id], result) for case, result in zip(CASES, done)}


def test_there_are_at_least_forty_cases():
    assert len(CASES) >= 40 and len({c.id for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_is_refused_clearly_and_leaves_nothing_finished(case, outcomes):
    folder, done = outcomes
    out, result = done[case.id]
    message = result.stderr + result.stdout
    assert result.returncode != 0, f"exit 0 for {case.command}:\n{message[-2000:]}"
    if case.code is not None:
        assert result.returncode == case.code, message[-2000:]
    assert "Traceback" not in message, message[-3000:]
    assert case.names in message, f"the message does not name {case.names!r}:\n{message[-2000:]}"
    assert len(result.stderr.strip().splitlines()) <= 25, result.stderr   # Hydra lists a group's options
    if case.code == 2:   # bad input: one line, and where to read more
        assert len([line for line in result.stderr.strip().splitlines() if "Nothing was" not in line]) == 1, \
            result.stderr
    assert not list(out.rglob("run.json")) and not list(out.rglob("*.parquet")), "something looks finished"
    assert not list((folder / "empty").iterdir()), "a command wrote into the empty folder"
    assert not (folder / "sweep" / "report.html").exists() and not (folder / "sweep" / "figures").exists()
