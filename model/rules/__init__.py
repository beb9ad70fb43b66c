"""Daily rules: each a small named class with one `step(day)` over the whole model.

A rule is listed by its dotted class path in `ModelParams.rules`, in the order the day runs them.
To add or replace one, write a subclass of `Rule` and put its path in the list (conf/config.yaml).
Each rule draws from its own random stream, so adding one does not change the draws of the others.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from model.declare import ParameterError

if TYPE_CHECKING:
    from model.model import CommunityTrustModel


class Rule:
    """One daily process of the model. Subclasses implement `step(day)`."""

    def __init__(self, model: CommunityTrustModel):
        self.model = model
        self.rng = model.stream(type(self).__name__)

    def step(self, day: int) -> None:
        """Apply the rule for one day (0-based)."""
        raise NotImplementedError


def load_rule(path: str) -> type[Rule]:
    """Import a rule class from its dotted path, e.g. 'model.rules.crime.CommitCrimes'."""
    module_name, _, class_name = path.rpartition(".")
    try:
        cls = getattr(importlib.import_module(module_name), class_name)
    except (ImportError, AttributeError, ValueError) as err:
        raise ParameterError(f"rules: cannot load {path!r} ({err}); give the dotted path of a Rule class.") from None
    if not (isinstance(cls, type) and issubclass(cls, Rule)):
        raise ParameterError(f"rules: {path!r} is not a subclass of model.rules.Rule.")
    return cls
