"""Run one simulation (or a Hydra multirun of them) from the command line.

    python -m experiments.run                                  # the default run
    python -m experiments.run population.size=20000 policy=secure_communities seed=3
    python -m experiments.run -m policy=decoupled,secure_communities seed=0,1,2

Each run writes daily.parquet, summary.parquet, config.yaml and run.json to its folder under results/
(run.json last, with every file's size and checksum: a folder without a valid one is not a finished run)
and prints a short summary. SIGTERM or SIGHUP stops a sweep as Ctrl-C does: its worker processes are shut
down and finished runs are kept (run the same command again to resume).
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import os
import shutil
import signal
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import hydra
import yaml
from hydra.core.hydra_config import HydraConfig
from hydra.types import RunMode
from omegaconf import DictConfig, OmegaConf
from omegaconf._utils import get_omega_conf_dumper

from experiments.paths import CONF_DIR
from experiments.runs.composing import compose
from experiments.runs.config import check_yaml_files, scenario_name, to_model_params, with_dates
from experiments.runs.runfolder import claim, inspect_run, set_aside, write_run
from experiments.runs.schema import register
from experiments.runs.summary import format_summary
from experiments.runs.tables import git_commit, machine, to_arrow, versions
from model import ModelParams, ParameterError, compiled, memory_estimate
from model.memory import days_memory, residents_memory
from model.rules.belief_kernel import choose_kernel

register()


class RunConflict(RuntimeError):
    """A run folder already holds a finished run of a different configuration."""


HYDRA_ONLY = {".hydra", "run.log"}   # what Hydra writes into a run folder before the job starts
SWEEP_PARENT = "COMMUNITY_TRUST_SWEEP_PARENT"   # pid of the process that launched the sweep's workers
LAUNCHER_EXTRAS = {"ray_cluster": ("hydra_plugins.hydra_ray_launcher", "ray"),
                   "slurm": ("hydra_plugins.hydra_submitit_launcher", "slurm"),
                   "local_processes": ("hydra_plugins.hydra_submitit_launcher", "slurm")}


# run-config sections that change where results go, how they are priced or computed, not the results
NOT_RESULTS = {"output", "costs", "kernel"}
# sections added after runs were first written, left out of the identity at their default, so that a sweep's
# finished runs from before keep their identity and are not done again
ADDED_LATER = {"scenario_name": "", "rule_changes": {"after": {}, "before": {}, "replace": {}, "remove": []}}


def config_identity(cfg: DictConfig) -> str:
    """A hash of everything that determines a run's results: the resolved config but NOT_RESULTS, as the YAML
    text `OmegaConf.to_yaml` gives (dumped as it dumps, without building a config of the values again)."""
    return resolved_config(cfg)[1]


def _fast_omegaconf_dumper() -> type:
    """OmegaConf's YAML dumper (it quotes strings that would read back as numbers or booleans) on libyaml's
    emitter where PyYAML has one: the same text (tested against `OmegaConf.to_yaml`) in a third of the time."""
    if not yaml.__with_libyaml__:
        return get_omega_conf_dumper()
    dumper = type("OmegaConfCDumper", (yaml.CDumper,), {})
    dumper.add_representer(str, get_omega_conf_dumper().str_representer)
    return dumper


CONFIG_DUMPER = _fast_omegaconf_dumper()


def resolved_config(cfg: DictConfig) -> tuple[str, str]:
    """The run's config.yaml (`OmegaConf.to_yaml(cfg, resolve=True)`) and its `config_identity`, from one
    dump: each top-level section is dumped on its own, and a mapping's YAML is its sections' texts in order."""
    resolved = OmegaConf.to_container(cfg, resolve=True, enum_to_str=True)
    sections = {k: _dump({k: v}) for k, v in resolved.items()}
    levers = {k: v for k, v in resolved["policy"].items() if k != "scenario"}   # how it is shown: not a result
    kept = [_dump({k: levers}) if k == "policy" else t for k, t in sections.items()
            if k not in NOT_RESULTS and not (k in ADDED_LATER and resolved[k] == ADDED_LATER[k])]
    identity = hashlib.sha256("".join(kept).encode()).hexdigest()
    return "".join(sections.values()), identity


def _dump(section: dict) -> str:
    return yaml.dump(section, Dumper=CONFIG_DUMPER, default_flow_style=False, allow_unicode=True, sort_keys=False)


def check_run(cfg: DictConfig) -> tuple[ModelParams, int]:
    """Everything a run checks before it builds the model: the parameters, and that the machine has the
    memory for it. Returns the model parameters and the seed; raises ParameterError."""
    params, seed = to_model_params(cfg)
    choose_kernel(cfg.kernel, params.population.size)
    needed, available = memory_estimate(params, cfg.mesa_agents), available_memory()
    if available and needed > available:
        saving = memory_estimate(params, True) - memory_estimate(params, False) if cfg.mesa_agents else 0
        hint = f", mesa_agents=false (saves about {saving / 2**30:.1f} GiB)" if saving else ""
        if days_memory(params) > residents_memory(params, cfg.mesa_agents):
            field, remedy = f"days = {params.days:,}", "use fewer days (a history: an earlier history.until)"
        else:
            field, remedy = f"population.size = {params.population.size:,}", f"use a smaller population.size{hint}"
        raise ParameterError(
            f"{field}: this run needs about {needed / 2**30:.1f} GiB of memory and this machine has "
            f"{available / 2**30:.1f} GiB available; {remedy}, or a machine with more memory.")
    return params, seed


def available_memory() -> int:
    """Bytes of memory available to a new process (MemAvailable on Linux; 0 if unknown)."""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def run(cfg: DictConfig, folder: Path, overrides: list[str] | None = None) -> dict | None:
    """Build the model from `cfg`, run it, write its run folder, and return its tables (as Arrow).

    The folder is claimed first: if another live process is computing it, nothing is done here. If it
    already holds a finished run of the same configuration (a resumed sweep), nothing is redone; if it
    holds one of a different configuration, RunConflict is raised; a damaged run is set aside and
    recomputed. Returns None when nothing was computed.
    """
    params, seed = check_run(cfg)
    config_yaml, identity = resolved_config(cfg)
    with claim(folder) as held:
        if not held.mine:
            print(f"Being run by another process ({held.owner}), skipped here: {folder}")
            return None
        state = inspect_run(folder)
        if state.holds(identity):
            print(f"Already finished, skipped: {folder}")
            return None
        if state.complete:
            raise RunConflict(f"{folder} holds a finished run of a different configuration; it was left as it "
                              "is. Give this run another folder (e.g. hydra.sweep.dir=... or hydra.run.dir=...).")
        if state.damaged:
            kept = set_aside(folder)
            print(f"Damaged run ({state.problem}); its run.json was kept as {kept.name} and the run is done "
                  f"again: {folder}", file=sys.stderr)
        tables, meta = _simulate(cfg, params, seed, identity, overrides)
        write_run(folder, tables, config_yaml, meta)
    if cfg.output.print_summary:
        print(format_summary(tables["summary"], f"{cfg.city.name}, {params.policy.name}, seed {seed}, "
                             f"{meta['residents']:,} residents, {params.days} days -> {folder}"))
    return tables


def worker_share_of_cores() -> int | None:
    """In a job of a joblib sweep: the cores each of its parallel workers may use (at least one), so that the
    runs' compiled passes do not ask for more threads than the machine has; None for any other run."""
    if not HydraConfig.initialized() or HydraConfig.get().mode != RunMode.MULTIRUN:
        return None
    n_jobs = HydraConfig.get().launcher.get("n_jobs")
    if n_jobs is None:
        return None
    from joblib import effective_n_jobs  # noqa: PLC0415  (a third of a second to import: sweeps' jobs only)

    cores = os.cpu_count() or 1
    return max(1, cores // min(cores, effective_n_jobs(n_jobs)))


def execute(cfg: DictConfig, params: ModelParams, seed: int):
    """Build and run the model: its tables as Arrow (led by the run's city, policy and seed; a history's daily
    table also by date), the model, and the seconds taken to build it and to build and run it."""
    from model import CommunityTrustModel  # noqa: PLC0415  (Mesa is imported only for a run that goes ahead)

    if choose_kernel(cfg.kernel, params.population.size) == "numba" and (share := worker_share_of_cores()):
        compiled.use_threads(share)
    clock = time.perf_counter()
    model = CommunityTrustModel(params, rng=seed, create_agents=cfg.mesa_agents, kernel=cfg.kernel)
    built = time.perf_counter() - clock
    model.run()
    elapsed = time.perf_counter() - clock
    ids = {"city": cfg.city.name, "policy": scenario_name(cfg, params), "seed": seed}
    results = model.tables()
    if cfg.history.name:
        results["daily"] = with_dates(results["daily"], OmegaConf.to_object(cfg.history))
    return {name: to_arrow(columns, ids) for name, columns in results.items()}, model, (built, elapsed)


def _simulate(cfg: DictConfig, params: ModelParams, seed: int, identity: str,
              overrides: list[str] | None) -> tuple[dict, dict]:
    """Run the model: its tables as Arrow, and the run's metadata."""
    started = datetime.now(UTC)
    tables, model, (built, elapsed) = execute(cfg, params, seed)
    meta = {
        "city": cfg.city.name,
        "policy": tables["summary"]["policy"][0].as_py(),
        "seed": seed,
        "overrides": overrides or [],
        "config_sha256": identity,
        "timeline": [{"day": s.day, "policy": s.policy.name} for s in params.timeline],
        "scenario": _recorded_look(cfg, params),
        "residents": len(model.residents),
        "days": params.days,
        "started": started.isoformat(),
        "build_seconds": round(built, 3),
        "elapsed_seconds": round(elapsed, 3),
        "resident_days_per_second": round(len(model.residents) * params.days / max(elapsed - built, 1e-9)),
        "kernel": model.kernel,
        "threads": compiled.threads() if model.kernel == "numba" else 1,
        "git_commit": git_commit(),
        "versions": versions(),
        "machine": machine(),
    }
    return tables, meta


def _recorded_look(cfg: DictConfig, params: ModelParams) -> dict:
    """How the run's scenario is shown (its file's `scenario:` block), for tables read where that file is not;
    a timeline or a history is its own scenario, with no look of its own."""
    if params.timeline or cfg.get("scenario_name"):
        return {}
    return OmegaConf.to_container(cfg.policy.scenario)


@hydra.main(version_base="1.3", config_path=str(CONF_DIR), config_name="config")
def hydra_job(cfg: DictConfig) -> None:
    """One job of a run or a multirun (Hydra calls it with the composed config)."""
    logging.getLogger("MESA").setLevel(logging.WARNING)
    watch_sweep_parent()
    folder = Path(HydraConfig.get().runtime.output_dir)
    try:
        run(cfg, folder, list(HydraConfig.get().overrides.task))
    except RunConflict as err:
        fail(3, f"Not run: {err}")
    except ParameterError as err:
        if {p.name for p in folder.iterdir()} <= HYDRA_ONLY:   # made for this attempt: nothing else to keep
            shutil.rmtree(folder, ignore_errors=True)
        fail(2, f"Invalid configuration: {err}\nNothing was written. See README.md, 'Bad input'.")
    except OSError as err:
        where = err.filename or folder
        fail(4, f"Cannot write {where}: {err.strerror or err}. Nothing of this run was published (its folder "
                f"holds no run.json, so it never counts as finished); free space or choose another output.root "
                f"and run the command again.")


def fail(code: int, message: str) -> None:
    print(message, file=sys.stderr)
    sys.exit(code)


def watch_sweep_parent() -> None:
    """In a sweep's worker process: exit when the process that launched the sweep is gone (even SIGKILLed),
    so no worker is left behind; called as a job begins, it exits at once if that process is already gone. The
    run in progress is dropped as a kill would drop it: nothing of it is
    published, its claim dies with the process, and the next holder of the claim removes its staging folder.
    (Unwinding the run politely is not an option: a worker whose parent is gone hangs on its way out.)"""
    parent = os.environ.get(SWEEP_PARENT)
    if not parent or os.getpid() == int(parent) or _watching.is_set():
        return
    if os.getppid() != int(parent):
        if not _alive(int(parent)):   # the sweep was gone before this job began: do not begin it
            os._exit(1)
        return                        # a process one of the workers started: not the sweep's worker
    _watching.set()

    def watch() -> None:
        while os.getppid() == int(parent):
            time.sleep(1.0)
        os._exit(1)

    threading.Thread(target=watch, name="sweep-parent-watch", daemon=True).start()


_watching = threading.Event()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:   # there, but another user's
        return True
    return True


def _interrupt(signum: int, frame) -> None:
    raise KeyboardInterrupt(signal.Signals(signum).name)


def check_launcher_installed(argv: list[str]) -> None:
    """A launcher from an optional extra must be installed before Hydra looks for it."""
    for arg in argv:
        name = arg.partition("hydra/launcher=")[2]
        module, extra = LAUNCHER_EXTRAS.get(name, (None, None))
        if module and importlib.util.find_spec(module) is None:
            fail(2, f"hydra/launcher={name} needs an optional extra: run  pip install -e \".[{extra}]\"  "
                    "(in the project's .venv) and try again.")


def extra_config_dirs(argv: list[str]) -> list[Path]:
    """Config folders added on the command line with --config-dir/-cd (Hydra reads their YAML too)."""
    dirs = []
    for i, arg in enumerate(argv):
        if arg in ("--config-dir", "-cd") and i + 1 < len(argv):
            dirs.append(Path(argv[i + 1]))
        elif arg.startswith("--config-dir="):
            dirs.append(Path(arg.partition("=")[2]))
    return [d for d in dirs if d.is_dir()]


HYDRA_FLAGS = ("-h", "--help", "--hydra-help", "-i", "--info", "-c", "--cfg", "--resolve", "-p", "--package",
               "-sc", "--shell-completion", "-cd", "--config-dir", "-cp", "--config-path", "-cn", "--config-name",
               "--experimental-rerun")


def check_composes(argv: list[str]) -> None:
    """Compose the run's config from the command line's overrides (for a multirun, those that do not sweep; the
    sweep checks each job) before Hydra does, so that a wrong type or an unknown name is one line and exit 2, as
    for any bad input, not Hydra's many lines and exit 1. Left to Hydra when a Hydra flag (--cfg, --config-dir,
    ...) changes what it composes or does."""
    from hydra.core.override_parser.overrides_parser import OverridesParser  # noqa: PLC0415


    if any(arg.split("=")[0] in HYDRA_FLAGS for arg in argv):
        return
    overrides = [a for a in argv if not a.startswith("-") and not a.lstrip("+~").startswith(("hydra.", "hydra/"))]
    if "-m" in argv or "--multirun" in argv:
        try:
            parsed = OverridesParser.create().parse_overrides(overrides)
        except Exception:   # Hydra's own message, when it parses them itself
            return
        overrides = [o.input_line for o in parsed if not o.is_sweep_override()]
    compose(overrides)


def main() -> None:
    """The command: `python -m experiments.run [-m] [overrides]` (also installed as `community-trust`)."""
    check_launcher_installed(sys.argv[1:])
    try:
        for folder in [CONF_DIR, *extra_config_dirs(sys.argv[1:])]:
            check_yaml_files(folder)
        check_composes(sys.argv[1:])
    except ParameterError as err:
        fail(2, f"Invalid configuration: {err}\nNothing was run. See README.md, 'Bad input'.")
    os.environ.setdefault(SWEEP_PARENT, str(os.getpid()))
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _interrupt)
    try:
        hydra_job()
    except KeyboardInterrupt as stop:
        name = str(stop) or "SIGINT"
        print(f"\nStopped ({name}): finished runs are kept, and any run in progress was not published. "
              "Run the same command again to resume.", file=sys.stderr)
        sys.exit(128 + getattr(signal.Signals, name, signal.SIGINT).value)


if __name__ == "__main__":
    # The importable module's main, not this __main__ copy: launchers then send the job function to worker
    # processes by reference instead of pickling it, and its module state, by value.
    from experiments.runs.run import main as entry_point

    entry_point()
