"""Small words the reports share: dates, rates, percentages and a row's decision."""

from __future__ import annotations

from datetime import date

from store.caseload import CaseloadRow
from store.model import fmt_number
from store.vocabulary import KINDS as VOCABULARY
from tui.tones import decision_words

# The words come from store.vocabulary (the same on every screen and in `intervene caseload`).
SHORT_DECISIONS: dict[str, str] = {kind: w.short for kind, w in VOCABULARY.items()}
DECISION_WORDS: dict[str, str] = {kind: w.label for kind, w in VOCABULARY.items()}


def _day(d: date) -> str:
    return f"{d:%b} {d.day}, {d.year}"


def _long_day(d: date, today: date) -> str:
    """'February 12' (the year added when it is not this year)."""
    text = f"{d:%B} {d.day}"
    return text if d.year == today.year else f"{text}, {d.year}"


def _roi(value: float | None) -> str:
    if value is None:
        return "–"
    text = fmt_number(round(value, 2) + 0.0, 2)
    return f"{text if text.startswith('-') else '+' + text}/week"


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{round(value)} %"


def _decision_words(row: CaseloadRow, short: bool = False) -> str:
    """The row's decision words and overdue flag (``tui.tones.decision_words``)."""
    return decision_words(row, short=short)


def _rate(value: float | None) -> str:
    if value is None:
        return "–"
    text = fmt_number(round(value, 2) + 0.0, 2)
    return text if text.startswith("-") else "+" + text
