"""Community trust under immigration-enforcement policies: the simulation model (no I/O, no Hydra).

`CommunityTrustModel` is imported on first use, so code that only reads or checks parameters does not pay
for importing Mesa.
"""

from model.declare import ParameterError
from model.memory import memory_estimate
from model.params import ModelParams, validate
from model.policy import Policy

__all__ = ["CommunityTrustModel", "ModelParams", "ParameterError", "Policy", "memory_estimate", "validate"]


def __getattr__(name: str):
    if name == "CommunityTrustModel":
        from model.model import CommunityTrustModel  # noqa: PLC0415  (lazy: Mesa only on first use)

        return CommunityTrustModel
    raise AttributeError(f"module 'model' has no attribute {name!r}")
