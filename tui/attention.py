"""The "needs attention" list: caseload rows whose decision or probe calls for action."""

from __future__ import annotations

from datetime import date

from rich.text import Text

from store.caseload import caseload_summary
from store.db import Store
from store.model import Score
from tui.config import AppConfig
from tui.lines import MeasureLine, history_start, line_from_row

# URGENCY ranks from store.caseload: change, low dosage, overdue probe, raise goal.
ATTENTION_URGENCY = (0, 1, 2, 3)
URGENCY_STYLE = {0: "bold red", 1: "yellow", 2: "magenta", 3: "cyan"}


def caseload_rows(store: Store, day: date, config: AppConfig) -> list:
    """Every active student's caseload rows as of ``day``, most urgent first."""
    return _caseload(store, day, config)[0]


def _caseload(store: Store, day: date, config: AppConfig) -> tuple[list, list[Score]]:
    """The caseload rows and the scores they were computed from."""
    students = store.students()
    goals = store.goals()
    since = history_start(store, goals)
    scores = [s for st in students for s in store.scores(st.id, since=since, until=day)]
    rows = caseload_summary(
        students,
        store.groups(include_inactive=True),
        store.measures(include_inactive=True),
        goals,
        scores,
        [p for st in students for p in store.phase_changes(st.id)],
        store.sessions(until=day),
        store.calendar(),
        day,
        config.decision,
    )
    return rows, scores


def attention_lines(store: Store, day: date, config: AppConfig) -> list[MeasureLine]:
    """Rows that need a person to look: decisions that fired, overdue probes, low dosage.
    Each line carries a one-line label naming the student and the reason."""
    out: list[MeasureLine] = []
    rows, scores = _caseload(store, day, config)
    by_line: dict[tuple[str, str], list[Score]] = {}  # the rows' scores, read once
    for score in scores:  # each student's scores are in date order: so is each list
        by_line.setdefault((score.student_id, score.measure), []).append(score)
    for row in rows:
        if row.urgency not in ATTENTION_URGENCY:
            continue
        line_scores = by_line.get((row.student.id, row.measure.code), [])
        every = min((g.probe_every_weeks for g in row.groups), default=1)
        line = line_from_row(row, line_scores, day, every)
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
