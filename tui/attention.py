"""The "needs attention" list: caseload rows whose decision or probe calls for action."""

from __future__ import annotations

from datetime import date

from rich.text import Text

from store.caseload import caseload_summary
from store.db import Store
from tui.config import AppConfig
from tui.lines import MeasureLine, history_start, line_from_row

# URGENCY ranks from store.caseload: change, low dosage, overdue probe, raise goal.
ATTENTION_URGENCY = (0, 1, 2, 3)
URGENCY_STYLE = {0: "bold red", 1: "yellow", 2: "magenta", 3: "cyan"}


def caseload_rows(store: Store, day: date, config: AppConfig) -> list:
    """Every active student's caseload rows as of ``day``, most urgent first."""
    students = store.students()
    goals = store.goals()
    since = history_start(store, goals)
    return caseload_summary(
        students,
        store.groups(include_inactive=True),
        store.measures(include_inactive=True),
        goals,
        [s for st in students for s in store.scores(st.id, since=since, until=day)],
        [p for st in students for p in store.phase_changes(st.id)],
        store.sessions(until=day),
        store.calendar(),
        day,
        config.decision,
    )


def attention_lines(store: Store, day: date, config: AppConfig) -> list[MeasureLine]:
    """Rows that need a person to look: decisions that fired, overdue probes, low dosage.
    Each line carries a one-line label naming the student and the reason."""
    out: list[MeasureLine] = []
    since = history_start(store, store.goals())
    for row in caseload_rows(store, day, config):
        if row.urgency not in ATTENTION_URGENCY:
            continue
        scores = list(store.scores(row.student.id, row.measure.code, since=since, until=day))
        every = min((g.probe_every_weeks for g in row.groups), default=1)
        line = line_from_row(row, scores, day, every)
        label = Text()
        label.append(f"{row.urgency_label:<24}", style=URGENCY_STYLE.get(row.urgency, ""))
        label.append(row.student.name, style="bold")
        label.append(f" · {row.measure.code} · ")
        if row.urgency == 2:
            last = f"last score {row.last_date:%b %-d}" if row.last_date else "no score yet"
            label.append(f"probe overdue ({last})")
        else:
            label.append(row.decision.reason)
        line.extra["label"] = label
        out.append(line)
    return out
