"""A sweep's jobs get the configs Hydra would compose, with each choice of config groups composed once and
each job's value overrides applied to a copy: in the up-front check (experiments.runs.composing.JobConfigs)
and in the processes that run the jobs (ComposeOnce, the checked sweeper's loader)."""

from __future__ import annotations

import hashlib
import importlib
import pickle
import shutil

import numpy as np
import pytest
from hydra import compose, initialize_config_dir
from hydra._internal.callbacks import Callbacks
from hydra._internal.config_loader_impl import ConfigLoaderImpl
from hydra.core.global_hydra import GlobalHydra
from hydra.types import HydraContext
from hydra.utils import get_class
from omegaconf import OmegaConf, ValidationError, open_dict

from experiments.api import compose as compose_run
from experiments.paths import CONF_DIR
from experiments.runs.composing import ComposeOnce, JobConfigs, job_config, kept
from experiments.runs.run import ADDED_LATER, NOT_RESULTS, config_identity, resolved_config
from experiments.runs.samples import sample_frame, write_sample_configs
from experiments.runs.schema import register
from experiments.runs.sweep import RunChecks
from hydra_plugins.community_trust_sweeper.checked_sweeper import SkipFinished

register()

JOBS = [
    ["policy=pep", "seed=3"],
    ["seed=4", "policy=pep"],                                     # the same choice, overrides in another order
    ["policy=secure_communities", "population.size=1234", "beliefs.fear_decay=0.2", "days=30"],
    ["city=cook_il", "history=cook_il", "population.size=2000"],
    ["+experiment=compare", "seed=1"],
    ["timeline=[{day: 3, policy: pep}]", "policy=decoupled"],      # a list value
    ["policy.name=renamed", "policy=pep"],                        # a value inside a chosen group
    ["+extra_key=5"],                                             # an appended key
    ["output={root: elsewhere, print_summary: false}"],           # a dict value
    ["~seed", "policy=pep"],                                      # a deletion
]
BAD = [["population.size=abc"], ["no_such_key=1"], ["policy=no_such_scenario"], ["~no_such_key"]]


@pytest.fixture
def master():
    with initialize_config_dir(config_dir=str(CONF_DIR), version_base="1.3"):
        yield compose("config", overrides=[], return_hydra_config=True)


@pytest.mark.parametrize("overrides", JOBS, ids=[" ".join(j) for j in JOBS])
def test_a_jobs_config_is_the_one_hydra_composes(master, overrides):
    configs = JobConfigs(master)
    configs(["policy=pep"])      # a composition kept from an earlier job must not leak into this one
    assert OmegaConf.to_yaml(configs(overrides), resolve=True) == OmegaConf.to_yaml(job_config(master, overrides),
                                                                                    resolve=True)


def test_jobs_that_choose_the_same_groups_share_one_composition(master):
    configs = JobConfigs(master)
    for seed in range(5):
        configs(["policy=pep", f"seed={seed}", f"population.size={1000 + seed}"])
    configs(["policy=decoupled", "seed=0"])
    assert len(configs.composed) == 2
    first, second = configs(["policy=pep", "seed=1"]), configs(["policy=pep", "seed=2"])
    assert first.seed == 1 and second.seed == 2        # copies, not the kept composition


SAMPLE_JOBS = [
    ["+sample=s0000", "seed=2"],
    ["+sample=s0001", "policy=pep", "reporting.trust_weight=2.5"],   # a value override over the sample's value
    ["+sample=with_defaults", "seed=1"],                          # not a plain layer: composed by Hydra
]


@pytest.fixture
def sample_master(tmp_path):
    """The run config with a `sample` group, as an analysis writes it (and one option with a defaults list)."""
    conf = tmp_path / "conf"
    shutil.copytree(CONF_DIR, conf)
    names = ["beliefs.fear_decay", "reporting.trust_weight"]
    write_sample_configs(sample_frame(np.array([[0.05, 1.5], [0.2, 0.7]]), names), conf)
    (conf / "sample" / "with_defaults.yaml").write_text("# @package _global_\ndefaults:\n  - _self_\n"
                                                        "days: 12\n")
    with initialize_config_dir(config_dir=str(conf), version_base="1.3"):
        yield compose("config", overrides=[], return_hydra_config=True)


@pytest.mark.parametrize("overrides", SAMPLE_JOBS, ids=[" ".join(j) for j in SAMPLE_JOBS])
def test_an_analysis_samples_config_is_the_one_hydra_composes(sample_master, overrides):
    configs = JobConfigs(sample_master)
    assert OmegaConf.to_yaml(configs(overrides)) == OmegaConf.to_yaml(job_config(sample_master, overrides))


