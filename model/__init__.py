"""Community trust under immigration-enforcement policies: the simulation model (no I/O, no Hydra)."""

from model.declare import ParameterError
from model.model import CommunityTrustModel, memory_estimate
from model.params import ModelParams, validate
from model.policy import Policy

__all__ = ["CommunityTrustModel", "ModelParams", "ParameterError", "Policy", "memory_estimate", "validate"]
