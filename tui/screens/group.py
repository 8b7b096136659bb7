"""The group screen: members' sparklines and statuses, session history, dosage, next meetings.

``GroupScreen(group_id, day)``. Dosage is ``store.dosage.group_dosage`` over the school year
to date (first day of school → ``day``, sessions on or after ``day`` not logged yet are not
counted). Enter on a member opens the student screen on that measure.
"""

from __future__ import annotations

from datetime import date

from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import DataTable, Static

from store import schedule
from store.caseload import CaseloadRow
from store.dosage import GroupDosage, group_dosage
from store.model import CANCEL_REASONS, Group, Session, fmt_number
from tui.keys import bindings
from tui.screens.base import AppScreen
from tui.tones import decision_text
from tui.views.lines import MeasureLine, group_lines
from tui.widgets.footer import Footer
from tui.widgets.measure_cells import last_text, sparkline_text, status_text


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value:.0f} %"


def dosage_table(d: GroupDosage) -> Table:
    """A group's dosage in words and numbers (data in, renderable out)."""
    grid = Table.grid(padding=(0, 1))
    grid.add_column(style="dim", no_wrap=True)
    grid.add_column()
    sessions = Text(
        f"{d.sessions_planned} planned · {d.sessions_delivered} delivered · "
        f"{d.sessions_cancelled} cancelled · {d.sessions_not_logged} not logged"
    )
    if d.sessions_extra:
        sessions.append(f" · {d.sessions_extra} make-up")
    grid.add_row("Sessions", sessions)
    # percentages over the logged sessions: a day never entered is not captured (eduCLIMBER)
    grid.add_row(
        "Minutes",
        Text(
            f"{d.minutes_delivered} of {d.minutes_planned_logged} planned in logged sessions "
            f"({_pct(d.minutes_pct)})"
        ),
    )
    grid.add_row(
        "Attendance",
        Text(
            f"{_pct(d.attendance_pct)} ({d.student_sessions_attended} of "
            f"{d.student_sessions_logged} logged student-sessions)"
        ),
    )
    grid.add_row("Fidelity", Text(f"{_pct(d.fidelity_avg)} average"))
    missed = d.missed_reasons
    if missed:
        grid.add_row(
            "Missed",
            Text(" · ".join(f"{label} ×{n}" for label, n in missed.most_common())),
        )
    return grid


def attendance_of(session: Session, group: Group) -> str:
    """``n/N``: members who attended / members on that date (or entries recorded)."""
    if not session.delivered:
        return "–"
    attended = sum(1 for a in session.attendance if a.attended)
    total = max(len(group.members_on(session.date)), len(session.attendance))
    return f"{attended}/{total}"


