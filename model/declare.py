"""Declaring parameters: a default, its bounds or choices, and where its value comes from."""

from __future__ import annotations

from dataclasses import field
from typing import Any


class ParameterError(ValueError):
    """A parameter is out of its declared bounds, not an allowed choice, or inconsistent with others."""


def param(default: Any, *, lo: float | None = None, hi: float | None = None, choices: tuple = (),
          shares: bool = False, source: str = "assumption") -> Any:
    """Declare a parameter with its default, bounds or choices, and where its value comes from.

    `shares=True` declares a mapping of shares: each in [0, 1], together summing to 1.
    """
    if shares:
        lo, hi = 0.0, 1.0
    meta = {"lo": lo, "hi": hi, "choices": choices, "shares": shares, "source": source}
    if isinstance(default, (dict, list)):
        return field(default_factory=lambda d=default: type(d)(d), metadata=meta)
    return field(default=default, metadata=meta)


def prob(default: float, source: str = "assumption") -> float:
    """A probability or share in [0, 1]."""
    return param(default, lo=0.0, hi=1.0, source=source)
