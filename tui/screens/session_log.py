"""Log one session of a group: delivered or cancelled (with a reason), minutes, lesson,
attendance per student, the group's fidelity checklist, a note.

When it went as planned, Enter accepts "delivered as scheduled, all present". Any group and
date can be logged (today's or a past one); logging a date again replaces that session.
Given a queue of (group, date) pairs (e.g. :func:`tui.views.unlogged.unlogged_sessions`), saving
moves on to the next one. Opened after score entry's last row it is the quick session log:
the absences just marked are filled in.

The fidelity checklist starts unticked: an unticked item is "not recorded", and a checklist
left untouched saves fidelity as not recorded rather than 0 %. A cancelled session has no
minutes. The lesson proposed is the one after the last logged lesson (store.lessons).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import DataTable, Header, Input, Select, Static
from textual.widgets.selection_list import Selection

from store import schedule
from store.errors import StoreError, ValidationError
from store.lessons import LeftOff, group_left_off
from store.model import (
    ABSENCE_REASONS,
    ATTENDANCE_STATUSES,
    CANCEL_REASONS,
    Attendance,
    Group,
    Session,
    Student,
    parse_date,
)
from store.records import mutable_record
from tui.keys import bindings
from tui.screens.base import AppScreen
from tui.views.unlogged import unlogged_sessions
from tui.widgets.footer import Footer
from tui.widgets.form import Form, FormField
from tui.widgets.marked import SelectionList  # ticks readable without colour

__all__ = ["AttendanceTable", "SessionLogScreen", "unlogged_sessions"]

DELIVERED = "delivered"
STATUS_STYLE = {"present": "green", "absent": "red", "late": "yellow", "left-early": "yellow"}
FIELD_KEYS: dict[str, str] = {
    "minutes delivered": "minutes",
    "lesson/unit": "lesson",
    "note": "note",
    "date": "date",
}
ATTENDANCE_FIELDS = ("attendance", "absence reason", "minutes attended", "attendance note")


@mutable_record
class AttendanceRow:
    """One student's attendance being edited."""

    student: Student
    status: str = "present"
    reason: str | None = None
    minutes: str = ""

    def entry(self) -> Attendance:
        reason = self.reason if self.status == "absent" else None
        minutes = int(self.minutes) if self.minutes and self.status != "absent" else None
        return Attendance(self.student.id, self.status, reason, minutes)


class AttendanceTable(DataTable):
    """Attendance per student: p present, a absent, l late, e left early, r next absence
    reason, digits type the minutes attended (for late / left early), backspace erases."""

    BINDINGS = bindings("attendance")

    class Edited(Message):
        """An attendance row changed."""

    def __init__(self, **kwargs: Any) -> None:  # DataTable's own keyword arguments
        super().__init__(cursor_type="row", **kwargs)
        self.rows_: list[AttendanceRow] = []

    def on_mount(self) -> None:
        self.add_column("Student", key="student", width=20)
        self.add_column("Attendance", key="status", width=10)
        self.add_column("Min", key="minutes", width=3)
        self.add_column("Absence reason", key="reason", width=22)

    def load(self, rows: list[AttendanceRow]) -> None:
        self.rows_ = rows
        self.clear()
        for i, row in enumerate(rows):
            self.add_row(*self._cells(row), key=str(i))

    def _cells(self, row: AttendanceRow) -> tuple[Text, Text, str, Text]:
        reason = ABSENCE_REASONS.get(row.reason or "absent", "") if row.status == "absent" else ""
        return (
            Text(row.student.name, no_wrap=True, overflow="ellipsis"),
            Text(ATTENDANCE_STATUSES[row.status], style=STATUS_STYLE.get(row.status, "")),
            row.minutes if row.status != "absent" else "",
            Text(reason),
        )

    def redraw(self, i: int) -> None:
        for col, cell in zip(
            ("student", "status", "minutes", "reason"), self._cells(self.rows_[i]), strict=True
        ):
            self.update_cell(str(i), col, cell)
        self.post_message(self.Edited())

    def current(self) -> int | None:
        return self.cursor_row if 0 <= self.cursor_row < len(self.rows_) else None

    def action_mark(self, status: str) -> None:
        i = self.current()
        if i is None:
            return
        row = self.rows_[i]
        row.status = status
        row.reason = (row.reason or "absent") if status == "absent" else None
        if status in ("present", "absent"):
            row.minutes = ""
        self.redraw(i)
        if status in ("present", "absent"):
            self.move_cursor(row=i + 1)

    def action_reason(self) -> None:
        i = self.current()
        if i is None:
            return
        row = self.rows_[i]
        codes = list(ABSENCE_REASONS)
        if row.status != "absent":
            row.status, row.reason, row.minutes = "absent", "absent", ""
        else:
            row.reason = codes[(codes.index(row.reason or "absent") + 1) % len(codes)]
        self.redraw(i)

    async def _on_key(self, event: events.Key) -> None:
        i = self.current()
        if i is not None and event.character is not None and event.character.isdigit():
            event.stop()
            row = self.rows_[i]
            if row.status == "absent":
                row.status = "late"
            row.minutes = (row.minutes + event.character)[-3:]
            self.redraw(i)
            return
        if i is not None and event.key == "backspace":
            event.stop()
            self.rows_[i].minutes = self.rows_[i].minutes[:-1]
            self.redraw(i)
            return
        await super()._on_key(event)


