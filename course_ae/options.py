"""Option types and the parser class shared by ``python -m course_ae train`` and ``grade``.

Each is an ``argparse`` ``type=``: it returns the value, or raises
``argparse.ArgumentTypeError`` with what was expected and what was given, which argparse
prints as ``argument --NAME: expected ..., got ...`` (exit status 2).
"""

from __future__ import annotations

import argparse
from typing import NoReturn

SEED_MAX = 2**63 - 1
EXIT_USAGE = 2


class OneLineParser(argparse.ArgumentParser):
    """argparse, with its errors on one line (no usage block) and a pointer to --help."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def positive_int(text: str) -> int:
    """A whole number ≥ 1 (``--epochs``, ``--hidden``, ``--jobs``, ...)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number ≥ 1, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number ≥ 1, got {value}")
    return value


def seed(text: str) -> int:
    """A seed: a whole number from 0 to 2**63 − 1 (what NumPy and torch both accept)."""
    expected = f"expected a whole number from 0 to 2**63 - 1 = {SEED_MAX}"
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{expected}, got {text!r}") from None
    if not 0 <= value <= SEED_MAX:
        shown = text if len(text) <= 30 else f"a number of {len(text)} digits"
        raise argparse.ArgumentTypeError(f"{expected}, got {shown}")
    return value


def _number(text: str, what: str, bound: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected {what} {bound}, got {text!r}") from None


def nonnegative(text: str, what: str = "a number") -> float:
    """A finite number ≥ 0 (NaN and inf refused)."""
    value = _number(text, what, "≥ 0")
    if not value >= 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"expected a finite {what.removeprefix('a ')} ≥ 0, "
                                         f"got {text}")
    return value


def positive(text: str, what: str = "a number") -> float:
    """A finite number > 0 (NaN and inf refused)."""
    value = _number(text, what, "> 0")
    if value == 0:
        raise argparse.ArgumentTypeError(f"expected {what} > 0, got 0")
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"expected a finite {what.removeprefix('a ')} > 0, "
                                         f"got {text}")
    return value


def seconds(text: str) -> float:
    """A time limit: a finite number of seconds > 0."""
    return positive(text, "a number of seconds")


def fraction(text: str) -> float:
    """A number strictly between 0 and 1."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number in (0, 1), got {text!r}") from None
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(
            f"expected a number in (0, 1), both ends excluded, got {text}")
    return value
