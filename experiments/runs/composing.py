"""Composing the configs of a sweep's jobs without paying Hydra's full composition for each one.

Hydra composes a job's config from its config groups (the defaults list: every YAML file read again, merged
over the run schema), then applies its value overrides (`key=value`) to the result. Jobs of one sweep mostly
differ in values only (seeds, parameters), so the composition of their groups can be shared:

- `JobConfigs`, in the launching process, for the check of every job before the sweep starts; an appended
  layer of values (an analysis's sample, `+sample=...`) is merged over the shared composition too.
- `ComposeOnce`, the config loader the `checked` sweeper hands its launcher: in whichever process runs the
  jobs, each choice of groups is composed by Hydra once and each job's config is a copy with its values
  applied and its own record of overrides (`hydra.overrides.task`, `hydra.job.override_dirname`).

In the launching process the check composes through the sweeper's own ComposeOnce (`ComposeOnce.of`), so the basic
launcher's jobs start from the compositions the check made.

Both give what Hydra gives (tests/test_job_configs.py), errors included: composing takes about a tenth of a
second, the copy a few thousandths.
"""

from __future__ import annotations

import functools
import importlib
import io
import pickle
import sys
import threading
import uuid
import weakref
from collections.abc import Iterable

from hydra import compose as hydra_compose
from hydra import initialize_config_dir
from hydra._internal.config_loader_impl import ConfigLoaderImpl, get_overrides_dirname
from hydra.core.global_hydra import GlobalHydra
from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.core.override_parser.types import Override
from hydra.errors import HydraException
from omegaconf import DictConfig, OmegaConf, open_dict, read_write
from omegaconf.errors import OmegaConfBaseException

from experiments.paths import CONF_DIR
from experiments.runs.config import composition_problem
from experiments.runs.schema import register
from model import ParameterError


def is_value(override: Override, repository) -> bool:
    """Hydra's own test (hydra._internal.defaults_list.Overrides) of a value override, applied after composing:
    a dict, or a key that is no config group. Overrides of Hydra's settings are composed with the groups."""
    key = override.key_or_group
    if key.startswith("hydra"):
        return False
    return isinstance(override.value(), dict) or not repository.group_exists(key)


def job_config(config: DictConfig, overrides: list[str], loader: ConfigLoaderImpl | None = None) -> DictConfig:
    """The config the job with `overrides` will run, without its `hydra` node, composed by `loader` (default:
    Hydra's own)."""
    cfg = (loader or GlobalHydra.instance().config_loader()).load_sweep_config(config, overrides)
    with read_write(cfg), open_dict(cfg):
        del cfg["hydra"]
    return cfg


class JobConfigs:
    """Each job's config, as `job_config` gives it, for the jobs of one sweep: the config groups a job chooses
    are composed by Hydra once per choice; an appended layer of values (an analysis's sample) is merged over a
    copy, and the job's value overrides are applied by Hydra's own code, as Hydra applies them after
    composing. So a sweep of many values, samples or seeds is checked in seconds."""

    def __init__(self, config: DictConfig, loader: ComposeOnce | None = None):
        self.config = config
        self.loader = loader or ComposeOnce.of(GlobalHydra.instance().config_loader())   # may be shared
        self.parser = OverridesParser.create(config_loader=self.loader)
        self.repository = self.loader.repository
        self.composed: dict[tuple[str, ...], bytes] = {}
        self.layers: dict[str, DictConfig | None] = {}
        self.fast = not config.hydra.searchpath   # a search path set in the config changes which groups exist

    def __call__(self, overrides: list[str]) -> DictConfig:
        if not self.fast:
            return job_config(self.config, overrides)
        values, layers, choices = [], [], []
        for override in self.parser.parse_overrides(overrides):
            if is_value(override, self.repository):
                values.append(override)
            elif (layer := self._layer(override)) is not None:
                layers.append(layer)
            else:
                choices.append(override.input_line)
        groups = tuple(choices)
        if groups not in self.composed:
            self.composed[groups] = kept(job_config(self.config, list(groups), self.loader))
        cfg = pickle.loads(self.composed[groups])
        for layer in layers:
            cfg.merge_with(layer)
        ConfigLoaderImpl._apply_overrides_to_config(values, cfg)
        return cfg

    def _layer(self, override: Override) -> DictConfig | None:
        """An appended option (`+group=option`) that is a plain layer of values: a `_global_` config without a
        defaults list or Hydra settings (as an analysis's samples are). Hydra appends it after the primary
        config, so it is merged over the composition of the other choices. None for any other override."""
        if not override.is_add() or not isinstance(override.value(), str):
            return None
        path = f"{override.key_or_group}/{override.value()}"
        if path not in self.layers:
            loaded = self.repository.load_config(path)
            plain = (loaded is not None and loaded.header.get("package") == "_global_" and not loaded.defaults_list
                     and "hydra" not in loaded.config)
            self.layers[path] = loaded.config if plain else None
        return self.layers[path]


