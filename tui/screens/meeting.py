"""Meeting mode (issue 19; `M` from the caseload review, or the palette): the students who
need a decision, most urgent first, one at a time — the chart, the facts, the decision the
data suggests — and the team's decision (continue / change with a phase change / raise the
goal / fade / exit) with a note, saved to the student's record in one undoable step
(``Store.record_team_decision``), so the next packet shows what was decided.

The data-based individualization steps follow NCII (see DOMAIN.md); "needs a decision" is
``store.vocabulary.needs_decision`` (the one definition the caseload and packet share).
"""

from __future__ import annotations

from datetime import date

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Footer, Header, Input, Select, Static

from store.caseload import CaseloadRow, row_order
from store.db.team_decisions import TEAM_CHOICE_LABELS, TEAM_CHOICES
from store.errors import StoreError, ValidationError
from tui.keys import bindings
from tui.screens.base import AppScreen
from tui.tones import decision_label
from tui.widgets.form import Form, FormField
from tui.widgets.progress_chart import ProgressChartView

__all__ = ["MeetingScreen", "suggested_choice"]

#: The team decision a data verdict suggests (the team may choose any other).
_SUGGESTS = {
    "change": "change",
    "questionable-response": "change",
    "goal-missed": "change",
    "goal-met": "raise-goal",
    "raise-goal": "raise-goal",
}


def suggested_choice(kind: str) -> str:
    """The team choice offered first for a decision kind; delivery problems (low dosage,
    fidelity, sessions not logged) suggest "continue" — fix delivery before judging (NCII)."""
    return _SUGGESTS.get(kind, "continue")


def _facts(row: CaseloadRow) -> Text:
    """The facts beside the chart, as plain labelled lines (readable without colour)."""
    d = row.decision
    m = row.measure
    text = Text()
    text.append(f"{row.student.name}", style="bold")
    text.append(f" · grade {row.student.grade} · {m.code}\n")
    if row.groups:
        text.append(f"Groups: {', '.join(g.name for g in row.groups)}\n")
    if row.goal is not None:
        text.append(f"Goal: {m.format(row.goal.goal_value)} by {row.goal.goal_date}\n")
    if row.last_score is not None and row.last_date is not None:
        text.append(f"Last score: {m.format(row.last_score)} on {row.last_date}\n")
    roi = "–" if row.actual_roi is None else f"{row.actual_roi:+.2f}"
    need = "–" if row.needed_roi is None else f"{row.needed_roi:+.2f}"
    text.append(f"Growth a week: {roi} (needed {need}) · {d.n_points} points\n")
    dosage = row.dosage
    if dosage is not None and dosage.sessions_planned:
        att = "–" if dosage.attendance_pct is None else f"{dosage.attendance_pct:.0f}%"
        text.append(
            f"Dosage: {att} of {dosage.sessions_planned} planned sessions since {dosage.start}\n"
        )
    if row.probe_overdue:
        text.append("! Probe overdue\n")
    text.append("\nThe data suggest: ", style="bold")
    text.append(decision_label(d.kind), style="bold reverse")
    text.append(f"\n{d.reason}")
    return text


