"""Decision words on screen: ``store.vocabulary`` tones mapped to styles and text marks, once.

Every screen and report takes a decision's words from :mod:`store.vocabulary` and its look
from here, so a kind reads the same everywhere. Each tone has a Rich style *and* a one-glyph
mark, so the state stays readable without colour (``NO_COLOR``) and through a table cursor:

====== ============ ==== ==========================================
tone   style        mark meaning
====== ============ ==== ==========================================
bad    bold red     ``!``  act now (change, questionable, goal missed)
warn   bold yellow  ``?``  check delivery before judging; probe overdue
info   cyan         ``^``  a goal to revisit (goal met, raise the goal)
good   green        ``✓``  continue
muted  dim          ``-``  too few scores to judge
====== ============ ==== ==========================================

Importing this module imports no Textual (``intervene caseload`` uses the plain words);
Rich is imported only by the functions that build a ``Text``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from store.vocabulary import KINDS, OVERDUE, KindWords, words

if TYPE_CHECKING:
    from rich.text import Text

    from store.caseload import CaseloadRow

TONE_STYLE: dict[str, str] = {
    "bad": "bold red",
    "warn": "bold yellow",
    "info": "cyan",
    "good": "green",
    "muted": "dim",
}
TONE_MARK: dict[str, str] = {"bad": "!", "warn": "?", "info": "^", "good": "✓", "muted": "-"}


def tone_style(tone: str) -> str:
    """The Rich style for a vocabulary tone ('' for an unknown one)."""
    return TONE_STYLE.get(tone, "")


def tone_mark(tone: str) -> str:
    """The one-glyph mark for a vocabulary tone (a space for an unknown one)."""
    return TONE_MARK.get(tone, " ")


def row_words(row: CaseloadRow) -> KindWords:
    """What a caseload row is labelled with: its decision's words, or "probe overdue" when the
    decision needs no one but the probe is late (``CaseloadRow.urgency_label``)."""
    if row.probe_overdue and not row.needs_decision:
        return OVERDUE
    return words(row.decision.kind)


def attention_segments(row: CaseloadRow) -> list[tuple[str, str]]:
    """An attention line's label as (text, style) pieces, no Rich needed (a forked child sends
    them to the app: ``tui.views.attention_prefill``): the decision's mark and words, the
    student, the measure and the reason; the overdue flag follows the reason, with the last
    score's date. ``tui.widgets.measure_cells.attention_label`` draws them."""
    w = row_words(row)
    last = f"last score {row.last_date:%b %-d}" if row.last_date else "no score yet"
    if row.needs_decision:
        reason = row.decision.reason + (f" · probe overdue ({last})" if row.probe_overdue else "")
    else:
        reason = f"probe overdue ({last})"
    return [
        (f"{tone_mark(w.tone)} {w.label:<24}", tone_style(w.tone)),
        (" ", ""),
        (row.student.name, "bold"),
        (f" · {row.measure.code} · ", ""),
        (reason, ""),
    ]


def decision_words(row: CaseloadRow, *, short: bool = False) -> str:
    """The row's decision in plain words. Long (a sentence, a report): the decision, then the
    flag — "continue; probe overdue". Short (a table column): "raise goal, overdue", or
    "probe overdue" when the decision itself needs no one (as :func:`row_words`)."""
    if not short:
        text = words(row.decision.kind).label
        return f"{text}; probe overdue" if row.probe_overdue else text
    text = row_words(row).short
    return f"{text}, overdue" if row.probe_overdue and row.needs_decision else text


def decision_label(kind: str) -> str:
    """A decision kind's words with its mark: "! change the intervention"."""
    w = words(kind)
    return f"{tone_mark(w.tone)} {w.label}"


# A decision's words (with its tone's mark, readable without colour) and style, for every kind:
# the same words Today, the caseload, the student screen and the packet use.
DECISION_WORDS: dict[str, str] = {kind: decision_label(kind) for kind in KINDS}
DECISION_STYLE: dict[str, str] = {kind: tone_style(w.tone) for kind, w in KINDS.items()}


def kind_text(kind: str, *, short: bool = False) -> Text:
    """A decision kind's mark and words, styled by its tone."""
    from rich.text import Text

    w = words(kind)
    text = Text()
    text.append(f"{tone_mark(w.tone)} {w.short if short else w.label}", style=tone_style(w.tone))
    return text


def decision_text(row: CaseloadRow, *, short: bool = False, width: int = 0) -> Text:
    """A caseload row's mark and decision words, styled by tone (``width`` pads the words)."""
    from rich.text import Text

    w = row_words(row)
    text = Text()
    text.append(
        f"{tone_mark(w.tone)} {decision_words(row, short=short):<{width}}", style=tone_style(w.tone)
    )
    return text
