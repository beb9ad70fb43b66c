"""Configs from Python: the same Hydra composition, schema and checks as the command line.

    from experiments.api import compose, model_params
    cfg = compose(["policy=secure_communities", "population.size=20000"])
    params, seed = model_params(["city=maricopa_az", "history=maricopa_az"])

Bad overrides raise `ParameterError` with the command line's messages.
"""

from __future__ import annotations

import threading

from hydra import compose as hydra_compose
from hydra import initialize_config_dir
from hydra.errors import HydraException
from omegaconf import DictConfig
from omegaconf.errors import OmegaConfBaseException

from experiments.schema import CONF_DIR, register, to_model_params
from model import ModelParams, ParameterError

_HYDRA = threading.Lock()   # Hydra's global state admits one composition at a time (the page composes in threads)


def compose(overrides: list[str] | tuple[str, ...] = ()) -> DictConfig:
    """The run config that `python -m experiments.run <overrides>` would compose."""
    register()
    with _HYDRA:
        try:
            with initialize_config_dir(config_dir=str(CONF_DIR), version_base="1.3"):
                return hydra_compose(config_name="config", overrides=list(overrides))
        except (HydraException, OmegaConfBaseException) as err:
            raise ParameterError(f"{' '.join(overrides)}: {err}") from None


def model_params(overrides: list[str] | tuple[str, ...] = ()) -> tuple[ModelParams, int]:
    """The model's parameters and the seed for these overrides, checked as the command line checks them."""
    return to_model_params(compose(overrides))