def test_samples_share_one_composition(sample_master):
    configs = JobConfigs(sample_master)
    first, second = configs(["+sample=s0000"]), configs(["+sample=s0001"])
    assert len(configs.composed) == 1 and (first.beliefs.fear_decay, second.beliefs.fear_decay) == (0.05, 0.2)
    assert configs(["+sample=with_defaults"]).days == 12            # composed by Hydra, with its defaults list
    assert configs.layers["sample/with_defaults"] is None and len(configs.composed) == 2


def sweep_configs(master, overrides, loader=None):
    """Job `overrides`'s whole config (Hydra's node too) as a launcher gets it, from `loader` (default: Hydra's),
    with its flags (a job may not add keys to the config, and may set Hydra's)."""
    cfg = (loader or GlobalHydra.instance().config_loader()).load_sweep_config(master, overrides)
    flags = OmegaConf.is_struct(cfg), OmegaConf.is_readonly(cfg), OmegaConf.is_readonly(cfg.hydra)
    return OmegaConf.to_container(cfg, resolve=False), flags


@pytest.mark.parametrize("overrides", [*JOBS, ["hydra.job.name=other", "seed=2"]], ids=" ".join)
def test_the_sweepers_loader_gives_each_job_the_config_hydra_composes(master, overrides):
    loader = ComposeOnce(GlobalHydra.instance().config_loader())
    loader.load_sweep_config(master, ["policy=pep", "seed=9"])       # a kept composition must not leak
    assert sweep_configs(master, overrides, loader) == sweep_configs(master, overrides)
    again = pickle.loads(pickle.dumps(loader))                        # as a launcher sends it to a worker
    assert sweep_configs(master, overrides, again) == sweep_configs(master, overrides)


def test_the_sweepers_loader_composes_each_choice_of_groups_once(master, monkeypatch):
    loader, composed = ComposeOnce(GlobalHydra.instance().config_loader()), []
    hydra_composes = ConfigLoaderImpl.load_sweep_config
    monkeypatch.setattr(ConfigLoaderImpl, "load_sweep_config",
                        lambda self, m, o: composed.append(list(o)) or hydra_composes(self, m, o))
    for seed in range(3):
        for policy in ("pep", "decoupled"):
            cfg = loader.load_sweep_config(master, [f"policy={policy}", f"seed={seed}"])
            assert (cfg.seed, cfg.hydra.job.override_dirname) == (seed, f"policy={policy},seed={seed}")
    assert composed == [["policy=pep"], ["policy=decoupled"]]


@pytest.mark.parametrize("overrides", BAD, ids=[" ".join(j) for j in BAD])
def test_a_bad_override_fails_as_hydra_fails(master, overrides):
    with pytest.raises(Exception) as hydra_error:
        job_config(master, overrides)
    with pytest.raises(type(hydra_error.value)) as fast_error:
        JobConfigs(master)(overrides)
    assert str(fast_error.value) == str(hydra_error.value)
    with pytest.raises(type(hydra_error.value)) as loader_error:
        ComposeOnce(GlobalHydra.instance().config_loader()).load_sweep_config(master, overrides)
    assert str(loader_error.value) == str(hydra_error.value)


class Launcher:
    """A stand-in launcher that notes what it is asked to launch."""

    def __init__(self):
        self.launched = []

    def launch(self, job_overrides, initial_job_idx):
        self.launched.append((initial_job_idx, [list(job) for job in job_overrides]))
        return [f"job {initial_job_idx + i}" for i in range(len(job_overrides))]


def checked_sweeper(config, finished=()):
    """The default sweeper, set up as Hydra sets it up, with the callbacks of `config` (RunChecks having found
    `finished` jobs)."""
    sweeper_class = get_class(config.hydra.sweeper._target_)     # as Hydra finds it
    assert sweeper_class.__name__ == "CheckedSweeper"                # the default sweeper
    sweeper, callbacks = sweeper_class(max_batch_size=None), Callbacks(config)
    for callback in callbacks.callbacks:
        if isinstance(callback, RunChecks):
            callback.finished_jobs = {tuple(job) for job in finished}
    context = HydraContext(config_loader=GlobalHydra.instance().config_loader(), callbacks=callbacks)
    sweeper.setup(hydra_context=context, task_function=None, config=config)
    return sweeper


@pytest.mark.parametrize("with_checks", [True, False])
def test_the_sweeper_composes_a_batch_again_only_without_the_run_checks(master, with_checks, monkeypatch):
    config, composed = master.copy(), []
    if not with_checks:
        with open_dict(config.hydra):
            config.hydra.callbacks = {"compare": config.hydra.callbacks.compare}
    sweeper = checked_sweeper(config)
    assert isinstance(sweeper.hydra_context.config_loader, ComposeOnce)
    monkeypatch.setattr(ComposeOnce, "load_sweep_config",
                        lambda self, master_config, sweep_overrides: composed.append(sweep_overrides))
    sweeper.validate_batch_is_legal([["seed=0"], ["seed=1"]])
    assert len(composed) == (0 if with_checks else 2)


