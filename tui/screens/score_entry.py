"""Rapid-fire score entry for one group's session, then the session log.

Type the number, press Enter: the value is checked by the store at once (its message shows
inline, nothing is saved, the text stays to be fixed), then written durably by a single
writer thread while the row pointer has already moved to the next row — so the next row takes
keys at once and saves keep their order. ``62/3`` is 62 with 3 errors; ``61 58 64`` three
passages (the median is the day's score); ``a`` marks the student absent; ``+`` adds another
member or measure; ctrl+z undoes the last save; Esc leaves (asking first if something typed
is unsaved). After the last row the session log opens.

Type-ahead: there is one entry field for every row, and the keys it acts on (Enter, ↑ ↓,
ctrl+z, ``a``, ``+``, a pasted column) are handled *synchronously in its own key handler*, so
each key applies to the row that was current when it arrived, however fast they come (a
burst, a macro, a paste). Quitting first lets the field handle every key it already has and
waits for the writer thread (see :meth:`ScoreEntryScreen.prepare_to_quit`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from datetime import date
from typing import cast

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import DataTable, Header, Label, Static
from textual.widgets.data_table import ColumnKey

from store.db import DuplicateScoreError
from store.errors import StoreError, ValidationError
from store.model import Attendance, Group, Measure, Score, Session, Student, fmt_number
from store.plausible import plausibility_warning
from store.vocabulary import needs_decision
from tui.keys import bindings
from tui.screens.add_row import AddRowScreen
from tui.screens.base import AppScreen
from tui.screens.confirm import ConfirmScreen
from tui.screens.entry_writer import (  # noqa: F401 - Writer and the messages live there
    AbsenceFailed,
    AbsenceSaved,
    SaveFailed,
    ScoreSaved,
    Writer,
)
from tui.screens.score_input import ScoreInput
from tui.views.entry import (  # noqa: F401 - re-exported: tests import them from here
    ALLOWED,
    HOW,
    EntryRow,
    entry_row,
    parse_entry,
    short_reason,
)
from tui.views.lines import MeasureLine, group_lines, measure_line
from tui.widgets.entry_cells import ENTRY_COLUMNS, entry_cells, entry_status
from tui.widgets.footer import Footer

#: Below this terminal width score entry folds its Progress and Last columns away.
NARROW_COLUMNS = 80


class ScoreEntryScreen(AppScreen[bool]):
    """Enter one group's scores for one day, then log the session."""

    BINDINGS = bindings("entry")

    def __init__(self, group: Group, day: date, session: Session | None = None) -> None:
        super().__init__()
        self.group = group
        self.day = day
        self.session = session
        self.rows: list[EntryRow] = []
        self.index = 0
        self.pending = 0
        self.undid_earlier = False  # ctrl+z undid a change made before this screen opened
        self.absent: set[str] = set()
        self.writer: Writer | None = None
        self.done_order: list[int] = []  # rows saved or marked absent here, oldest first
        self.said = 0  # messages shown so far: a save's late news never hides a newer one
        self.log_requested = False  # the last row is done and the session log is opening
        self.log_opening = False  # open_log has run and the log is not pushed yet

    # ------------------------------------------------------------------ layout
    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        yield Static(id="entry-title")
        table: DataTable[object] = DataTable(id="entry-table", cursor_type="row")
        table.can_focus = False  # keys always go to the one entry field (clicks still pick a row)
        yield table
        yield Static(id="entry-message")
        with Horizontal(id="entry-bar"):
            yield Label("", id="entry-label")
            yield ScoreInput(
                placeholder="score, score/errors, 61 58 64 (passages), a = absent, + = add",
                id="entry-input",
                select_on_focus=False,
            )
        yield Footer()

    def on_mount(self) -> None:
        # post_message is thread-safe and does not wait, so drain() can never deadlock
        self.writer = Writer(self.post_message)
        title = Text(f"{self.group.name}", style="bold")
        title.append(f" · {self.day:%a %b %-d} · {self.group.start_time}–{self.group.end_time}")
        from store.lessons import group_left_off

        where = group_left_off(self.store, self.group.id, self.day)
        if where is not None:  # where we left off: "Lesson 42 → 43"
            title.append(f" · {where.text}")
        title.append(" · enter scores", style="dim")
        self.query_one("#entry-title", Static).update(title)
        table = self.query_one("#entry-table", DataTable)
        for key, label in ENTRY_COLUMNS:
            table.add_column(label, key=key)
        config = self.config
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
                self.say(
                    Text(
                        "No probes due today — every member is listed; press + to add "
                        "another measure or student.",
                        style="dim",
                    )
                )
        for line in chosen:
            row = entry_row(line, self.day, self.absent)
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
        return entry_cells(row, self.day, self.config.sparkline_weeks)

    def status_of(self, i: int) -> str:
        """Row ``i``'s Status cell as plain text."""
        return entry_status(self.rows[i]).plain

    def on_resize(self, event: events.Resize) -> None:
        """Narrower than NARROW_COLUMNS, the Progress and Last columns fold away (width 0) so
        the typed value and the saved / refused status stay in view."""
        table = self.query_one("#entry-table", DataTable)
        narrow = event.size.width < NARROW_COLUMNS
        for column in table.columns.values():
            if column.key.value in ("spark", "last") and column.auto_width == narrow:
                column.auto_width, column.width = not narrow, 0
                table._require_update_dimensions = True  # no public call re-measures columns
        table.refresh()

    def is_loaded(self) -> bool:
        """Every save and absence handed to the writer has been answered."""
        return self.pending == 0

    def ready_for_keys(self) -> bool:
        """Not while the session log is on its way (after the last row, ctrl+l): keys typed
        ahead are the log's (its minutes), not this screen's field (tui/type_ahead.py)."""
        return not self.log_opening

    # ------------------------------------------------------------------ the writer's replies
    @on(ScoreSaved)
    def _score_saved(self, message: ScoreSaved) -> None:
        self.pending -= 1
        row, i = message.row, message.index
        if row.seq != message.seq:  # undone (or saved again) since: this news is stale
            return
        score, fresh = message.score, message.line
        row.saved, row.line = score, fresh
        if row.state == "saving":
            row.state = "saved"
        self.redraw(i)
        m = fresh.measure
        what = f"Saved {m.code} {m.format(score.value)}"
        if score.passages:
            what += f" (median of {', '.join(m.format(p) for p in score.passages)})"
        what += f" for {fresh.student.name}."
        kind = fresh.decision_kind
        if self.said != message.said:  # something newer is showing (a paste's summary, an error)
            return
        if kind and needs_decision(kind) and kind != message.before:
            self.say(Text(f"{what} {fresh.decision_reason}", style="bold yellow"))
        else:
            self.say(Text(what, style="green"))

    @on(SaveFailed)
    def _save_failed(self, message: SaveFailed) -> None:
        self.pending -= 1
        row, i, error = message.row, message.index, message.error
        if row.seq != message.seq:  # undone (or saved again) since: this news is stale
            return
        row.state, row.message = "error", f"NOT SAVED: {error}"
        row.draft = self.field_.value if i == self.index else message.typed
        self.redraw(i)
        line = row.line
        self.say(
            Text(
                f"{line.student.name} · {line.measure.code}: NOT SAVED — {error}",
                style="bold red",
            )
        )

    @on(AbsenceSaved)
    def _absence_saved(self, message: AbsenceSaved) -> None:
        self.pending -= 1
        self.say(Text(f"{message.student.name} marked absent.", style="magenta"))

    @on(AbsenceFailed)
    def _absence_failed(self, message: AbsenceFailed) -> None:
        self.pending -= 1
        self.absent.discard(message.student.id)
        for i in message.targets:
            self.rows[i].state, self.rows[i].message = "error", f"NOT SAVED: {message.error}"
            self.redraw(i)
        self.say(Text(f"Absence NOT SAVED: {message.error}", style="bold red"))

    def redraw(self, i: int) -> None:
        """Redraw row ``i``. A column is re-measured only when the new cell is wider than it:
        re-measuring lays the whole screen out again (~20 ms), too slow for every Enter."""
        table = self.query_one("#entry-table", DataTable)
        for key, value in zip(
            (key for key, _ in ENTRY_COLUMNS),
            self._cells(self.rows[i]),
            strict=True,
        ):
            column = table.columns[ColumnKey(key)]
            width = value.cell_len if isinstance(value, Text) else len(str(value))
            table.update_cell(str(i), key, value, update_width=width > column.content_width)

    def say(self, text: Text | str) -> None:
        self.said += 1
        self.query_one("#entry-message", Static).update(text, layout=False)  # fixed size

    @property
    def field_(self) -> ScoreInput:
        return self.query_one("#entry-input", ScoreInput)

    # ------------------------------------------------------------------ moving
    def focus_row(self, i: int) -> None:
        self.log_requested = False
        self.index = max(0, min(i, len(self.rows) - 1))
        row = self.rows[self.index]
        table = self.query_one("#entry-table", DataTable)
        table.move_cursor(row=self.index)
        label = Text(f"{row.line.student.name} · {row.line.measure.code} ", style="bold")
        unit = row.line.measure.unit
        if row.line.measure.records_errors:
            unit += ", score/errors"
        label.append(f"({unit})", style="dim")
        self.query_one("#entry-label", Label).update(label, layout=False)  # fixed size
        field_ = self.field_
        field_.value = row.draft
        field_.cursor_position = len(row.draft)
        field_.focus()

    def _stash_draft(self) -> None:
        if not self.rows:
            return
        row = self.rows[self.index]
        text = self.field_.value
        if text != row.draft:
            row.draft = text
            if row.state in ("error", "confirm"):
                row.state = "saved" if row.saved is not None else ""
                row.message = ""
            self.redraw(self.index)

    def action_move(self, step: int) -> None:
        if not self.rows:
            return
        self._stash_draft()
        self.focus_row(self.index + step)

    def advance(self) -> None:
        """Next row not yet done; after the last row, the session log."""
        for i in range(self.index + 1, len(self.rows)):
            if self.rows[i].state in ("", "error", "confirm"):
                self.focus_row(i)
                return
        self.log_requested = True  # the log may open a moment later: a paste stops here
        self.open_log()

    @on(DataTable.RowSelected, "#entry-table")
    def _row_clicked(self, event: DataTable.RowSelected) -> None:
        self._stash_draft()
        self.focus_row(event.cursor_row)

    # ------------------------------------------------------------------ typing
    def refuse_key(self, char: str) -> None:
        """A key that is not allowed: shown in the field, flagged on the row at once (the
        entry will be refused whole on Enter, never silently shortened)."""
        if not self.rows:
            return
        row = self.rows[self.index]
        row.draft = self.field_.value
        row.state = "error"
        row.message = f"{char!r} is not allowed ({HOW})"
        self.redraw(self.index)
        self.say(Text(f"{char!r} is not allowed in a score — {HOW}.", style="bold red"))
        self.app.bell()

    # ------------------------------------------------------------------ saving
    def submit_entry(self, typed: str) -> bool:
        """Enter on the current row, handled at once (the next key goes to the next row).
        Returns True when the row was saved (or skipped) and the pointer moved on."""
        if not self.rows or self.writer is None:
            return False
        i = self.index
        row = self.rows[i]
        text = typed.strip()
        row.draft = typed
        if not text:
            row.draft = ""
            self.advance()
            return True
        if row.armed_text != text:  # warnings shown for other text do not carry over
            row.armed, row.armed_text = set(), text
        line = row.line
        code = line.measure.code
        try:
            values, errors = parse_entry(text, line.measure.records_errors, code)
            passages = values if len(values) > 1 else None
            # a save still on its way counts as already entered: replacing it asks first
            if (row.state == "saving" or row.saved is not None) and "replace" not in row.armed:
                was = fmt_number(row.saved.value) if row.saved is not None else row.typed
                raise DuplicateScoreError(
                    f"{code} {was} already entered for {line.student.name} today",
                    row.saved or Score("", line.student.id, code, self.day, 0.0),
                )
            replace = "replace" in row.armed
            checked = self.store.check_score(
                line.student.id,
                code,
                None if passages else values[0],
                self.day,
                errors=errors,
                replace=replace,
                passages=passages,
            )
        except DuplicateScoreError as exc:
            was = fmt_number(exc.existing.value) if exc.existing.id else row.typed
            row.state = "confirm"
            row.message = f"replace {was} with {text}? Enter = yes, edit to cancel"
            row.armed.add("replace")
            self.redraw(i)
            self.say(Text(str(exc) + " — press Enter again to replace it.", style="yellow"))
            return False
        except ValidationError as exc:
            row.state, row.message = "error", str(exc)
            self.redraw(i)
            self.say(Text(str(exc), style="bold red"))
            return False
        if "plausible" not in row.armed:
            recent = [s.value for s in line.scores if s.date < self.day]
            jump = self.config.decision.plausibility_jump
            warning = plausibility_warning(
                line.measure, checked, recent, line.student.given_name, jump=jump
            )
            if warning is not None:
                row.state = "confirm"
                row.message = f"{warning} — Enter again to save it"
                row.armed.add("plausible")
                self.redraw(i)
                self.say(Text(f"{warning} — Enter again to save it.", style="bold yellow"))
                return False
        self._save(i, checked, errors, replace=replace, passages=passages, typed=text)
        self.advance()
        return True

    def _save(
        self,
        i: int,
        value: float,
        errors: int | None,
        *,
        replace: bool,
        passages: list[str] | None = None,
        typed: str = "",
    ) -> None:
        """Hand the save to the writer thread; the row shows "saving…" until it is on disk.
        The writer also recomputes the row (progress, decision), so the UI thread never
        waits for either."""
        row = self.rows[i]
        line = row.line
        before = line.decision_kind
        row.state, row.message, row.draft, row.armed, row.typed = "saving", "", "", set(), typed
        row.seq += 1
        seq, said = row.seq, self.said
        self.redraw(i)
        self.pending += 1
        self.done_order.append(i)
        store, day = self.store, self.day
        config, every = self.config, self.group.probe_every_weeks

        def job() -> tuple[Score, MeasureLine]:
            score = store.record_score(
                line.student.id,
                line.measure.code,
                None if passages else value,
                day,
                errors=errors,
                replace=replace,
                passages=passages,
            )
            fresh = measure_line(store, line.student, line.measure, day, config, every_weeks=every)
            return score, fresh

        def reply(result: object) -> Message:  # on the writer thread: only builds the news
            if isinstance(result, Exception):
                return SaveFailed(row, i, seq, result, typed=typed)
            score, fresh = cast("tuple[Score, MeasureLine]", result)
            return ScoreSaved(row, i, seq, score, fresh, said=said, before=before)

        assert self.writer is not None
        self.writer.submit(job, reply)

    def _refresh_line(self, i: int) -> None:
        row = self.rows[i]
        config = self.config
        row.line = measure_line(
            self.store,
            row.line.student,
            row.line.measure,
            self.day,
            config,
            every_weeks=self.group.probe_every_weeks,
        )
        self.redraw(i)

    def paste_column(self, lines: list[str]) -> None:
        """A pasted column: one value per line into consecutive open rows, each checked as
        if typed; the first line that is refused (or asks) stops the paste and stays shown."""
        filled: list[str] = []
        stopped = ""
        for n, text in enumerate(lines, start=1):
            if self._log_open() or not self.rows:
                stopped = f"line {n} “{text}” and the rest: no row left to fill"
                break
            row = self.rows[self.index]
            self.field_.value = text
            if not self.submit_entry(text):
                self.field_.value = text
                self.field_.cursor_position = len(text)
                stopped = f"line {n} “{text}”: {row.message}"
                break
            if text:
                filled.append(text)
        count = f"pasted {len(filled)} score{'s' if len(filled) != 1 else ''}"
        summary = f"{count}: {', '.join(filled)}" if filled else count
        if stopped:
            self.say(Text(f"{summary} — stopped at {stopped}", style="bold yellow"))
        else:
            self.say(Text(summary, style="green"))

    def _log_open(self) -> bool:
        """The session log has opened (after the last row)."""
        return self.log_requested or self.app.screen is not self

    def mark_absent(self) -> None:
        """``a`` on an empty field: the student is absent; every open row of theirs is done."""
        if not self.rows or self.writer is None:
            return
        row = self.rows[self.index]
        student = row.line.student
        attendance = Attendance(student.id, "absent", "absent")
        store, group_id, day = self.store, self.group.id, self.day
        self.absent.add(student.id)
        targets = [
            i
            for i, r in enumerate(self.rows)
            if r.student_id == student.id and r.state not in ("saved", "saving")
        ]
        for i in targets:
            self.rows[i].state, self.rows[i].draft = "absent", ""
            self.redraw(i)
        self.pending += 1
        self.done_order.append(self.index)

        def reply(result: object) -> Message:
            if isinstance(result, Exception):
                return AbsenceFailed(student, targets, result)
            return AbsenceSaved(student, targets)

        self.writer.submit(lambda: store.mark_attendance(group_id, day, attendance), reply)
        # move to the next student's first open row
        self.index = max(targets) if targets else self.index
        self.advance()

    def action_undo(self) -> None:
        """Undo the last save (after every pending one is on disk) and go back to its row
        with what was typed in the field, ready to fix. Runs at once, so keys typed after
        ctrl+z land in that row."""
        if self.writer is None:
            return
        self.writer.drain()
        try:
            message = self.store.undo_last()
        except (ValidationError, StoreError) as exc:
            self.say(Text(str(exc), style="yellow"))
            return
        self.say(Text(message, style="cyan"))
        back = self.done_order.pop() if self.done_order else None
        if back is None:
            self.undid_earlier = True  # a change made before this screen: anyone's
            self.reload_rows()
            return
        student_id = self.rows[back].student_id
        again = [i for i, r in enumerate(self.rows) if r.student_id == student_id]
        for i in again:
            self.rows[i].seq += 1  # a save's news still queued for these rows is stale now
        self.reload_rows(again)
        row = self.rows[back]
        if row.saved is None:
            row.draft = row.typed if row.state == "" else ""
        self.redraw(back)
        self.focus_row(back)

    def reload_rows(self, only: Iterable[int] | None = None) -> None:
        """Re-read rows from the store (after an undo): ``only`` those, or every row."""
        session = self.store.session_on(self.group.id, self.day)
        self.absent = (
            {a.student_id for a in session.attendance if a.status == "absent"} if session else set()
        )
        for i in range(len(self.rows)) if only is None else only:
            row = self.rows[i]
            self._refresh_line(i)
            today_score = next((s for s in row.line.scores if s.date == self.day), None)
            row.saved = today_score
            if today_score is not None:
                row.state = "saved"
            elif row.student_id in self.absent:
                row.state = "absent"
            elif row.state in ("saved", "absent", "saving"):
                row.state = ""
            self.redraw(i)

    # ------------------------------------------------------------------ adding rows
    def action_add_row(self) -> None:
        """Pick another member or measure of the group to score in this session."""
        listed = {(r.student_id, r.line.measure.code) for r in self.rows}
        members = [self.store.student(sid) for sid in self.group.members_on(self.day)]
        members.sort(key=lambda s: s.sort_key)
        group_codes = list(self.group.measures)
        others = [m.code for m in self.store.measures() if m.code not in group_codes]
        choices = [
            (student, self.store.measure(code))
            for codes in (group_codes, others)
            for student in members
            for code in codes
            if (student.id, code) not in listed
        ]
        if not choices:
            self.say(Text("Every member and measure is listed already.", style="dim"))
            return
        self._stash_draft()
        self.app.push_screen(AddRowScreen(choices), self._add_row)

    def _add_row(self, choice: tuple[Student, Measure] | None) -> None:
        if choice is None:
            self.focus_row(self.index)
            return
        student, measure = choice
        config = self.config
        line = measure_line(
            self.store, student, measure, self.day, config, every_weeks=self.group.probe_every_weeks
        )
        row = entry_row(line, self.day, self.absent)
        self.rows.append(row)
        self.query_one("#entry-table", DataTable).add_row(
            *self._cells(row), key=str(len(self.rows) - 1)
        )
        self.say(Text(f"Added {student.name} · {measure.code} for this session.", style="cyan"))
        self.focus_row(len(self.rows) - 1)

    # ------------------------------------------------------------------ session log
    def open_log(self) -> None:
        """The quick session log (SessionLogScreen) with the absences marked here; once it
        is saved score entry closes, Esc comes back to the scores."""
        assert self.writer is not None
        self.writer.drain()  # every score and absence is on disk first
        self.log_opening = True
        self.call_later(self._push_log)

    def _push_log(self) -> None:
        from tui.screens.session_log import SessionLogScreen

        if self.pending:  # the saves' replies are still on their way: the last word first
            self.set_timer(0.01, self._push_log)
            return
        self.log_opening = False
        said = self.query_one("#entry-message", Static).content
        intro = said if isinstance(said, Text) else Text(str(said))
        log = SessionLogScreen(self.group, self.day, absent=sorted(self.absent), intro=intro)
        self.app.push_screen(log, self._log_closed)

    def _log_closed(self, saved: Session | None) -> None:
        if saved is not None or not self.rows:
            self._close(saved is not None)
        else:
            self.focus_row(self.index)

    def action_session_log(self) -> None:
        self._stash_draft()
        self.open_log()

    # ------------------------------------------------------------------ leaving
    def unsaved(self) -> list[EntryRow]:
        self._stash_draft()
        return [r for r in self.rows if r.draft.strip() and r.state != "saving"]

    def _unsaved_question(self, typed: list[EntryRow], then: str) -> str:
        names = ", ".join(
            f"{r.line.student.name} {r.line.measure.code} “{r.draft}”" for r in typed[:3]
        )
        more = f" and {len(typed) - 3} more" if len(typed) > 3 else ""
        return f"Not saved yet: {names}{more}.\n{then} and discard what you typed?"

    def action_leave(self) -> None:
        typed = self.unsaved()
        if not typed:
            self._close(False)
            return

        def answer(discard: bool | None) -> None:
            if discard:
                self._close(False)

        self.app.push_screen(
            ConfirmScreen(self._unsaved_question(typed, "Leave"), yes="Discard", no="Keep editing"),
            answer,
        )

    async def prepare_to_quit(self) -> bool:
        """Before the app quits (ctrl+q, the palette): let the entry field handle every key it
        already has (a score and Enter typed just before ctrl+q), wait until the writer thread
        has put every save on disk, and ask if typed text is unsaved. True = quit now; False =
        the question is showing (its answer quits or not)."""
        await self._settle_keys()
        self._drain()
        typed = self.unsaved()
        if not typed:
            return True

        def answer(discard: bool | None) -> None:
            if discard:
                self.app.exit()
            else:
                self.focus_row(self.index)

        self.app.push_screen(
            ConfirmScreen(
                self._unsaved_question(typed, "Quit"), yes="Discard and quit", no="Keep editing"
            ),
            answer,
        )
        return False

    async def settle_for_exit(self) -> None:
        """The app is closing with no one to ask (SIGTERM, SIGHUP): handle the keys already
        typed and put every save on disk."""
        await self._settle_keys()
        self._drain()

    async def _settle_keys(self) -> None:
        """Wait until the entry field has processed every event already queued for it."""
        fields = self.query("#entry-input")
        if not fields:
            return
        settled = asyncio.get_running_loop().create_future()
        if fields.first().call_later(settled.set_result, None):
            await asyncio.wait_for(settled, timeout=5)

    def _drain(self) -> None:
        if self.writer is not None:
            self.writer.drain()

    def on_unmount(self) -> None:
        """However the screen goes (dismissed, the app closing), every save is on disk."""
        if self.writer is not None:
            self.writer.drain()
            self.writer.stop()
            self.writer = None

    def _close(self, logged: bool) -> None:
        if self.writer is not None:
            self.writer.drain()
            self.writer.stop()
            self.writer = None
        self.dismiss(logged)
