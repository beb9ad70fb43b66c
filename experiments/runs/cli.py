"""Small helpers the commands share for their arguments."""

from __future__ import annotations

import argparse


def positive_int(text: str) -> int:
    """An argparse type: a whole number, 1 or more (argparse names the option in its message)."""
    return _whole(text, 1)


def non_negative_int(text: str) -> int:
    """An argparse type: a whole number, 0 or more."""
    return _whole(text, 0)


def _whole(text: str, least: int) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: give a whole number, {least} or more") from None
    if value < least:
        raise argparse.ArgumentTypeError(f"{text!r}: give a whole number, {least} or more")
    return value
