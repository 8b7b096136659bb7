"""Is a new score plausible next to the student's recent ones? (A typo guard, not a rule.)

A score is *implausible* when it lies outside the range of the student's last 3 scores on the
measure by more than a margin:

    scale  = max(median of the last 3, FLOOR × the measure's span)
    margin = jump × scale, at least BEHAVIOUR_BAND × span for a behaviour measure,
             and at least one step of the measure's precision

``jump`` is ``DecisionConfig.plausibility_jump`` (default 0.5: half the recent median).

* The floor (``FLOOR`` = 10 % of the span) keeps a low-scoring student from being nagged by a
  tiny absolute change: on math computation (0–150) the scale is at least 15, so after 14, 15,
  13 the margin is 7.5 — 16 passes, 2 asks ("2 is far below Aiyana's last scores (13–15)").
* Behaviour ratings and point cards vary a lot from day to day (DOMAIN.md: judged on level,
  trend *and variability*), so their margin is at least ``BEHAVIOUR_BAND`` (30 %) of the span:
  3 points on a 0–10 DBR, 30 on a 0–100 % CICO card.
* ORF after 60, 62, 64: margin 31, so anything from 29 to 95 passes and 140 asks.

Fewer than 3 earlier scores say too little about what is typical: no warning then. This module
is pure (no I/O, no UI): the score entry screen asks before saving, ``intervene add-score``
saves and prints the warning.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence

from store.model import Measure

RECENT = 3  # how many of the latest scores describe "recent"
FLOOR = 0.10  # the scale is at least this fraction of the measure's span
BEHAVIOUR_BAND = 0.30  # a behaviour measure's margin is at least this fraction of the span


def plausibility_warning(
    measure: Measure,
    value: float,
    recent_values: Sequence[float],
    student_name: str,
    jump: float = 0.5,
) -> str | None:
    """A sentence such as "2 is far below Aiyana's last scores (13–15)", or None when
    ``value`` is plausible. ``recent_values`` are the student's earlier scores on ``measure``,
    oldest first (the last :data:`RECENT` are used)."""
    recent = [float(v) for v in recent_values][-RECENT:]
    if len(recent) < RECENT:
        return None
    lo, hi = min(recent), max(recent)
    span = max(measure.max - measure.min, 0.0)
    scale = max(statistics.median(recent), FLOOR * span)
    margin = jump * scale
    if measure.behaviour:
        margin = max(margin, BEHAVIOUR_BAND * span)
    margin = max(margin, 10.0 ** (-measure.decimals))
    if lo - margin <= value <= hi + margin:
        return None
    where = "below" if value < lo else "above"
    shown = measure.format(lo) if lo == hi else f"{measure.format(lo)}–{measure.format(hi)}"
    whose = f"{student_name}'" if student_name.endswith("s") else f"{student_name}'s"
    return f"{measure.format(value)} is far {where} {whose} last scores ({shown})"