def test_the_up_front_check_and_the_launcher_share_each_choices_composition(master, monkeypatch):
    composed, hydra_composes = [], ConfigLoaderImpl.load_sweep_config
    monkeypatch.setattr(ConfigLoaderImpl, "load_sweep_config",
                        lambda self, m, o: composed.append(list(o)) or hydra_composes(self, m, o))
    sweeper = checked_sweeper(master.copy())
    check = JobConfigs(master)                                        # as RunChecks makes it, in the same process
    for policy in ("pep", "decoupled"):
        check([f"policy={policy}", "seed=0"])
    for seed in range(3):
        for policy in ("pep", "decoupled"):
            sweeper.hydra_context.config_loader.load_sweep_config(master, [f"policy={policy}", f"seed={seed}"])
    assert composed == [["policy=pep"], ["policy=decoupled"]]


def test_the_sweeper_launches_only_unfinished_jobs_with_their_numbers_in_the_sweep(master):
    batch = [[f"seed={i}"] for i in range(6)]
    sweeper = checked_sweeper(master.copy(), finished=[["seed=0"], ["seed=2"], ["seed=3"]])
    fake = sweeper.launcher.launcher = Launcher()
    returns = sweeper.launcher.launch(batch, initial_job_idx=10)
    assert fake.launched == [(11, [["seed=1"]]), (14, [["seed=4"], ["seed=5"]])]
    assert returns == ["job 11", "job 14", "job 15"]
    sweeper = checked_sweeper(master.copy())                          # nothing finished: the launcher itself
    assert not isinstance(sweeper.launcher, SkipFinished)


LONG_UNICODE_ROOT = "output.root='/tmp/résultats " + "très long " * 12 + "'"     # wrapped lines, non-ASCII text


@pytest.mark.parametrize("overrides", [[], ["history=maricopa_az"], ["timeline=[{day: 3, policy: pep}]"],
                                       ["city=los_angeles_ca", "history=los_angeles_ca"], ["city=cook_il"],
                                       ["city=harris_tx", "policy=287g_task_force"], [LONG_UNICODE_ROOT],
                                       ["+rule_params={CommitCrimes: {note: '1e3'}}"]])
def test_a_runs_identity_is_the_hash_of_its_config_as_omegaconf_writes_it(overrides):
    """Finished runs of earlier versions keep their identity (a resumed sweep skips them, not refuses them)."""
    cfg = compose_run(overrides)
    resolved = OmegaConf.to_container(cfg, resolve=True)
    del resolved["policy"]["scenario"]   # how the scenario is shown, not what it does (experiments.runs.scenarios)
    text = OmegaConf.to_yaml({k: v for k, v in resolved.items()
                              if k not in NOT_RESULTS and not (k in ADDED_LATER and v == ADDED_LATER[k])})
    assert config_identity(cfg) == hashlib.sha256(text.encode()).hexdigest()
    named = compose_run([*overrides, "scenario_name=mine"])
    assert config_identity(named) != config_identity(cfg)     # a name of one's own is part of the results
    relabelled = compose_run([*overrides, "policy.scenario.label=Another name", "policy.scenario.colour='#123456'"])
    assert config_identity(relabelled) == config_identity(cfg)
    assert resolved_config(cfg) == (OmegaConf.to_yaml(cfg, resolve=True), config_identity(cfg))  # its config.yaml


def test_a_kept_composition_survives_a_schema_class_its_module_has_replaced(tmp_path, monkeypatch):
    """In a launcher's worker, Hydra's plugin scan imports a plugin's module again: the config classes a
    composition holds are then no longer the ones the module offers, and plain pickle refuses them."""
    (tmp_path / "plugin_schema.py").write_text("from dataclasses import dataclass\n\n\n@dataclass\n"
                                               "class LauncherConf:\n    n_jobs: int = 2\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    module = importlib.import_module("plugin_schema")
    cfg = OmegaConf.create({"launcher": OmegaConf.structured(module.LauncherConf), "seed": 3})
    importlib.reload(module)                                          # the module now holds a new class
    with pytest.raises(pickle.PicklingError):
        pickle.dumps(cfg)
    copy = pickle.loads(kept(cfg))
    assert OmegaConf.to_container(copy) == {"launcher": {"n_jobs": 2}, "seed": 3}
    with pytest.raises(ValidationError):
        copy.launcher.n_jobs = "many"                                  # still typed by its schema
