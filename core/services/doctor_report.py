"""The report `horizon doctor` and `GET /api/system/doctor` give: one entry per kind of derived
value (core/services/doctor.py), with counts and a few of the rows that differ."""

from __future__ import annotations

from collections.abc import Callable

from pydantic import BaseModel
from sqlalchemy.orm import Session

from core.settings import Settings

# How many drifted rows a report names (it counts them all).
EXAMPLES = 5
# A stored or derived value as a report shows it.
Value = float | int | str | None


class DriftExample(BaseModel):
    """One row whose stored value differs from the one derived from its sources."""

    id: str
    stored: dict[str, Value]
    derived: dict[str, Value]


class CheckOut(BaseModel):
    """One kind of derived value: how many rows were checked, how many differ, and a few of them.

    `repairable` kinds are fixed by `horizon doctor --repair`; the others are only reported, and
    `note` says what repairs them."""

    kind: str
    description: str
    checked: int
    drifted: int
    repaired: int = 0
    repairable: bool
    examples: list[DriftExample] = []
    note: str = ""


class DoctorOut(BaseModel):
    """Every check's outcome. `drifted` counts rows of repairable kinds still wrong after this
    run (0 after a repair); `waiting` counts report-only findings."""

    repair: bool
    drifted: int
    waiting: int
    checks: list[CheckOut]


Check = Callable[[Session, Settings, bool], CheckOut]
