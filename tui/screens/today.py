"""The Today screen: the day's groups, the selected group's students, what needs attention."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import partial
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.message import Message
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from store import schedule
from store.db import Store
from store.errors import CorruptFileError
from store.lessons import group_left_off
from store.model import Group, Session
from tui.keys import bindings
from tui.screens.base import AppScreen
from tui.views.lines import MeasureLine, group_lines
from tui.views.today import DayRow, group_status, moment_text
from tui.widgets.footer import Footer
from tui.widgets.measure_cells import last_text, sparkline_text, status_text
from tui.widgets.row_table import RowTable

if TYPE_CHECKING:
    from textual.geometry import Region
    from textual.strip import Strip
    from textual.timer import Timer

    from tui.views.attention import AttentionBook
    from tui.views.attention_prefill import Pane, PaneLine, Prefill

GROUP_COLUMNS = ["Time", "Group", "Status", "N", "Where", "Program · skill"]
FIRST_OPTIONS = 4  # attention lines added at once beyond the pane's height; the rest follow
MORE_OPTIONS = 150  # lines added after each paint (~40 ms on a slow machine: keys still flow)
PAINT_WAIT = 0.25  # seconds: the next lines are added then if Today is shown, painted or not
STUDENT_COLUMNS = ["Student", "Gr", "Measure", "Progress", "Last", "Status", ""]

STATUS_STYLE = {
    "done ✓": "green",
    "now ●": "bold reverse",
    "next": "bold",
    "later": "",
    "cancelled": "dim strike",
    "not logged": "yellow",
}


class DayBar(Static):
    """Date, live clock and the moment in the day."""


class GroupTable(RowTable):
    """The day's groups. Enter (the table's select key) opens score entry, so the footer
    says so instead of hiding it behind the table's unlabelled Enter."""

    BINDINGS = bindings("today_groups")


class StudentTable(RowTable):
    """The selected group's students. Enter opens the highlighted student."""

    BINDINGS = bindings("today_students")


class AttentionList(OptionList):
    """What needs attention. Enter opens that line's student."""

    BINDINGS = bindings("today_attention")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._after_paint: list[Callable[[], None]] = []
        self._paint_wait: Timer | None = None

    def after_paint(self, callback: Callable[[], None]) -> None:
        """Run ``callback`` once the list's next paint is drawn (or after ``PAINT_WAIT``
        should none come while Today is shown). OptionList measures every line it
        is given, and Textual's ``call_after_refresh`` runs before the screen is drawn, so
        lines added that way delayed the paint of the ones already there."""
        self._after_paint.append(callback)
        if self._paint_wait is not None:
            self._paint_wait.stop()
        self._paint_wait = self.set_timer(PAINT_WAIT, self._waited)
        self.refresh()

    def _waited(self) -> None:
        """``PAINT_WAIT`` passed with no paint: the callbacks run if Today is shown (the
        list is clipped away: a short terminal), else they wait for its return — another
        screen covers it, and the user's work there (score entry) is not stalled by lines
        no one can see."""
        self._paint_wait = None
        if not self.screen.is_active:  # (a modal's see-through screen is still painted)
            self._paint_wait = self.set_timer(PAINT_WAIT, self._waited)
            return
        self._painted()

    def render_lines(self, crop: Region) -> list[Strip]:
        lines = super().render_lines(crop)
        if self._after_paint:
            self.call_later(self._painted)  # once this paint is out
        return lines

    def _painted(self) -> None:
        if self._paint_wait is not None:
            self._paint_wait.stop()
            self._paint_wait = None
        callbacks, self._after_paint = self._after_paint, []
        for callback in callbacks:
            callback()


def _session_or_none(store: Store, group_id: str, day: date) -> Session | None:
    """The group's session on ``day``; None when its log cannot be read (Today names the
    damaged file, and the group's students say "session log damaged")."""
    try:
        return store.session_on(group_id, day)
    except CorruptFileError:
        return None


