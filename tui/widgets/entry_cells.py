"""The cells of one score-entry row (Student, Measure, Progress, Last, Today, Status).

Moved out of :mod:`tui.screens.score_entry` (issue 14): pure functions of the row, the day
and the sparkline's weeks, so the screen only places them in its table.
"""

from __future__ import annotations

from datetime import date

from rich.text import Text

from store.vocabulary import needs_decision, words
from tui.views.entry import EntryRow, short_reason
from tui.views.lines import MeasureLine
from tui.widgets.measure_cells import last_text, sparkline_text, status_text

#: The entry table's column keys and labels, in order.
ENTRY_COLUMNS = (
    ("student", "Student"),
    ("measure", "Measure"),
    ("spark", "Progress"),
    ("last", "Last"),
    ("today", "Today"),
    ("state", "Status"),
)


def entry_cells(row: EntryRow, day: date, weeks: int) -> tuple[object, ...]:
    """Row ``row``'s cells, in ENTRY_COLUMNS order."""
    line = row.line
    today = Text("")
    if row.saved is not None:
        today = Text(line.measure.format(row.saved.value), style="bold")
        if row.saved.errors is not None and row.saved.accuracy is not None:
            today.append(f"/{row.saved.errors} ({row.saved.accuracy:.0%})", style="dim")
        if row.saved.passages:
            today.append(f" median of {len(row.saved.passages)}", style="dim")
    elif row.draft:
        today = Text(row.draft, style="italic")
    return (
        Text(line.student.name),
        line.measure.code,
        sparkline_text(line, day, weeks),
        last_text(line)
        if row.saved is None
        else Text("–", style="dim")
        if len(line.scores) < 2
        else _prev_text(line),
        today,
        entry_status(row),
    )


def entry_status(row: EntryRow) -> Text:
    """The row's Status cell: what happened, and after a save the decision if one is
    needed ("saved ✓ · 4 consecutive scores below the aim line → change"), else where the
    student stands."""
    line = row.line
    if row.state != "saved":
        return {
            "": Text("probe due" if line.probe_due else "", style="yellow"),
            "saving": Text("saving…", style="dim"),
            "absent": Text("absent", style="magenta"),
            "error": Text(row.message, style="bold red"),
            "confirm": Text(row.message, style="bold yellow"),
        }[row.state]
    state = Text("saved ✓", style="green")
    kind = line.decision_kind
    if kind and needs_decision(kind):
        label = words(kind).short  # the table form (≤ 16 characters): the row stays short
        lead = short_reason(line.decision_reason, limit=40)
        if not lead or lead.casefold() in label.casefold():
            state.append(f" · {label}", style="bold yellow")
        elif label.casefold() in lead.casefold():
            state.append(f" · {lead}", style="bold yellow")
        else:
            state.append(f" · {lead} → {label}", style="bold yellow")
    elif line.status != "no data":
        state.append(f" · {line.status}", style=status_text(line).style)
    return state


def _prev_text(line: MeasureLine) -> Text:
    prev = line.scores[-2]
    return Text(f"{line.measure.format(prev.value)} {prev.date:%b %d}", style="dim")