class MeetingScreen(AppScreen[bool]):
    """One student who needs a decision at a time; ctrl+s saves the team's decision and
    goes on to the next. Dismisses with True when anything was saved."""

    BINDINGS = bindings("meeting")

    class RowsReady(Message):
        def __init__(self, rows: list[CaseloadRow]) -> None:
            super().__init__()
            self.rows = rows

    def __init__(self, day: date | None = None) -> None:
        super().__init__()
        self.day = day
        self.rows: list[CaseloadRow] | None = None  # None while loading
        self.index = 0
        self.saved: dict[str, str] = {}  # student id:measure → the choice saved this meeting

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        yield Static(Text("Meeting · loading the students who need a decision…"), id="mt-title")
        with Horizontal(id="mt-top"):
            yield ProgressChartView(id="mt-chart", day=self.day)
            yield Static(id="mt-facts")
        with Vertical(id="mt-form-box"):
            yield Form(
                FormField(
                    "Team decision",
                    Select(
                        [(TEAM_CHOICE_LABELS[c].capitalize(), c) for c in TEAM_CHOICES],
                        value="continue",
                        allow_blank=False,
                        id="mt-decision",
                    ),
                    key="decision",
                ),
                FormField(
                    "New phase",
                    Input(placeholder="for a change: e.g. SIPPS + 10 min a day", id="mt-phase"),
                    key="phase",
                    aliases=("new phase",),
                ),
                FormField(
                    "Note", Input(placeholder="what the team agreed", id="mt-note"), key="note"
                ),  # fmt: skip
                FormField(
                    "Attendees",
                    Input(placeholder="e.g. Rivera, Chen, parent", id="mt-attendees"),
                    key="attendees",
                ),
                id="mt-form",
            )
        yield Footer()

    def on_mount(self) -> None:
        if self.day is None:
            self.day = self.today()
            self.query_one(ProgressChartView).day = self.day
        self.load_rows()

    @work(thread=True, exclusive=True, group="meeting")
    def load_rows(self) -> None:
        from tui.views.attention import caseload_rows

        assert self.day is not None
        rows = [r for r in caseload_rows(self.store, self.day, self.config) if r.needs_decision]
        self.post_message(self.RowsReady(sorted(rows, key=row_order)))

    def is_loaded(self) -> bool:
        return self.rows is not None

    def on_meeting_screen_rows_ready(self, message: RowsReady) -> None:
        self.rows = message.rows
        self.index = 0
        self.show_row()

    @property
    def row(self) -> CaseloadRow | None:
        if not self.rows or not 0 <= self.index < len(self.rows):
            return None
        return self.rows[self.index]

    def show_row(self) -> None:
        title = self.query_one("#mt-title", Static)
        row = self.row
        form_box = self.query_one("#mt-form-box")
        if row is None:
            done = len(self.saved)
            title.update(
                Text(
                    f"Meeting · no student needs a decision · {done} decision"
                    f"{'s' if done != 1 else ''} saved · Esc ends the meeting"
                )
            )
            self.query_one("#mt-facts", Static).update("")
            self.query_one(ProgressChartView).display = False
            form_box.display = False
            return
        assert self.rows is not None
        key = f"{row.student.id}:{row.measure.code}"
        status = f" · saved: {TEAM_CHOICE_LABELS[self.saved[key]]}" if key in self.saved else ""
        title.update(
            Text(
                f"Meeting · student {self.index + 1} of {len(self.rows)} who need a decision"
                f"{status}",
                style="bold",
            )
        )
        chart = self.query_one(ProgressChartView)
        chart.display = True
        chart.show(row.progress, title=f"{row.student.name} · {row.measure.code}")
        self.query_one("#mt-facts", Static).update(_facts(row))
        form_box.display = True
        self.query_one("#mt-decision", Select).value = suggested_choice(row.decision.kind)
        self.query_one("#mt-phase", Input).value = ""
        self.query_one("#mt-note", Input).value = ""
        self.query_one(Form).clear_errors()
        self.query_one("#mt-decision", Select).focus()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()

    def action_save(self) -> None:
        row = self.row
        if row is None or not self.require_writable():
            return
        form = self.query_one(Form)
        choice = str(self.query_one("#mt-decision", Select).value)
        try:
            saved = self.store.record_team_decision(
                row.student.id,
                row.measure.code,
                choice,
                note=form.value("note"),
                on=self.day,
                suggested=row.decision.kind,
                phase_label=form.value("phase") if choice == "change" else "",
                attendees=form.value("attendees"),
            )
        except ValidationError as exc:
            field = {"new phase": "phase"}.get(exc.field, exc.field)
            form.show_error(exc, field)
            return
        except StoreError as exc:
            form.show_error(str(exc), "")
            return
        self.saved[f"{row.student.id}:{row.measure.code}"] = saved.decision
        extra = " and the new phase" if saved.phase_id else ""
        self.notify(
            f"Saved for {row.student.name}: {saved.label}{extra} (ctrl+z undoes)",
            markup=False,
        )
        self.action_step(1)

    def action_step(self, step: int) -> None:
        if not self.rows:
            return
        self.index = max(0, min(len(self.rows), self.index + step))
        self.show_row()

    def action_back(self) -> None:
        self.dismiss(bool(self.saved))

    def action_undo(self) -> None:
        """Undo the last save (decision, note and phase change together) and go back to it."""
        undone = self.undo()
        if undone is None:
            return
        self.notify(f"Undone: {undone}", markup=False)
        if self.saved:
            last = list(self.saved)[-1]
            del self.saved[last]
            if self.rows:
                keys = [f"{r.student.id}:{r.measure.code}" for r in self.rows]
                if last in keys:
                    self.index = keys.index(last)
        self.show_row()
