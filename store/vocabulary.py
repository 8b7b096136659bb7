"""The decision and status words, written once (every screen, report and command uses these).

A decision *kind* is what the engine (:func:`store.progress.decide`) concludes for one student
on one measure; an overdue probe is a flag beside it, not a kind. Sources for each kind are in
``store/progress.py``; this module only names them and ranks them.

* ``label`` — the words a teacher reads ("change the intervention"), at most 24 characters
  (Today's attention column); the decision's reason says the rest ("goal met — … set a new
  goal", "goal date … passed — goal not met").
* ``short`` — the same in a table column (≤ 16 characters).
* ``counted`` — the phrase after a count in a summary line ("5 to change").
* ``tone`` — a style key the widgets map to colours and text marks: ``bad`` (act now),
  ``warn`` (check delivery before judging), ``info`` (a goal to revisit), ``good``, ``muted``.
* ``urgency`` — sort rank, most urgent first.
* ``needs_decision`` — a person should look and decide (the one definition every screen, the
  meeting packet and ``intervene caseload`` share).
"""

from __future__ import annotations

from typing import Literal, NamedTuple

DecisionKind = Literal[
    "change",
    "questionable-response",
    "goal-missed",
    "low-dosage",
    "low-fidelity",
    "not-logged",
    "goal-met",
    "raise-goal",
    "continue",
    "insufficient-data",
]
Tone = Literal["bad", "warn", "info", "good", "muted"]


class KindWords(NamedTuple):
    label: str
    short: str
    counted: str
    tone: Tone
    urgency: int
    needs_decision: bool


# Most urgent first. An overdue probe ranks between the delivery checks and the goal reviews.
KINDS: dict[str, KindWords] = {
    "change": KindWords("change the intervention", "change", "to change", "bad", 0, True),
    "questionable-response": KindWords(
        "questionable response", "questionable", "questionable response", "bad", 1, True
    ),
    "goal-missed": KindWords("goal not met", "goal missed", "goal missed", "bad", 2, True),
    "low-dosage": KindWords("low dosage", "low dosage", "low dosage", "warn", 3, True),
    "low-fidelity": KindWords("low fidelity", "low fidelity", "low fidelity", "warn", 4, True),
    "not-logged": KindWords(
        "sessions not logged", "not logged", "sessions not logged", "warn", 5, True
    ),
    "goal-met": KindWords("goal met", "goal met", "goal met", "info", 7, True),
    "raise-goal": KindWords("raise the goal", "raise goal", "to raise the goal", "info", 8, True),
    "continue": KindWords("continue", "continue", "to continue", "good", 9, False),
    "insufficient-data": KindWords(
        "insufficient data", "too few scores", "with too few scores", "muted", 10, False
    ),
}
OVERDUE = KindWords("probe overdue", "probe overdue", "probes overdue", "warn", 6, True)
OVERDUE_URGENCY = OVERDUE.urgency

STATUS_LABELS: dict[str, str] = {
    "above": "above",
    "near": "on track",
    "below": "below",
    "insufficient": "insufficient data",
}


def words(kind: str) -> KindWords:
    """The words for a decision kind (an unknown kind reads as itself, muted)."""
    return KINDS.get(kind) or KindWords(kind, kind[:16], kind, "muted", 99, False)


def needs_decision(kind: str) -> bool:
    """True for the kinds a person must look at (see the module docstring)."""
    return words(kind).needs_decision


def urgency(kind: str, *, overdue: bool = False) -> int:
    """Sort rank of a decision kind; an overdue probe raises a calmer row to its own rank."""
    rank = words(kind).urgency
    return min(rank, OVERDUE_URGENCY) if overdue else rank