class GroupScreen(AppScreen[bool]):
    """One group: members side by side, sessions, dosage and the next meetings."""

    BINDINGS = bindings("group")

    def __init__(self, group_id: str, day: date) -> None:
        super().__init__()
        self.group_id = group_id
        self.day = day
        self.lines: list[MeasureLine] = []
        self.changed = False

    def compose(self) -> ComposeResult:
        yield Static(id="gr-title")
        with VerticalScroll(id="gr-body"):
            yield Static(classes="pane-title", id="gr-members-title")
            yield DataTable(id="gr-members", cursor_type="row", zebra_stripes=True)
            with Horizontal(id="gr-info"):
                yield Static(id="gr-dosage")
                yield Static(id="gr-next")
            yield Static(classes="pane-title", id="gr-sessions-title")
            yield DataTable(id="gr-sessions", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        members = self.query_one("#gr-members", DataTable)
        for label in ("Student", "Gr", "Measure", "Progress", "Last", "Status", "Decision"):
            members.add_column(label, key=label.casefold())
        sessions = self.query_one("#gr-sessions", DataTable)
        for label in ("Date", "Session", "Minutes", "Attended", "Lesson", "Fidelity"):
            sessions.add_column(label, key=label.casefold())
        self.reload()
        members.focus(scroll_visible=False)

    def reload(self) -> None:
        store = self.store
        group = store.group(self.group_id)
        calendar = store.calendar()
        sessions = store.sessions(group.id, since=calendar.year_start, until=self.day)
        dosage = group_dosage(
            group, calendar, sessions, calendar.year_start, self.day, today=self.day
        )
        upcoming = schedule.next_dates(group, calendar, self.day, 5)
        self.lines = group_lines(store, group, self.day, self.config)
        self.fill_title(group)
        self.fill_members(group)
        self.query_one("#gr-dosage", Static).update(self.dosage_block(dosage, calendar.year_start))
        self.query_one("#gr-next", Static).update(self.next_block(group, upcoming))
        self.fill_sessions(group, sessions)

    def fill_title(self, group: Group) -> None:
        title = Text(group.name, style="bold")
        details = [f"tier {group.tier}", group.program, group.skill_focus, group.location]
        title.append(" · " + " · ".join(d for d in details if d), style="dim")
        title.append(f" · {schedule.describe(group)}", style="dim")
        self.query_one("#gr-title", Static).update(title)

    def fill_members(self, group: Group) -> None:
        table = self.query_one("#gr-members", DataTable)
        table.clear()
        weeks = self.config.sparkline_weeks
        previous = None
        for i, line in enumerate(self.lines):
            first = line.student.id != previous
            previous = line.student.id
            row = line.extra.get("row")
            decision = Text("")
            if isinstance(row, CaseloadRow):  # the caseload's words, mark and tone (tui.tones)
                decision = decision_text(row, short=True)
            table.add_row(
                Text(line.student.name) if first else Text(""),
                line.student.grade if first else "",
                line.measure.code,
                sparkline_text(line, self.day, weeks),
                last_text(line),
                status_text(line),
                decision,
                key=str(i),
            )
        n = len(group.members_on(self.day))
        title = Text("Members", style="bold")
        title.append(f" · {n} on {self.day:%b %-d} · Enter opens a student", style="dim")
        self.query_one("#gr-members-title", Static).update(title)

    def dosage_block(self, d: GroupDosage, since: date) -> Table:
        outer = Table.grid()
        outer.add_column()
        head = Text("Dosage", style="bold")
        head.append(f" · school year to date ({since:%b %-d} – {self.day:%b %-d})", style="dim")
        outer.add_row(head)
        outer.add_row(dosage_table(d))
        return outer

    def next_block(self, group: Group, upcoming: list[date]) -> Text:
        text = Text("Next meetings", style="bold")
        if not upcoming:
            text.append("\nnone left this school year", style="dim")
        for d in upcoming:
            text.append(f"\n{d:%a %b %-d} ")
            text.append(f"{group.start_time}–{group.end_time}", style="dim")
        return text

    def fill_sessions(self, group: Group, sessions: list[Session]) -> None:
        table = self.query_one("#gr-sessions", DataTable)
        table.clear()
        for s in sorted(sessions, key=lambda s: s.date, reverse=True):
            if s.delivered:
                status = Text("delivered", style="green")
            else:
                reason = CANCEL_REASONS.get(s.cancel_reason or "other", s.cancel_reason)
                status = Text(f"cancelled ({reason})", style="dim")
            table.add_row(
                f"{s.date:%a %b %d}",
                status,
                str(s.minutes_delivered) if s.delivered else "–",
                attendance_of(s, group),
                Text(s.lesson, no_wrap=True, overflow="ellipsis"),
                "–" if s.fidelity_pct is None else f"{fmt_number(round(s.fidelity_pct))} %",
                key=s.id,
            )
        title = Text("Session history", style="bold")
        title.append(f" · {len(sessions)} logged this school year", style="dim")
        self.query_one("#gr-sessions-title", Static).update(title)

    # ------------------------------------------------------------------ actions
    @on(DataTable.RowSelected, "#gr-members")
    def _member_selected(self, event: DataTable.RowSelected) -> None:
        self.action_open()

    def action_open(self) -> None:
        table = self.query_one("#gr-members", DataTable)
        if not self.lines or not 0 <= table.cursor_row < len(self.lines):
            self.notify("No student selected", severity="warning", markup=False)
            return
        line = self.lines[table.cursor_row]
        from tui.screens.student import StudentScreen

        screen = StudentScreen(line.student.id, self.day, line.measure.code)
        self.app.push_screen(screen, self._student_closed)

    def _student_closed(self, changed: bool | None) -> None:
        if changed:
            self.changed = True
            self.reload()

    def action_back(self) -> None:
        self.dismiss(self.changed)
