"""Community trust under immigration-enforcement policies: the simulation model (no I/O, no Hydra)."""

from model.declare import ParameterError
from model.model import CommunityTrustModel
from model.params import ModelParams, validate
from model.policy import Policy

__all__ = ["CommunityTrustModel", "ModelParams", "ParameterError", "Policy", "validate"]
