"""Rapid-fire score entry for one group's session, then the session log.

Type the number, press Enter: the value is checked by the store at once (its message shows
inline, nothing is saved, the text stays to be fixed), then written durably by a single
writer thread while focus has already moved to the next row — so the next row takes keys at
once and saves keep their order. ``62/3`` is 62 with 3 errors; ``a`` marks the student
absent; ctrl+z undoes the last save; Esc leaves (asking first if something typed is unsaved).
After the last row the session log opens: Enter accepts "delivered as scheduled".
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from dataclasses import field
from datetime import date

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Header, Input, Label, Static

from store.db import DuplicateScoreError
from store.errors import StoreError, ValidationError
from store.model import Attendance, Group, Score, Session, fmt_number
from store.records import mutable_record
from tui.lines import MeasureLine, group_lines, measure_line
from tui.screens.confirm import ConfirmScreen
from tui.widgets.footer import Footer


@mutable_record
class EntryRow:
    """One (student, measure) to probe in this session and what happened to it."""

    line: MeasureLine
    state: str = ""  # "", "saving", "saved", "absent", "error"
    message: str = ""
    draft: str = ""
    saved: Score | None = None
    pending_replace: tuple[float, int | None] | None = None
    notices: list[str] = field(default_factory=list)

    @property
    def student_id(self) -> str:
        return self.line.student.id


def parse_entry(text: str, records_errors: bool, code: str) -> tuple[str, int | None]:
    """'62/3' → ('62', 3); '62' → ('62', None). The value itself is checked by the store."""
    text = text.strip()
    if "/" not in text:
        return text, None
    value, _, errors = text.partition("/")
    if not records_errors:
        raise ValidationError(
            f"{code} does not record errors; type just the score", field="errors", value=text
        )
    errors = errors.strip()
    if not errors.isdigit():
        raise ValidationError(
            f"errors {errors!r} is not a whole number (type score/errors, e.g. 62/3)",
            field="errors",
            value=errors,
        )
    return value.strip(), int(errors)


class ScoreInput(Input):
    """The entry field: digits, '.', '/'; ``a`` on an empty field marks the student absent."""

    class Absent(Message):
        pass

    async def _on_key(self, event: events.Key) -> None:
        if event.character in ("a", "A") and not self.value:
            event.stop()
            event.prevent_default()
            self.post_message(self.Absent())
            return
        await super()._on_key(event)


class Writer:
    """One thread that performs store writes in order and reports back on the UI thread."""

    def __init__(self, post: Callable[[Callable[[], None]], None]) -> None:
        self._jobs: queue.Queue[tuple[Callable[[], object], Callable[[object], None]] | None] = (
            queue.Queue()
        )
        self._post = post
        self._thread = threading.Thread(target=self._run, name="score-writer", daemon=True)
        self._thread.start()

    def submit(self, job: Callable[[], object], done: Callable[[object], None]) -> None:
        self._jobs.put((job, done))

    def _run(self) -> None:
        while True:
            item = self._jobs.get()
            if item is None:
                return
            job, done = item
            try:
                result: object = job()
            except Exception as exc:  # reported on the UI thread, never swallowed
                result = exc
            self._post(lambda done=done, result=result: done(result))  # never blocks
            self._jobs.task_done()

    def drain(self) -> None:
        self._jobs.join()

    def stop(self) -> None:
        self._jobs.put(None)


class JobDone(Message):
    """A write finished on the writer thread; ``callback`` runs on the UI thread."""

    def __init__(self, callback: Callable[[], None]) -> None:
        super().__init__()
        self.callback = callback


class ScoreEntryScreen(Screen[bool]):
    """Enter one group's scores for one day, then log the session."""

    BINDINGS = [
        Binding("up", "move(-1)", "Prev", id="entry.up", tooltip="Previous row", priority=True),
        Binding("down", "move(1)", "Next", id="entry.down", tooltip="Next row", priority=True),
        Binding(
            "ctrl+z", "undo", "Undo", id="entry.undo", tooltip="Undo the last save", priority=True
        ),
        Binding(
            "ctrl+l", "session_log", "Session log", id="entry.log", tooltip="Log the session now"
        ),
        Binding(
            "escape",
            "leave",
            "Done",
            id="entry.leave",
            tooltip="Back to Today (asks first if something typed is unsaved)",
        ),
    ]

    def __init__(self, group: Group, day: date, session: Session | None = None) -> None:
        super().__init__()
        self.group = group
        self.day = day
        self.session = session
        self.rows: list[EntryRow] = []
        self.index = 0
        self.pending = 0
        self.absent: set[str] = set()
        self.writer: Writer | None = None

    @property
    def store(self):  # noqa: ANN201 - the app's Store
        return self.app.store  # type: ignore[attr-defined]

    # ------------------------------------------------------------------ layout
    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        yield Static(id="entry-title")
        yield DataTable(id="entry-table", cursor_type="row", show_cursor=True)
        yield Static(id="entry-message")
        with Horizontal(id="entry-bar"):
            yield Label("", id="entry-label")
            yield ScoreInput(
                placeholder="score, score/errors, or a = absent",
                restrict=r"[0-9./]*",
                id="entry-input",
                select_on_focus=False,
            )
        with Vertical(id="log-pane"):
            yield Static(id="log-title")
            with Horizontal(classes="log-row"):
                yield Label("Minutes delivered", classes="log-label")
                yield Input(restrict=r"[0-9]*", id="log-minutes", max_length=3)
            with Horizontal(classes="log-row"):
                yield Label("Lesson / unit", classes="log-label")
                yield Input(id="log-lesson", placeholder="e.g. Lesson 42", max_length=80)
            with Horizontal(classes="log-row"):
                yield Label("Note", classes="log-label")
                yield Input(id="log-note", placeholder="optional", max_length=500)
            yield Static(Text("Enter accepts · Esc back to scores", style="dim"), id="log-help")
        yield Footer()

    def on_mount(self) -> None:
        # post_message is thread-safe and does not wait, so drain() can never deadlock
        self.writer = Writer(lambda fn: self.post_message(JobDone(fn)))
        self.query_one("#log-pane").display = False
        title = Text(f"{self.group.name}", style="bold")
        title.append(f" · {self.day:%a %b %-d} · {self.group.start_time}–{self.group.end_time}")
        title.append(" · enter scores", style="dim")
        self.query_one("#entry-title", Static).update(title)
        table = self.query_one("#entry-table", DataTable)
        for key, label in (
            ("student", "Student"),
            ("measure", "Measure"),
            ("spark", "Progress"),
            ("last", "Last"),
            ("today", "Today"),
            ("state", "Status"),
        ):
            table.add_column(label, key=key)
        config = self.app.config  # type: ignore[attr-defined]
        lines = group_lines(self.store, self.group, self.day, config)
        existing_session = self.session or self.store.session_on(self.group.id, self.day)
        if existing_session is not None:
            self.absent = {
                a.student_id for a in existing_session.attendance if a.status == "absent"
            }
        chosen = [ln for ln in lines if ln.probe_due or any(s.date == self.day for s in ln.scores)]
        if not chosen:
            chosen = lines
            if lines:
                self.say(Text("No probes are due today — all measures listed anyway.", style="dim"))
        for line in chosen:
            row = EntryRow(line)
            today_score = next((s for s in line.scores if s.date == self.day), None)
            if today_score is not None:
                row.state, row.saved = "saved", today_score
            elif line.student.id in self.absent:
                row.state = "absent"
            self.rows.append(row)
            table.add_row(*self._cells(row), key=str(len(self.rows) - 1))
        if not self.rows:
            self.say(
                Text(
                    "This group has no students or probes no measures — log the session instead.",
                    style="yellow",
                )
            )
            self.open_log()
            return
        self.index = next((i for i, r in enumerate(self.rows) if r.state == ""), 0)
        self.focus_row(self.index)

    def _cells(self, row: EntryRow) -> tuple[object, ...]:
        line = row.line
        weeks = self.app.config.sparkline_weeks  # type: ignore[attr-defined]
        today = Text("")
        if row.saved is not None:
            today = Text(line.measure.format(row.saved.value), style="bold")
            if row.saved.errors is not None and row.saved.accuracy is not None:
                today.append(f"/{row.saved.errors} ({row.saved.accuracy:.0%})", style="dim")
        elif row.draft:
            today = Text(row.draft, style="italic")
        state = {
            "": Text("probe due" if line.probe_due else "", style="yellow"),
            "saving": Text("saving…", style="dim"),
            "saved": Text("saved ✓", style="green"),
            "absent": Text("absent", style="magenta"),
            "error": Text(row.message, style="bold red"),
            "confirm": Text(row.message, style="bold yellow"),
        }[row.state]
        if row.state in ("saved",) and line.status != "no data":
            state.append(f" · {line.status}", style=line.status_text().style)
        return (
            Text(line.student.name),
            line.measure.code,
            line.sparkline(self.day, weeks),
            line.last_text()
            if row.saved is None
            else Text("–", style="dim")
            if len(line.scores) < 2
            else _prev_text(line),
            today,
            state,
        )

    def on_job_done(self, message: JobDone) -> None:
        message.callback()

    def redraw(self, i: int) -> None:
        table = self.query_one("#entry-table", DataTable)
        for key, value in zip(
            ("student", "measure", "spark", "last", "today", "state"),
            self._cells(self.rows[i]),
            strict=True,
        ):
            table.update_cell(str(i), key, value, update_width=True)

    def say(self, text: Text | str) -> None:
        self.query_one("#entry-message", Static).update(text)

    # ------------------------------------------------------------------ moving
    def focus_row(self, i: int) -> None:
        self.index = max(0, min(i, len(self.rows) - 1))
        row = self.rows[self.index]
        table = self.query_one("#entry-table", DataTable)
        table.move_cursor(row=self.index)
        label = Text(f"{row.line.student.name} · {row.line.measure.code} ", style="bold")
        unit = row.line.measure.unit
        if row.line.measure.records_errors:
            unit += ", score/errors"
        label.append(f"({unit})", style="dim")
        self.query_one("#entry-label", Label).update(label)
        field_ = self.query_one("#entry-input", ScoreInput)
        field_.value = row.draft
        field_.cursor_position = len(row.draft)
        field_.focus()

    def _stash_draft(self) -> None:
        if not self.rows:
            return
        row = self.rows[self.index]
        text = self.query_one("#entry-input", ScoreInput).value
        if text != row.draft:
            row.draft = text
            if row.state in ("error", "confirm"):
                row.state, row.message, row.pending_replace = "", "", None
            self.redraw(self.index)

    def action_move(self, step: int) -> None:
        if (
            self.query_one("#log-pane").display
            and self.focused is not None
            and self.focused.id != "entry-input"
        ):
            self.focus_next() if step > 0 else self.focus_previous()
            return
        if not self.rows:
            return
        self._stash_draft()
        self.focus_row(self.index + step)

    def advance(self) -> None:
        """Next row not yet done; after the last row, the session log."""
        for i in range(self.index + 1, len(self.rows)):
            if self.rows[i].state in ("", "error"):
                self.focus_row(i)
                return
        self.open_log()

    @on(DataTable.RowSelected, "#entry-table")
    def _row_clicked(self, event: DataTable.RowSelected) -> None:
        self._stash_draft()
        self.focus_row(event.cursor_row)

    # ------------------------------------------------------------------ saving
    @on(Input.Submitted, "#entry-input")
    def _submitted(self, event: Input.Submitted) -> None:
        row = self.rows[self.index]
        text = event.value.strip()
        if not text:
            row.draft = ""
            self.advance()
            return
        line = row.line
        try:
            value, errors = parse_entry(text, line.measure.records_errors, line.measure.code)
            replace = row.pending_replace is not None
            checked = self.store.check_score(
                line.student.id, line.measure.code, value, self.day, errors=errors, replace=replace
            )
        except DuplicateScoreError as exc:
            old = exc.existing
            row.state = "confirm"
            row.message = (
                f"replace {fmt_number(old.value)} with {value}? Enter = yes, edit to cancel"
            )
            row.pending_replace = (float(value), errors)
            row.draft = text
            self.redraw(self.index)
            self.say(Text(str(exc) + " — press Enter again to replace it.", style="yellow"))
            return
        except ValidationError as exc:
            row.state, row.message, row.draft = "error", str(exc), text
            self.redraw(self.index)
            self.say(Text(str(exc), style="bold red"))
            return
        self._save(self.index, checked, errors, replace=row.pending_replace is not None)
        self.advance()

    def _save(self, i: int, value: float, errors: int | None, *, replace: bool) -> None:
        row = self.rows[i]
        line = row.line
        before = line.decision_kind
        row.state, row.message, row.draft, row.pending_replace = "saving", "", "", None
        self.redraw(i)
        self.pending += 1
        store, day, session_id = self.store, self.day, None

        def job() -> Score:
            return store.record_score(
                line.student.id,
                line.measure.code,
                value,
                day,
                errors=errors,
                session_id=session_id,
                replace=replace,
            )

        def done(result: object) -> None:
            self.pending -= 1
            if isinstance(result, Exception):
                row.state, row.message = "error", f"NOT SAVED: {result}"
                row.draft = fmt_number(value) + (f"/{errors}" if errors is not None else "")
                self.redraw(i)
                self.say(
                    Text(
                        f"{line.student.name} · {line.measure.code}: NOT SAVED — {result}",
                        style="bold red",
                    )
                )
                return
            assert isinstance(result, Score)
            row.saved, row.state = result, "saved"
            self._refresh_line(i)
            after = self.rows[i].line
            if after.needs_action and after.decision_kind != before:
                self.say(
                    Text(
                        f"{line.student.name} · {line.measure.code}: {after.decision_reason}",
                        style="bold yellow",
                    )
                )
            else:
                self.say(
                    Text(
                        f"Saved {line.measure.code} {fmt_number(result.value)} for {line.student.name}.",
                        style="green",
                    )
                )

        assert self.writer is not None
        self.writer.submit(job, done)

    def _refresh_line(self, i: int) -> None:
        row = self.rows[i]
        config = self.app.config  # type: ignore[attr-defined]
        row.line = measure_line(
            self.store,
            row.line.student,
            row.line.measure,
            self.day,
            config,
            every_weeks=self.group.probe_every_weeks,
        )
        self.redraw(i)

    @on(ScoreInput.Absent)
    def _absent(self) -> None:
        row = self.rows[self.index]
        student = row.line.student
        attendance = Attendance(student.id, "absent", "absent")
        store, group_id, day = self.store, self.group.id, self.day
        self.absent.add(student.id)
        targets = [
            i for i, r in enumerate(self.rows) if r.student_id == student.id and r.state != "saved"
        ]
        for i in targets:
            self.rows[i].state, self.rows[i].draft = "absent", ""
            self.redraw(i)
        self.pending += 1

        def done(result: object) -> None:
            self.pending -= 1
            if isinstance(result, Exception):
                self.absent.discard(student.id)
                for i in targets:
                    self.rows[i].state, self.rows[i].message = "error", f"NOT SAVED: {result}"
                    self.redraw(i)
                self.say(Text(f"Absence NOT SAVED: {result}", style="bold red"))
                return
            self.say(Text(f"{student.name} marked absent.", style="magenta"))

        assert self.writer is not None
        self.writer.submit(lambda: store.mark_attendance(group_id, day, attendance), done)
        # move to the next student's first open row
        self.index = max(targets) if targets else self.index
        self.advance()

    def action_undo(self) -> None:
        store = self.store

        def done(result: object) -> None:
            self.pending -= 1
            if isinstance(result, Exception):
                self.say(Text(str(result), style="yellow"))
                return
            self.say(Text(str(result), style="cyan"))
            self.reload_rows()

        self.pending += 1
        assert self.writer is not None
        self.writer.submit(store.undo_last, done)

    def reload_rows(self) -> None:
        """Re-read every row from the store (after an undo)."""
        session = self.store.session_on(self.group.id, self.day)
        self.absent = (
            {a.student_id for a in session.attendance if a.status == "absent"} if session else set()
        )
        for i, row in enumerate(self.rows):
            self._refresh_line(i)
            today_score = next((s for s in row.line.scores if s.date == self.day), None)
            row.saved = today_score
            if today_score is not None:
                row.state = "saved"
            elif row.student_id in self.absent:
                row.state = "absent"
            elif row.state in ("saved", "absent"):
                row.state = ""
            self.redraw(i)

    # ------------------------------------------------------------------ session log
    def open_log(self) -> None:
        pane = self.query_one("#log-pane")
        pane.display = True
        present = [
            r
            for r in {r.student_id: r for r in self.rows}.values()
            if r.student_id not in self.absent
        ]
        title = Text("Session log", style="bold")
        members = len(self.group.members_on(self.day))
        absent = len(self.absent)
        title.append(f" · {members - absent} present, {absent} absent", style="dim")
        self.query_one("#log-title", Static).update(title)
        minutes = self.query_one("#log-minutes", Input)
        session = self.store.session_on(self.group.id, self.day)
        if not minutes.value:
            minutes.value = str(
                session.minutes_delivered
                if session and session.minutes_delivered
                else self.group.duration_minutes
            )
            if session is not None:
                self.query_one("#log-lesson", Input).value = session.lesson
                self.query_one("#log-note", Input).value = session.note
        del present
        minutes.focus()

    def action_session_log(self) -> None:
        self._stash_draft()
        self.open_log()

    @on(Input.Submitted, "#log-minutes, #log-lesson, #log-note")
    def _log_submitted(self) -> None:
        assert self.writer is not None
        self.writer.drain()  # every score and absence is on disk first
        existing = self.store.session_on(self.group.id, self.day)
        attendance = {a.student_id: a for a in (existing.attendance if existing else [])}
        for sid in self.group.members_on(self.day):
            attendance.setdefault(sid, Attendance(sid, "present"))
        minutes_text = self.query_one("#log-minutes", Input).value.strip() or "0"
        session = Session(
            id=existing.id if existing else "",
            group_id=self.group.id,
            date=self.day,
            status="delivered",
            minutes_delivered=int(minutes_text),
            lesson=self.query_one("#log-lesson", Input).value,
            attendance=list(attendance.values()),
            fidelity_done=existing.fidelity_done if existing else [],
            note=self.query_one("#log-note", Input).value,
        )
        try:
            self.store.log_session(session)
        except (ValidationError, StoreError) as exc:
            self.say(Text(str(exc), style="bold red"))
            return
        self.app.notify(f"{self.group.name}: session logged", markup=False)
        self._close(True)

    # ------------------------------------------------------------------ leaving
    def unsaved(self) -> list[EntryRow]:
        self._stash_draft()
        return [r for r in self.rows if r.draft.strip() and r.state != "saving"]

    def action_leave(self) -> None:
        if (
            self.query_one("#log-pane").display
            and self.rows
            and self.focused is not None
            and self.focused.id != "entry-input"
        ):
            self.query_one("#log-pane").display = False
            self.focus_row(self.index)
            return
        typed = self.unsaved()
        if not typed:
            self._close(False)
            return
        names = ", ".join(
            f"{r.line.student.name} {r.line.measure.code} “{r.draft}”" for r in typed[:3]
        )
        more = f" and {len(typed) - 3} more" if len(typed) > 3 else ""

        def answer(discard: bool | None) -> None:
            if discard:
                self._close(False)

        self.app.push_screen(
            ConfirmScreen(
                f"Not saved yet: {names}{more}.\nLeave and discard what you typed?",
                yes="Discard",
                no="Keep editing",
            ),
            answer,
        )

    def _close(self, logged: bool) -> None:
        if self.writer is not None:
            self.writer.drain()
            self.writer.stop()
            self.writer = None
        self.dismiss(logged)


def _prev_text(line: MeasureLine) -> Text:
    prev = line.scores[-2]
    return Text(f"{line.measure.format(prev.value)} {prev.date:%b %d}", style="dim")
