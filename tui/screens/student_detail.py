"""A student's progress on one measure, in a modal (the full student screen comes later)."""

from __future__ import annotations

from datetime import date

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from store.model import fmt_number
from tui.lines import MeasureLine


def _roi(value: float | None) -> str:
    return "–" if value is None else f"{value:+.2f}/week"


def detail_text(line: MeasureLine, day: date, weeks: int = 16) -> Table:
    """Numbers and words for one student × measure (data in, renderable out)."""
    m = line.measure
    row = line.extra.get("row")
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="dim", no_wrap=True)
    grid.add_column()
    title = Text(line.student.name, style="bold")
    title.append(f"  grade {line.student.grade}", style="dim")
    grid.add_row("Student", title)
    if row is not None and row.groups:
        grid.add_row("Groups", Text(row.group_names))
    grid.add_row("Measure", Text(f"{m.name} ({m.code}, {m.unit})"))
    grid.add_row("Progress", line.sparkline(day, weeks))
    grid.add_row("Status", line.status_text())
    goal = line.goal
    if goal is None:
        grid.add_row(
            "Goal", Text("no goal set — set one to get an aim line and decisions", style="yellow")
        )
    else:
        grid.add_row(
            "Baseline", Text(f"{m.format(goal.baseline_value)} on {goal.baseline_date:%b %-d, %Y}")
        )
        grid.add_row("Goal", Text(f"{m.format(goal.goal_value)} by {goal.goal_date:%b %-d, %Y}"))
    if row is not None:
        grid.add_row("ROI", Text(f"actual {_roi(row.actual_roi)} · needed {_roi(row.needed_roi)}"))
        decision = Text(row.decision.kind.replace("-", " "), style="bold")
        decision.append(f" — {row.decision.reason}")
        grid.add_row("Decision", decision)
        if row.dosage is not None and row.dosage.sessions_planned:
            d = row.dosage
            grid.add_row(
                "Dosage",
                Text(
                    f"attended {d.sessions_attended} of {d.sessions_planned} planned sessions"
                    f" ({fmt_number(d.attendance_pct or 0, 0)} %)"
                ),
            )
        if row.probe_overdue:
            grid.add_row("Probe", Text("overdue", style="bold magenta"))
    recent = line.scores[-8:]
    if recent:
        scores = Text()
        for s in recent:
            scores.append(f"{s.date:%b %-d} ", style="dim")
            scores.append(m.format(s.value))
            if s.errors is not None:
                scores.append(f"/{s.errors}", style="dim")
            scores.append("  ")
        grid.add_row("Recent", scores)
    else:
        grid.add_row("Recent", Text("no scores yet", style="dim"))
    return grid


class StudentDetail(ModalScreen[None]):
    BINDINGS = [
        Binding("escape", "close", "Close", id="detail.close", tooltip="Back"),
        Binding("q", "close", "Close", id="detail.close2", show=False, tooltip="Back"),
        Binding("enter", "close", "Close", id="detail.close3", show=False, tooltip="Back"),
    ]

    def __init__(self, line: MeasureLine, day: date) -> None:
        super().__init__()
        self.line = line
        self.day = day

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="detail-box"):
            yield Static(detail_text(self.line, self.day))
            yield Static(Text("Esc to close", style="dim"))

    def action_close(self) -> None:
        self.dismiss(None)