class SessionLogScreen(AppScreen[Session | None]):
    """Log a session; Enter saves. Dismisses with the last saved session (or None)."""

    BINDINGS = bindings("session_log")

    def __init__(
        self,
        group: Group | None = None,
        day: date | None = None,
        *,
        queue: Iterable[tuple[Group, date]] = (),
        absent: Iterable[str] = (),
        intro: Text | None = None,
    ) -> None:
        """``absent``: students just marked absent (score entry), filled in as absent;
        ``intro``: a line shown under the title (score entry's last message)."""
        super().__init__()
        self.queue = list(queue)
        self.absent = set(absent)
        self.intro = intro
        if group is None and self.queue:
            group, day = self.queue.pop(0)
        self.group = group
        self.day = day
        self.session: Session | None = None
        self.saved: Session | None = None
        self._loading = False

    # ------------------------------------------------------------------ layout
    def compose(self) -> ComposeResult:
        store = self.store
        self.day = self.day or self.today()
        groups = store.groups(include_inactive=True)
        if self.group is None:
            today = schedule.groups_on(store.groups(), store.calendar(), self.day)
            self.group = today[0] if today else (groups[0] if groups else None)
        options = [(Text(g.name + ("" if g.active else " (ended)")), g.id) for g in groups]
        reasons = [(Text("Delivered"), DELIVERED)] + [
            (Text(f"Cancelled — {label}"), code) for code, label in CANCEL_REASONS.items()
        ]
        yield Header(show_clock=False)
        yield Static(id="sl-title", classes="manage-bar")
        yield Static(self.intro or "", id="sl-intro")
        with Horizontal(id="sl-body"):
            with Vertical(id="sl-left"):
                yield Form(
                    FormField(
                        "Group",
                        Select(
                            options,
                            value=self.group.id if self.group else Select.NULL,
                            id="sl-group",
                        ),
                        key="group",
                        aliases=("group id",),
                    ),
                    FormField("Date", Input(self.day.isoformat(), id="sl-date"), key="date"),
                    FormField(
                        "Session",
                        Select(reasons, value=DELIVERED, allow_blank=False, id="sl-status"),
                        key="status",
                        aliases=("session status", "cancel reason"),
                    ),
                    FormField(
                        "Minutes delivered",
                        Input(id="sl-minutes", restrict=r"\d*", max_length=3),
                        key="minutes",
                    ),
                    FormField("Lesson / unit", Input(id="sl-lesson"), key="lesson"),
                    FormField("Note", Input(id="sl-note", placeholder="optional"), key="note"),
                    id="sl-form",
                )
                yield Static(id="sl-left-off")
            with Vertical(id="sl-right"):
                yield Static(Text("Attendance", style="bold"), classes="pane-title")
                yield AttendanceTable(id="sl-attendance")
                yield Static("", id="sl-attendance-error")
                yield Static(id="sl-fidelity-title", classes="pane-title")
                yield SelectionList[str](id="sl-fidelity")
        yield Static(
            Text(
                "Enter saves · attendance: p present, a absent, l late, e left early, "
                "r reason, digits = minutes · space ticks a fidelity item · Esc back",
                style="dim",
            ),
            id="sl-help",
        )
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#sl-intro").display = bool(self.intro and self.intro.plain)
        self.load()

    # ------------------------------------------------------------------ loading
    def load(self) -> None:
        """Fill the form for ``self.group`` on ``self.day`` (from its session if logged)."""
        self._loading = True
        group, day = self.group, self.day
        assert day is not None
        self.query_one(Form).clear_errors()
        self.query_one("#sl-attendance-error", Static).update("")
        title = Text("Session log", style="bold")
        if group is None:
            title.append(" · no groups yet — create one first", style="dim")
            self.query_one("#sl-title", Static).update(title)
            self._loading = False
            return
        session = self.store.session_on(group.id, day)
        self.session = session
        students = {s.id: s for s in self.store.students(include_archived=True)}
        member_ids = list(group.members_on(day))
        if session is not None:
            member_ids += [
                a.student_id for a in session.attendance if a.student_id not in member_ids
            ]
        rows = []
        for sid in member_ids:
            student = students.get(sid)
            if student is None:
                continue
            row = AttendanceRow(student)
            a = session.attendance_of(sid) if session else None
            if a is None and sid in self.absent:
                row.status, row.reason = "absent", "absent"
            elif a is not None:
                row.status = a.status
                row.reason = a.reason if a.status == "absent" else None
                row.minutes = str(a.minutes) if a.minutes is not None else ""
            rows.append(row)
        rows.sort(key=lambda r: r.student.sort_key)
        self.query_one(AttendanceTable).load(rows)
        status = self.query_one("#sl-status", Select)
        if session is not None and not session.delivered:
            status.value = session.cancel_reason or "other"
        else:
            status.value = DELIVERED
        minutes = (
            session.minutes_delivered if session and session.delivered else group.duration_minutes
        )
        self.query_one("#sl-minutes", Input).value = str(minutes)
        before = group_left_off(self.store, group.id, day - timedelta(days=1))
        lesson = session.lesson if session and session.lesson else ""
        self.query_one("#sl-lesson", Input).value = lesson or (before.next if before else "")
        self.query_one("#sl-left-off", Static).update(left_off_text(before))
        self.query_one("#sl-note", Input).value = session.note if session else ""
        fidelity = self.query_one("#sl-fidelity", SelectionList)
        fidelity.clear_options()
        done = set(session.fidelity_done) if session and session.delivered else set()
        for item in group.fidelity_items:
            fidelity.add_option(Selection(Text(item), item, item in done))
        if group.fidelity_items:
            fidelity.highlighted = 0  # space ticks the first item at once
        title.append(f" · {group.name} · {day:%a %b} {day.day}", style="bold")
        meets = schedule.meets_on(group, self.store.calendar(), day)
        if self.absent:
            n = len(self.absent)
            title.append(f" · {n} absent marked in score entry", style="dim")
        elif session is not None:
            logged = f" at {session.logged_at:%-H:%M}" if session.logged_at else ""
            title.append(f" · logged{logged} — saving replaces it", style="dim")
        elif not meets:
            title.append(" · not a scheduled meeting (logs a make-up session)", style="yellow")
        else:
            title.append(
                f" · {group.start_time}, {group.duration_minutes} min planned", style="dim"
            )
        if self.queue:
            title.append(f" · {len(self.queue)} more to log after this", style="dim")
        self.query_one("#sl-title", Static).update(title)
        self.update_fidelity()
        self.show_status()
        self._loading = False
        self.query_one("#sl-minutes", Input).focus()

    def update_fidelity(self) -> None:
        assert self.group is not None
        items = self.group.fidelity_items
        title = Text("Fidelity checklist", style="bold")
        done = len(self.query_one("#sl-fidelity", SelectionList).selected)
        if items and not done:
            title.append(" · not recorded (space ticks an item done)", style="dim")
        elif items:
            title.append(f" · {done} of {len(items)} done · {100 * done / len(items):.0f} %")
        else:
            title.append(
                " · no checklist for this group (edit the group to add items)", style="dim"
            )
        self.query_one("#sl-fidelity-title", Static).update(title)

    def show_status(self) -> None:
        """Cancelled sessions have no minutes (the field is cleared), attendance or fidelity;
        back to delivered, the planned minutes return."""
        delivered = self.query_one("#sl-status", Select).value == DELIVERED
        for widget_id in ("#sl-attendance", "#sl-fidelity"):
            self.query_one(widget_id).disabled = not delivered
        minutes = self.query_one("#sl-minutes", Input)
        minutes.disabled = not delivered
        if not delivered:
            minutes.value = ""
        elif not minutes.value and self.group is not None:
            minutes.value = str(self.group.duration_minutes)

    @on(SelectionList.SelectedChanged, "#sl-fidelity")
    def _fidelity_changed(self) -> None:
        if self.group is not None:
            self.update_fidelity()

    @on(Select.Changed, "#sl-status")
    def _status_changed(self) -> None:
        if not self._loading:
            self.show_status()

    @on(Select.Changed, "#sl-group")
    def _group_changed(self, event: Select.Changed) -> None:
        if self._loading or not isinstance(event.value, str):
            return
        if self.group is None or event.value != self.group.id:
            self.group = self.store.group(event.value)
            self.absent = set()  # the absences marked in score entry were for that group
            self.load()

    @on(Input.Changed, "#sl-date")
    def _date_changed(self, event: Input.Changed) -> None:
        if self._loading:
            return
        try:
            day = parse_date(event.value, "date")
        except ValidationError:
            return
        if day != self.day:
            self.day = day
            self.absent = set()
            self.load()
            self.query_one("#sl-date", Input).focus()

    # ------------------------------------------------------------------ saving
    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.action_save()

    @on(DataTable.RowSelected, "#sl-attendance")
    def _row_selected(self) -> None:
        self.action_save()

    def action_all_present(self) -> None:
        table = self.query_one(AttendanceTable)
        for i, row in enumerate(table.rows_):
            row.status, row.reason, row.minutes = "present", None, ""
            table.redraw(i)

    def build(self) -> Session:
        """The session as the form says (validated by the store on save)."""
        assert self.group is not None and self.day is not None
        status = self.query_one("#sl-status", Select).value
        if status != DELIVERED:
            return Session(
                "",
                self.group.id,
                self.day,
                status="cancelled",
                cancel_reason=str(status),
                lesson=self.query_one("#sl-lesson", Input).value,
                note=self.query_one("#sl-note", Input).value,
            )
        minutes_text = self.query_one("#sl-minutes", Input).value.strip()
        return Session(
            "",
            self.group.id,
            self.day,
            status="delivered",
            minutes_delivered=int(minutes_text) if minutes_text else 0,
            lesson=self.query_one("#sl-lesson", Input).value,
            attendance=[row.entry() for row in self.query_one(AttendanceTable).rows_],
            fidelity_done=list(self.query_one("#sl-fidelity", SelectionList).selected),
            note=self.query_one("#sl-note", Input).value,
        )

    def show_error(self, exc: ValidationError | str) -> None:
        name = getattr(exc, "field", "") or ""
        error = self.query_one("#sl-attendance-error", Static)
        error.update("")
        form = self.query_one(Form)
        if name in ATTENDANCE_FIELDS:
            form.clear_errors()
            error.update(Text(str(exc), style="red"))
            self.query_one(AttendanceTable).focus()
            return
        form.show_error(exc, FIELD_KEYS.get(name, name))

    def action_save(self) -> None:
        if self.group is None:
            self.notify("No group to log — create one first", severity="warning", markup=False)
            return
        try:
            parse_date(self.query_one("#sl-date", Input).value, "date")
            saved = self.store.log_session(self.build())
        except ValidationError as exc:
            self.show_error(exc)
            return
        except StoreError as exc:
            self.show_error(str(exc))
            return
        self.saved = saved
        self.notify(summary(self.group, saved), markup=False)
        if self.queue:
            self.group, self.day = self.queue.pop(0)
            self.absent = set()
            self._loading = True
            self.query_one("#sl-group", Select).value = self.group.id
            self.query_one("#sl-date", Input).value = self.day.isoformat()
            self.load()
            return
        self.dismiss(saved)

    def action_leave(self) -> None:
        self.dismiss(self.saved)


def left_off_text(before: LeftOff | None) -> Text:
    """'Last: SIPPS B lesson 41, Mon Nov 23' (the next one is proposed in the lesson field)."""
    if before is None:
        return Text("No lesson logged before this day", style="dim")
    text = Text("Last: ", style="dim")
    text.append(before.last)
    text.append(f", {before.date:%a %b} {before.date.day}", style="dim")
    return text


def summary(group: Group, s: Session) -> str:
    """'Fluency 3 on Wed Nov 25: delivered 30 min, 4 of 5 attended, fidelity 75 %'."""
    head = f"{group.name} on {s.date:%a %b} {s.date.day}"
    if not s.delivered:
        return f"{head}: cancelled ({CANCEL_REASONS.get(s.cancel_reason or 'other', 'other')})"
    text = f"{head}: delivered {s.minutes_delivered} min"
    if s.attendance:
        attended = sum(1 for a in s.attendance if a.attended)
        text += f", {attended} of {len(s.attendance)} attended"
    if s.fidelity_pct is not None:
        text += f", fidelity {s.fidelity_pct:.0f} %"
    elif group.fidelity_items:
        text += ", fidelity not recorded"
    return text