_COMPOSED: dict[tuple, bytes] = {}   # in each process that runs jobs: (sweep, its master, choices) -> composition
_MADE_FROM: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()   # Hydra's loader -> its ComposeOnce


def kept(cfg: DictConfig) -> bytes:
    """A composition kept to be copied for each job: pickled, as a copy from it takes a third of the time a
    deep copy of the config does."""
    out = io.BytesIO()
    _ClassesByName(out, protocol=pickle.HIGHEST_PROTOCOL).dump(cfg)
    return out.getvalue()


class _ClassesByName(pickle.Pickler):
    """A pickler that refers to a class its module no longer holds by its module and name. In a launcher's
    worker, Hydra's plugin scan imports a plugin's module again after the plugin's config classes were
    registered, so a composition holds classes (the launcher's config schema) its module has replaced with
    new ones of the same definition; pickle refuses those."""

    def reducer_override(self, obj):
        if isinstance(obj, type) and getattr(sys.modules.get(obj.__module__), obj.__qualname__, obj) is not obj:
            return _class_named, (obj.__module__, obj.__qualname__)
        return NotImplemented


def _class_named(module: str, qualname: str) -> type:
    return functools.reduce(getattr, qualname.split("."), importlib.import_module(module))


class ComposeOnce(ConfigLoaderImpl):
    """Hydra's config loader, but a job's config groups are composed once per process and choice of groups
    (`load_sweep_config`, which the launchers call for every job, in the process that runs it).

    Made from the sweep's own loader in the launching process and sent with the jobs to their workers; the
    compositions it keeps there are keyed by this sweep. With a search path set in the config (which changes
    which groups exist), every job is composed by Hydra."""

    def __init__(self, loader: ConfigLoaderImpl):
        super().__init__(config_search_path=loader.config_search_path)
        self.sweep = uuid.uuid4().hex

    @classmethod
    def of(cls, loader: ConfigLoaderImpl) -> ComposeOnce:
        """The one ComposeOnce made from Hydra's `loader` in this process, so that a sweep's up-front check and
        its launcher share each choice's composition (made once, not once by each: about a third of a second
        for each choice of groups)."""
        if isinstance(loader, ComposeOnce):
            return loader
        if loader not in _MADE_FROM:
            _MADE_FROM[loader] = cls(loader)
        return _MADE_FROM[loader]

    def load_sweep_config(self, master_config: DictConfig, sweep_overrides: list[str]) -> DictConfig:
        if master_config.hydra.searchpath:
            return super().load_sweep_config(master_config, sweep_overrides)
        parsed = OverridesParser.create(config_loader=self).parse_overrides(list(sweep_overrides))
        value = [is_value(o, self.repository) for o in parsed]
        choices = tuple(o.input_line for o, v in zip(parsed, value) if not v)
        master = master_config.hydra.job.config_name, tuple(OmegaConf.to_container(master_config.hydra.overrides.hydra))
        key = (self.sweep, master, choices)   # (the overrides unresolved: they may name ${hydra:job.num})
        if key not in _COMPOSED:
            _COMPOSED[key] = kept(super().load_sweep_config(master_config, list(choices)))
        cfg = pickle.loads(_COMPOSED[key])
        ConfigLoaderImpl._apply_overrides_to_config([o for o, v in zip(parsed, value) if v], cfg)
        task = [o for o in parsed if not o.is_hydra_override()]
        job = cfg.hydra.job
        with open_dict(cfg.hydra):
            cfg.hydra.overrides.task = [o.input_line for o in task]
            job.override_dirname = get_overrides_dirname(
                overrides=task, kv_sep=job.config.override_dirname.kv_sep,
                item_sep=job.config.override_dirname.item_sep, exclude_keys=job.config.override_dirname.exclude_keys)
        OmegaConf.copy_cache(from_config=master_config, to_config=cfg)
        return cfg


_HYDRA = threading.Lock()   # Hydra's global state admits one composition at a time (the page composes in threads)


def compose(overrides: Iterable[str] = ()) -> DictConfig:
    """The run config that `python -m experiments.run <overrides>` would compose."""
    register()
    overrides = list(overrides)
    with _HYDRA:
        try:
            with initialize_config_dir(config_dir=str(CONF_DIR), version_base="1.3"):
                return hydra_compose(config_name="config", overrides=overrides)
        except (HydraException, OmegaConfBaseException) as err:
            raise ParameterError(composition_problem(err)) from None
