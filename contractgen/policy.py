"""Policies shared by the generator and the runtime: extra columns, sensitive values, the day.

Like `formats`, a leaf that imports nothing of contractgen (and nothing heavy), so that the
runtime can use it without depending on the generator, and the command line without Polars.
"""

from __future__ import annotations

import datetime as dt
import os
from typing import Literal, get_args

# What a reader does with a column the contract does not list.
Unexpected = Literal["error", "drop", "keep"]
UNEXPECTED: tuple[Unexpected, ...] = get_args(Unexpected)

# What `anonymize(frame)` of a generated package does to a column (see docs/contract-format.md).
Treatment = Literal["hash", "mask", "drop"]
TREATMENTS: tuple[Treatment, ...] = get_args(Treatment)
# Classifications whose values are kept out of every message, like those of a pii field.
SENSITIVE_CLASSIFICATIONS = ("confidential", "restricted")


def unexpected_policy(value: object) -> Unexpected:
    """`value` if it is one of the extra-column policies; a ValueError naming them otherwise."""
    for policy in UNEXPECTED:
        if value == policy:
            return policy
    names = ", ".join(repr(p) for p in UNEXPECTED)
    raise ValueError(f"unexpected={value!r} is not a policy for extra columns; use one of {names}")


def today() -> dt.date:
    """The day rename windows and policies are judged on; CONTRACTGEN_TODAY=YYYY-MM-DD fixes it."""
    fixed = os.environ.get("CONTRACTGEN_TODAY")
    return dt.date.fromisoformat(fixed) if fixed else dt.date.today()