class TodayScreen(AppScreen[None]):
    """The app's home."""

    BINDINGS = bindings("today")

    class AttentionReady(Message):
        """The attention pane for a day (``pane``), with its book and lines; or the pane
        alone (``book`` None), as a start-up's forked child sent it
        (``tui.views.attention_prefill``): the book is read next."""

        def __init__(
            self,
            day: date,
            pane: Pane,
            lines: list[MeasureLine],
            unlogged: list[tuple[Group, date]] | None,
            book: AttentionBook | None = None,
            seq: int = 0,
        ) -> None:
            super().__init__()
            self.day = day
            self.pane = pane
            self.lines = lines
            self.unlogged = unlogged
            self.book = book
            self.seq = seq

    class UnloggedReady(Message):
        """The past week's unlogged sessions, computed after the attention list."""

        def __init__(self, day: date, unlogged: list[tuple[Group, date]], seq: int) -> None:
            super().__init__()
            self.day = day
            self.unlogged = unlogged
            self.seq = seq

    def __init__(self, start_date: date | None = None) -> None:
        super().__init__()
        self.day: date = start_date or self.today()
        self.rows: list[DayRow] = []
        self.lines: list[MeasureLine] = []
        self.attention: list[MeasureLine] = []  # the list's lines, once its book is read
        self.attention_keys: list[tuple[str, str]] = []  # each line's (student id, measure)
        self.shown_pane: Pane | None = None  # what the attention pane shows
        self.prefill: Prefill | None = None  # the start-up child whose pane is shown
        self.shown_group: str | None = None
        self.attention_day: date | None = None  # the day the attention list was computed for
        self.unlogged: list[tuple[Group, date]] = []  # past meetings with no session logged
        self.book: AttentionBook | None = None  # the attention lines by student, for a day
        self.stale: set[str] = set()  # students saved for since the book was computed
        self.attention_seq = 0  # the latest attention computation asked for
        self.unlogged_pending = False  # the list is shown, its unlogged line not yet
        self.attention_filled = 0  # lists shown so far (``add_attention``)
        self.attention_adding = False  # the list's later lines are still being added

    # ------------------------------------------------------------------ helpers
    def is_loaded(self) -> bool:
        """The needs-attention list (a worker) is computed for the day shown and all in the
        pane, and the unlogged-sessions line read after it is shown."""
        loaded = self.attention_day == self.day
        return loaded and not self.unlogged_pending and not self.attention_adding

    def compose(self) -> ComposeResult:
        yield DayBar(id="day-bar")
        yield Static(id="unlogged-bar")
        yield Static("Groups", classes="pane-title", id="groups-title")
        yield GroupTable(columns=GROUP_COLUMNS, id="groups", zebra_stripes=True)
        yield Static("Students", classes="pane-title", id="students-title")
        yield StudentTable(columns=STUDENT_COLUMNS, id="students")
        yield Static("Needs attention", classes="pane-title", id="attention-title")
        yield AttentionList(id="attention")
        yield Footer()

    def on_mount(self) -> None:
        # the tables' columns are given in compose: load_day is safe before this runs
        self.load_day()
        self.query_one("#groups", RowTable).focus()
        self.set_interval(1.0, self.tick)

    # ------------------------------------------------------------------ loading
    def load_day(self, *, keep_group: str | None = None) -> None:
        """Read the viewed day's meetings and sessions and fill the groups table."""
        store = self.store
        now = self.clock()
        calendar = store.calendar()
        # the groups that can still meet from the earlier of the day shown and now (the
        # next meeting is looked for from now): past years' ended groups are not parsed
        open_groups = store.groups_open_on(min(self.day, now.date()))
        meetings = schedule.meetings_on(open_groups, calendar, self.day)
        sessions = {m.group.id: _session_or_none(store, m.group.id, self.day) for m in meetings}
        upcoming = [m.start for m in meetings if m.start > now and (sessions[m.group.id] is None)]
        next_start = min(upcoming) if upcoming else None
        self.rows = [
            DayRow(m, sessions[m.group.id], group_status(m, sessions[m.group.id], now, next_start))
            for m in meetings
        ]
        self.no_school = calendar.no_school_label(self.day) or (
            "weekend" if self.day.weekday() >= 5 else None
        )
        self.next_meeting = (
            schedule.next_meeting(open_groups, calendar, now) if not self.rows else None
        )
        self.has_groups = bool(open_groups) or bool(store.groups())
        table = self.query_one("#groups", RowTable)
        table.clear()
        for row in self.rows:
            g = row.group
            program = " · ".join(p for p in (g.program, g.skill_focus) if p)
            table.add_row(
                Text(f"{row.meeting.start:%-H:%M}–{row.meeting.end:%-H:%M}"),
                Text(g.name),
                Text(row.status, style=STATUS_STYLE.get(row.status, "")),
                Text(str(len(g.members_on(self.day)))),
                Text(g.location),
                Text(program, no_wrap=True, overflow="ellipsis"),
                key=g.id,
            )
        self.query_one("#groups-title", Static).update(self._groups_title())
        self.tick()
        if self.rows:
            target = self._initial_row(keep_group)
            table.move_cursor(row=target)
            self.show_group(self.rows[target].group)
        else:
            self.show_group(None)
        # the caseload summary waits for the paint: the day's groups come first; it is
        # computed again only for another day or after a save (``_came_back``)
        if self.attention_day != self.day:
            pending = self.query_one("#attention", OptionList)
            pending.clear_options()
            self.shown_pane = None
            pending.add_option(Option(Text("Checking the caseload…", style="dim"), disabled=True))
            self.start_attention()

    def start_attention(self) -> None:
        """Compute the attention list in a worker thread once this paint is on screen: only
        the stale students' lines when the book is this day's, else every student's. At
        start the pane comes from the child the app forked (``tui.views.attention_prefill``):
        shown in this paint if it has come already (the child is usually done before
        Textual is), else as soon as it comes."""
        self.attention_seq += 1
        prefill = self.app.take_prefill(self.day)  # type: ignore[attr-defined]
        if prefill is None:
            self.call_after_refresh(self.load_attention, self.attention_seq)
        elif prefill.received():
            self._prefill_received(prefill, self.day, self.attention_seq, here=True)
        else:
            prefill.when_received(
                partial(self._prefill_received, prefill, self.day, self.attention_seq)
            )

    def _prefill_received(self, prefill: Prefill, day: date, seq: int, here: bool = False) -> None:
        """The child's pane has come (in its receiver thread, or ``here`` in this one): shown
        as it is; the book is read after it (all but read back from the rows the child
        kept). A child that sent none leaves the list to be computed here."""
        pane = prefill.pane()  # here already: no wait
        if pane is None:
            if not prefill.closed:  # (closed: the app quits, nothing to compute)
                self.call_later(self.load_attention, seq, prefill)
            return
        self.prefill = prefill  # its kept rows are read next (``finish`` first)
        message = self.AttentionReady(day, pane, [], None, None, seq)
        if here:
            self.on_today_screen_attention_ready(message)
        else:
            self.post_message(message)

    def _initial_row(self, keep_group: str | None) -> int:
        ids = [r.group.id for r in self.rows]
        if keep_group in ids:
            return ids.index(keep_group)
        for wanted in ("now ●", "next"):
            for i, r in enumerate(self.rows):
                if r.status == wanted:
                    return i
        return 0

    def _groups_title(self) -> Text:
        title = Text("Groups", style="bold")
        if self.rows:
            title.append(f" · {len(self.rows)} on {self.day:%a %b %-d}", style="dim")
        elif not self.has_groups:
            title.append(" · none yet — groups you add will appear here", style="dim")
        elif self.no_school:
            title.append(f" · no school ({self.no_school})", style="dim")
        else:
            title.append(" · no groups meet this day", style="dim")
        return title

    def show_group(self, group: Group | None) -> None:
        """Fill the students table for ``group`` (None: empty state)."""
        table = self.query_one("#students", RowTable)
        table.clear()
        title = self.query_one("#students-title", Static)
        self.lines = []
        self.shown_group = group.id if group else None
        if group is None:
            title.update(Text("Students", style="bold"))
            return
        self.lines = group_lines(self.store, group, self.day, self.config)
        heading = Text("Students", style="bold")
        heading.append(f" · {group.name}", style="bold")
        where = group_left_off(self.store, group.id, self.day)
        if where is not None:  # where we left off: "Lesson 42 → 43"
            heading.append(" · ", style="dim")
            heading.append(where.text)
        if not self.lines:
            heading.append(
                " · no students in this group yet"
                if not group.members_on(self.day)
                else " · this group probes no measures",
                style="dim",
            )
        title.update(heading)
        weeks = self.config.sparkline_weeks
        previous = None
        for i, line in enumerate(self.lines):
            first = line.student.id != previous
            previous = line.student.id
            table.add_row(
                Text(line.student.name) if first else Text(""),
                Text(line.student.grade) if first else Text(""),
                Text(line.measure.code),
                sparkline_text(line, self.day, weeks),
                last_text(line),
                status_text(line),
                Text("probe due", style="bold yellow") if line.probe_due else Text(""),
                key=f"{i}",
            )

    @work(thread=True, group="attention")
    def load_attention(self, seq: int = 0, failed: Prefill | None = None) -> None:
        """The caseload summary is computed off the UI thread after the first paint: every
        student's lines, or after a save only the saved-for students' (``stale``).
        ``failed``: the start-up child that sent no pane, waited for (it exits) first."""
        from tui.views.attention import AttentionBook
        from tui.views.attention_prefill import pane_of

        day, book, stale = self.day, self.book, frozenset(self.stale)
        if failed is not None:
            failed.finish()
        started, self.prefill = self.prefill, None
        if started is not None:
            started.finish()  # it has written the rows it kept: the book reads them back
        if book is None or book.day != day or self.attention_day != day:
            book = AttentionBook(day)
            book.fill(self.store, self.config)
        else:
            book = book.refreshed(self.store, self.config, stale)
        # the list first: the unlogged line (its own bar) is read once the list is on screen
        self.post_message(
            self.AttentionReady(day, pane_of(self.store, book), book.lines, None, book, seq)
        )

    @work(thread=True, group="unlogged")
    def load_unlogged(self, day: date, seq: int, book: AttentionBook | None = None) -> None:
        """The past week's unlogged sessions (it reads the week's session logs, which the
        attention list, from its kept rows, may not have read); then the list's rows are
        kept for the next start (``AttentionBook.keep``), off the list's way to the screen."""
        from tui.views.unlogged import unlogged_sessions

        now = self.clock()
        self.post_message(
            self.UnloggedReady(day, unlogged_sessions(self.store, now.date(), now=now), seq)
        )
        if book is not None:
            book.keep()

    def on_today_screen_attention_ready(self, message: AttentionReady) -> None:
        if message.day != self.day or message.seq != self.attention_seq:
            return  # another day's, or a later computation (with more saves) is under way
        self.book = message.book
        self.stale.clear()
        self.attention = message.lines
        self.attention_day = message.day
        if message.book is None:  # the start-up child's pane: the book is read after it,
            self.unlogged_pending = True  # then the unlogged line
            self.call_after_refresh(self.load_attention, message.seq)
        elif message.unlogged is not None:
            self.show_unlogged(message.unlogged)
        else:  # read once this list is painted
            self.unlogged_pending = True
            self.call_after_refresh(self.load_unlogged, message.day, message.seq, message.book)
        self.show_pane(message.pane)

    def show_pane(self, pane: Pane) -> None:
        """Show the attention pane (as it is already shown: nothing is drawn again)."""
        self.attention_keys = [(line.student_id, line.measure) for line in pane.lines]
        if pane == self.shown_pane:
            return
        self.shown_pane = pane
        # damaged files: named, never guessed
        items: list[Option | PaneLine] = [
            Option(Text(f"⚠ {problem}", style="bold red"), disabled=True)
            for problem in pane.problems
        ]
        if not pane.lines:
            items.append(
                Option(Text("Nothing needs attention — all on track", style="dim"), disabled=True)
            )
        items.extend(pane.lines)  # made into options as they are added (``add_attention``)
        self.query_one("#attention", OptionList).clear_options()
        self.attention_filled += 1  # a later list's lines replace any still being added
        self.add_attention(self.attention_filled, items, 0)
        title = Text("Needs attention", style="bold")
        if pane.counts:  # the caseload's counts line (store.caseload.attention_summary)
            title.append(f" · {pane.counts}")
        self.query_one("#attention-title", Static).update(title)

    def add_attention(self, filled: int, items: list[Option | PaneLine], start: int) -> None:
        """Add the list's lines from ``start``: a paneful at once, the rest in chunks after
        each paint (OptionList measures every line it is given; a school has hundreds)."""
        if filled != self.attention_filled:
            return  # a later list is being shown
        pane = self.query_one("#attention", AttentionList)
        # a line is one row or more; before the first layout the pane is no taller than
        # the screen
        first = (pane.size.height or self.app.size.height) + FIRST_OPTIONS
        end = min(len(items), start + (first if start == 0 else MORE_OPTIONS))
        # the problems' lines come first, as options already: ids count the pane's lines
        skipped = next((k for k, item in enumerate(items) if not isinstance(item, Option)), 0)
        pane.add_options(
            item
            if isinstance(item, Option)
            else Option(Text.assemble(*item.label), id=str(i - skipped))  # tui.tones
            for i, item in enumerate(items[start:end], start)
        )
        self.attention_adding = end < len(items)
        if self.attention_adding:
            pane.after_paint(partial(self.add_attention, filled, items, end))

    def on_today_screen_unlogged_ready(self, message: UnloggedReady) -> None:
        if message.day == self.day and message.seq == self.attention_seq:
            self.unlogged_pending = False
            self.show_unlogged(message.unlogged)

    def show_unlogged(self, unlogged: list[tuple[Group, date]]) -> None:
        """'2 sessions not logged this week — press u to log them' (hidden when none)."""
        self.unlogged = unlogged
        bar = self.query_one("#unlogged-bar", Static)
        bar.display = bool(unlogged)
        if unlogged:
            n = len(unlogged)
            text = Text(f"{n} session{'s' if n != 1 else ''} not logged this week", style="bold")
            text.append(" — press u to log them (Enter accepts “delivered, all present”)")
            bar.update(text)

    # ------------------------------------------------------------------ clock
    def tick(self) -> None:
        now = self.clock()
        text = Text()
        if self.context.is_demo:
            text.append(" DEMO ", style="bold reverse")
            text.append(" ")
        if self.store.view_only:  # --read-only, or a team viewer's replica
            text.append(" READ-ONLY ", style="bold reverse")
            text.append(" ")
        text.append(f"{self.day:%A %-d %B %Y}", style="bold")
        text.append(f"  {now:%-H:%M:%S}  ", style="dim")
        text.append(
            moment_text(
                self.day, now, self.rows, getattr(self, "next_meeting", None), self.no_school
            )
        )
        runner = getattr(self.app, "sync_runner", None)
        if runner is not None:  # only when this folder syncs with a team (issue 18)
            from tui.syncing import bar_text

            text.append(f"  {bar_text(runner.info, now)}", style="dim")
        self.query_one("#day-bar", DayBar).update(text)

    def refresh_after_sync(self) -> None:
        """The team's changes arrived: read the day again."""
        self.attention_day = None  # anyone's decisions may have changed: compute them all
        self.load_day()

    # ------------------------------------------------------------------ events & actions
    @on(RowTable.RowHighlighted, "#groups")
    def _group_highlighted(self, event: RowTable.RowHighlighted) -> None:
        row = event.table.cursor_row  # where the cursor is now, not when this was sent
        if 0 <= row < len(self.rows):
            group = self.rows[row].group
            if group.id != self.shown_group:
                self.show_group(group)

    @on(RowTable.RowSelected, "#groups")
    def _group_selected(self, event: RowTable.RowSelected) -> None:
        self.action_enter_scores()

    @on(RowTable.RowSelected, "#students")
    def _student_selected(self, event: RowTable.RowSelected) -> None:
        if 0 <= event.cursor_row < len(self.lines):
            line = self.lines[event.cursor_row]
            self.open_student(line.student.id, line.measure.code)

    @on(OptionList.OptionSelected, "#attention")
    def _attention_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id is not None:
            self.open_student(*self.attention_keys[int(event.option.id)])

    def open_student(self, student_id: str, measure: str) -> None:
        """Open a student's screen on a measure; back on Today, the cursor stays on them."""
        from tui.screens.student import StudentScreen

        screen = StudentScreen(student_id, self.day, measure)

        students = self.query_one("#students", RowTable)
        was_focused = self.focused is students

        def back(changed: object) -> None:
            # the student screen saves this student's records only, unless it undid a change
            only = changed and not screen.undid_change
            self._came_back(frozenset({student_id}) if only else changed)
            self._keep_cursor_on((student_id, measure), focus=was_focused)

        self.app.push_screen(screen, back)

    def _keep_cursor_on(self, key: tuple[str, str], *, focus: bool) -> None:
        """Back from a student (issue 19): the students table's cursor on the same student
        and measure (``key``), even when the day was read again."""
        students = self.query_one("#students", RowTable)
        at = next(
            (i for i, x in enumerate(self.lines) if (x.student.id, x.measure.code) == key), None
        )
        if at is not None and students.cursor_row != at:
            students.move_cursor(row=at)
        if focus:
            students.focus()

    def _came_back(self, changed: object = True, keep_group: str | None = None) -> None:
        """Back from a screen that may have changed records: read the day again. ``changed``
        is False (nothing saved: nothing is read), a frozenset of the only students whose
        records a save can have changed (just their attention lines are computed again), or
        anything else (every student's are)."""
        if changed is False:
            return
        keep = keep_group or self.shown_group
        if isinstance(changed, frozenset) and self.attention_day == self.day:
            self.load_day(keep_group=keep)
            if changed:
                self.stale.update(changed)
                self.start_attention()
            return
        self.attention_day = None
        self.load_day(keep_group=keep)

    def selected_row(self) -> DayRow | None:
        table = self.query_one("#groups", RowTable)
        if not self.rows or not (0 <= table.cursor_row < len(self.rows)):
            return None
        return self.rows[table.cursor_row]

    def chosen_row(self) -> DayRow | None:
        """The selected meeting, or None after saying there is none."""
        row = self.selected_row()
        if row is None:
            self.notify(
                "No group selected — no groups meet this day", severity="warning", markup=False
            )
        return row

    def action_enter_scores(self) -> None:
        focused = self.focused
        if focused is not None and focused.id in ("students", "attention"):
            return  # those panes handle Enter themselves (open the student)
        row = self.chosen_row()
        if row is None:
            return
        if self.day > self.today():
            self.notify(
                "That day has not happened yet — scores can't be entered for the future",
                severity="warning",
                markup=False,
            )
            return
        if not self.require_writable():
            return
        from tui.screens.score_entry import ScoreEntryScreen

        entry = ScoreEntryScreen(row.group, self.day, row.session)

        def done(_: object) -> None:
            # its saves are the group's members' scores and the group's session; an undo of
            # an earlier change may have touched anyone
            members = frozenset(m.student_id for m in row.group.memberships)
            self._came_back(True if entry.undid_earlier else members, keep_group=row.group.id)

        self.app.push_screen(entry, done)

    def action_cursor(self, step: int) -> None:
        widget = self.focused
        if isinstance(widget, RowTable):
            widget.action_cursor(step)
        elif isinstance(widget, OptionList):
            widget.action_cursor_down() if step > 0 else widget.action_cursor_up()

    def action_day(self, step: int) -> None:
        calendar = self.store.calendar()
        target = schedule.next_school_day(calendar, self.day, step)
        if target is None:
            self.notify(
                "No more school days that way in this school year", severity="warning", markup=False
            )
            return
        self.day = target
        self.load_day()

    def action_go_today(self) -> None:
        self.day = self.today()
        self.load_day()

    def action_help(self) -> None:
        self.context.open_help()  # the help reads this screen's BINDINGS: the app opens it

    def action_group(self) -> None:
        row = self.chosen_row()
        if row is None:
            return
        from tui.screens.group import GroupScreen

        self.app.push_screen(GroupScreen(row.group.id, self.day), self._came_back)

    def action_log_session(self) -> None:
        row = self.chosen_row()
        if row is None:
            return
        if self.day > self.today():
            self.notify("That session has not happened yet", severity="warning", markup=False)
            return
        if not self.require_writable():
            return
        from tui.screens.session_log import SessionLogScreen

        self.app.push_screen(SessionLogScreen(row.group, self.day), self._came_back)

    def action_unlogged(self) -> None:
        if not self.unlogged:
            self.notify("Every session of the past week is logged", markup=False)
            return
        if not self.require_writable():
            return
        from tui.screens.session_log import SessionLogScreen

        self.app.push_screen(SessionLogScreen(queue=self.unlogged), self._came_back)

    def action_caseload(self) -> None:
        from tui.screens.caseload import CaseloadScreen

        book = self.book  # the rows Today computed, when they are this day's and current
        fresh = book is not None and book.day == self.day == self.attention_day and not self.stale
        rows = book.rows if fresh and book is not None else None
        self.app.push_screen(CaseloadScreen(self.day, rows), self._came_back)

    def action_students(self) -> None:
        from tui.screens.students import StudentsScreen

        self.app.push_screen(StudentsScreen(), self._came_back)

    def action_groups(self) -> None:
        from tui.screens.groups import GroupsScreen

        self.app.push_screen(GroupsScreen(), self._came_back)

    def action_calendar(self) -> None:
        from tui.screens.calendar import CalendarScreen

        self.app.push_screen(CalendarScreen(), self._came_back)

    def action_measures(self) -> None:
        from tui.screens.measures import MeasuresScreen

        self.app.push_screen(MeasuresScreen(), self._came_back)

    def action_report(self) -> None:
        """A student report for the student under the cursor, else the meeting packet."""
        from tui.screens.report import ReportScreen

        student_id = None
        table = self.query_one("#students", RowTable)
        if self.focused is table and 0 <= table.cursor_row < len(self.lines):
            student_id = self.lines[table.cursor_row].student.id
        self.app.push_screen(ReportScreen(student_id))

    def action_exports(self) -> None:
        from tui.screens.exports import ExportsScreen

        self.app.push_screen(ExportsScreen())

    def action_import_roster(self) -> None:
        """Import a roster or scores: ask which, then open that import screen."""
        if not self.require_writable():
            return
        from tui.screens.import_scores import ImportChoiceScreen

        def chosen(kind: str | None) -> None:
            if kind == "roster":
                from tui.screens.import_roster import ImportRosterScreen

                self.app.push_screen(ImportRosterScreen(), self._came_back)
            elif kind == "scores":
                from tui.screens.import_scores import ImportScoresScreen

                self.app.push_screen(ImportScoresScreen(), self._came_back)

        self.app.push_screen(ImportChoiceScreen(), chosen)
