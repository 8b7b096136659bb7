"""Caseload review: every active student × monitored measure on one screen, most urgent first.

Meeting prep. The caseload summary is computed once, in a worker thread after the first
paint ("Loading…" until then); filtering works on those rows in memory and never touches the
Store. ``/`` opens the filter; it matches as you type:

* free words must all appear in the student's name, group, measure, status or decision;
* ``tier:3`` · ``group:fluency`` · ``measure:orf`` · ``status:below`` (status or decision,
  e.g. ``status:change``, ``status:overdue``) narrow by one field; quote values with spaces
  (``group:"Fluency 3"``).

Enter opens the student screen on that row's measure.
"""

from __future__ import annotations

import shlex
from collections.abc import Iterable
from dataclasses import field
from datetime import date

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.message import Message
from textual.widgets import DataTable, Input, Static

from store.caseload import CaseloadRow, attention_summary
from store.records import frozen_record
from tui.keys import bindings
from tui.screens.base import AppScreen
from tui.tones import decision_text, decision_words
from tui.widgets.footer import Footer
from tui.widgets.sparkline import progress_sparkline

STATUS_STYLE = {"on track": "green", "above": "bold green", "below": "bold red"}
STATUS_SHORT = {"insufficient data": "few data"}
COLUMNS = (
    ("Student", "student", 15),
    ("Gr", "grade", 2),
    ("Group", "group", 11),
    ("T", "tier", 1),
    ("Measure", "measure", 7),
    ("Progress", "spark", 12),
    ("Last", "last", 11),
    ("ROI act/need", "roi", 12),
    ("Status", "status", 8),
    ("Decision", "decision", 21),
)
FILTER_KEYS = ("tier", "group", "measure", "status")
FIRST_ROWS = 120  # rows added at once (more than a tall terminal shows); the rest follow
MORE_ROWS = 500  # rows added after each paint
HELP = (
    "/ filter as you type: words match name, group, measure, status, decision · "
    'tokens: tier:3  group:fluency  measure:ORF  status:below  (quote spaces: group:"Fluency 3")'
    " · Enter opens the student · Esc back"
)


def _roi(value: float | None) -> str:
    return "–" if value is None else f"{value:+.1f}"


def sparkline_of(row: CaseloadRow, day: date, weeks: int) -> Text:
    """The row's weekly sparkline on a fixed scale (measure floor to goal / highest score)."""
    m = row.measure
    points = list(row.progress.points)
    top = [v for _, v in points] + ([row.goal.goal_value] if row.goal else [])
    aim = row.progress.aim
    return progress_sparkline(
        points,
        end=day,
        weeks=weeks,
        lo=m.min if m.min < 0 else 0.0,
        hi=max(top + [m.min + 1]),
        aim=aim.value_at if aim is not None else None,
        higher_is_better=m.higher_is_better,
    )


@frozen_record
class CaseloadEntry:
    """One caseload row with what the filter searches, built once (its cells are drawn
    when the row is added to the table: ``entry_cells``)."""

    row: CaseloadRow
    haystack: str
    groups: tuple[str, ...]
    tiers: tuple[str, ...]
    statuses: str


def _tiers(row: CaseloadRow) -> tuple[str, ...]:
    return tuple(sorted({str(g.tier) for g in row.groups}))


def entry_cells(row: CaseloadRow, day: date, weeks: int) -> tuple[object, ...]:
    """What the table shows for ``row``."""
    m = row.measure
    tiers = _tiers(row)
    last = Text("–", style="dim")
    if row.last_score is not None and row.last_date is not None:
        last = Text(m.format(row.last_score))
        last.append(f" {row.last_date:%b %d}", style="dim")
    roi = Text(f"{_roi(row.actual_roi)} / {_roi(row.needed_roi)}")
    decision = decision_text(row, short=True)
    return (
        Text(row.student.name, no_wrap=True, overflow="ellipsis"),
        row.student.grade,
        Text(row.group_names or "–", no_wrap=True, overflow="ellipsis"),
        "/".join(tiers) or "–",
        m.code,
        sparkline_of(row, day, weeks),
        last,
        roi,
        Text(STATUS_SHORT.get(row.status, row.status), style=STATUS_STYLE.get(row.status, "dim")),
        decision,
    )


def make_entry(row: CaseloadRow) -> CaseloadEntry:
    m = row.measure
    tiers = _tiers(row)
    statuses = " ".join(
        [
            row.status,
            row.urgency_label,
            decision_words(row, short=True),
            row.decision.kind.replace("-", " "),
        ]
        + (["overdue"] if row.probe_overdue else [])
    ).casefold()
    haystack = " ".join(
        [row.student.name, row.group_names, m.code, m.name, statuses, f"grade {row.student.grade}"]
    ).casefold()
    return CaseloadEntry(
        row, haystack, tuple(g.name.casefold() for g in row.groups), tiers, statuses
    )


@frozen_record
class CaseloadFilter:
    """A parsed filter: free words plus ``key:value`` tokens (all must match)."""

    words: tuple[str, ...] = ()
    fields: tuple[tuple[str, str], ...] = field(default_factory=tuple)

    @classmethod
    def parse(cls, text: str) -> CaseloadFilter:
        try:
            tokens = shlex.split(text)
        except ValueError:  # an unclosed quote while typing
            tokens = text.replace('"', "").replace("'", "").split()
        words: list[str] = []
        fields: list[tuple[str, str]] = []
        for token in tokens:
            key, sep, value = token.partition(":")
            if sep and key.casefold() in FILTER_KEYS:
                if value:
                    fields.append((key.casefold(), value.casefold()))
            else:
                words.append(token.casefold())
        return cls(tuple(words), tuple(fields))

    def matches(self, entry: CaseloadEntry) -> bool:
        if not all(w in entry.haystack for w in self.words):
            return False
        for key, value in self.fields:
            if key == "tier" and value not in entry.tiers:
                return False
            if key == "group" and not any(value in g for g in entry.groups):
                return False
            if key == "measure":
                m = entry.row.measure
                if value != m.code.casefold() and value not in m.name.casefold():
                    return False
            if key == "status" and value not in entry.statuses:
                return False
        return True


def filter_entries(entries: Iterable[CaseloadEntry], text: str) -> list[CaseloadEntry]:
    """The entries the filter text keeps, in their (urgency) order."""
    f = CaseloadFilter.parse(text)
    return [e for e in entries if f.matches(e)]


class CaseloadScreen(AppScreen[bool]):
    """Every active student with each monitored measure, sorted by urgency, filterable.
    Dismissed with whether something may have been saved from it (a student's screen,
    meeting mode)."""

    BINDINGS = bindings("caseload")

    class RowsReady(Message):
        """The worker computed the caseload."""

        def __init__(self, entries: list[CaseloadEntry]) -> None:
            super().__init__()
            self.entries = entries

    def __init__(self, day: date, rows: Iterable[CaseloadRow] | None = None) -> None:
        """``rows``: the caseload as of ``day`` when the opener has it computed already."""
        super().__init__()
        self.day = day
        self.given: list[CaseloadRow] | None = None if rows is None else list(rows)
        self.changed = False
        self.filled = 0  # how many times the table was filled (a filter refills it)
        self.adding = False  # rows of the current fill are still being added
        self.cells: dict[int, tuple[object, ...]] = {}  # id(entry) → its drawn cells
        self.entries: list[CaseloadEntry] | None = None  # None while loading
        self.summary = ""  # attention_summary of every row (not only the filtered ones)
        self.shown: list[CaseloadEntry] = []

    def compose(self) -> ComposeResult:
        yield Static(id="cl-title")
        yield Input(placeholder="filter: words, tier:3 group:… measure:… status:…", id="cl-filter")
        yield Static(Text(HELP), id="cl-help")
        yield Static(Text("Loading the caseload…", style="dim"), id="cl-loading")
        yield DataTable(id="cl-table", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#cl-table", DataTable)
        for label, key, width in COLUMNS:
            table.add_column(label, key=key, width=width)
        self.update_title()
        table.focus()
        self.set_timer(0.05, self.load_rows)  # after the first paint

    # ------------------------------------------------------------------ loading
    @work(thread=True, exclusive=True, group="caseload")
    def load_rows(self) -> None:
        """Compute the caseload once, off the UI thread."""
        from tui.views.attention import caseload_rows

        rows, self.given = self.given, None  # the opener's rows serve the first load only
        if rows is None:
            rows = caseload_rows(self.store, self.day, self.config)
        entries = [make_entry(r) for r in rows]
        self.post_message(self.RowsReady(entries))

    def is_loaded(self) -> bool:
        """The caseload (a worker) is computed and shown."""
        return self.entries is not None and not self.adding

    def on_caseload_screen_rows_ready(self, message: RowsReady) -> None:
        self.entries = message.entries
        self.cells.clear()
        self.summary = attention_summary(e.row for e in message.entries)
        self.query_one("#cl-loading", Static).display = False
        from tui.views.attention import unreadable_files

        for problem in unreadable_files(self.store):  # left out of the rows: named here
            self.notify(problem, title="Scores file damaged", severity="error", timeout=20,
                        markup=False)  # fmt: skip
        self.apply_filter()

    # ------------------------------------------------------------------ filtering
    @on(Input.Changed, "#cl-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.apply_filter()

    @on(Input.Submitted, "#cl-filter")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        """Enter in the filter box opens the first match (issue 19)."""
        table = self.query_one("#cl-table", DataTable)
        table.focus()
        if self.shown:
            table.move_cursor(row=0)
            self.open_entry(self.shown[0])

    def apply_filter(self) -> None:
        """Show the in-memory rows the filter keeps (no Store access)."""
        if self.entries is None:
            return
        text = self.query_one("#cl-filter", Input).value
        table = self.query_one("#cl-table", DataTable)
        self.shown = filter_entries(self.entries, text)
        table.clear()
        self.filled += 1  # a later filter's rows replace any still being added
        self.add_rows(self.filled, 0)
        self.update_title()

    def add_rows(self, filled: int, start: int) -> None:
        """Add the shown rows from ``start``: a screenful at once, the rest in chunks after
        each paint, so a school's caseload shows at once (DataTable measures every cell it
        is given)."""
        if filled != self.filled:
            return  # the filter changed since: its own rows are being added
        table = self.query_one("#cl-table", DataTable)
        end = min(len(self.shown), start + (FIRST_ROWS if start == 0 else MORE_ROWS))
        weeks = self.config.sparkline_weeks
        for i in range(start, end):
            entry = self.shown[i]
            cells = self.cells.get(id(entry))  # drawn once per entry, when first shown
            if cells is None:
                cells = self.cells[id(entry)] = entry_cells(entry.row, self.day, weeks)
            table.add_row(*cells, key=str(i))
        self.adding = end < len(self.shown)
        if self.adding:
            self.call_after_refresh(self.add_rows, filled, end)

    def update_title(self) -> None:
        title = Text("Caseload review", style="bold")
        title.append(f" · {self.day:%a %b %-d, %Y}", style="dim")
        if self.entries is None:
            title.append(" · loading…", style="dim")
        else:
            total = len(self.entries)
            students = len({e.row.student.id for e in self.entries})
            title.append(f" · {students} students · {total} rows", style="dim")
            if len(self.shown) != total:
                title.append(f" · showing {len(self.shown)}", style="bold")
            summary = self.summary
            if summary:  # the counts line Today, the packet and `intervene caseload` show
                title.append(f"\n{summary}", style="bold")
            else:
                title.append("\nnothing needs a decision", style="dim")
        self.query_one("#cl-title", Static).update(title)

    # ------------------------------------------------------------------ actions
    def selected(self) -> CaseloadEntry | None:
        table = self.query_one("#cl-table", DataTable)
        if not self.shown or not 0 <= table.cursor_row < len(self.shown):
            return None
        return self.shown[table.cursor_row]

    @on(DataTable.RowSelected, "#cl-table")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        self.action_open()

    def action_open(self) -> None:
        if isinstance(self.focused, Input):
            self.query_one("#cl-table", DataTable).focus()
            return
        entry = self.selected()
        if entry is None:
            self.notify("No student selected", severity="warning", markup=False)
            return
        self.open_entry(entry)

    def open_entry(self, entry: CaseloadEntry) -> None:
        """The student screen on the entry's student and measure."""
        from tui.screens.student import StudentScreen

        screen = StudentScreen(entry.row.student.id, self.day, entry.row.measure.code)
        self.app.push_screen(screen, self._student_closed)

    def _student_closed(self, changed: bool | None) -> None:
        if changed:
            self.changed = True
            self.action_reload()

    def action_reload(self) -> None:
        self.entries = None
        self.query_one("#cl-loading", Static).display = True
        self.update_title()
        self.load_rows()

    def action_meeting(self) -> None:
        """Meeting mode over the students who need a decision (recomputed after it)."""
        from tui.screens.meeting import MeetingScreen

        self.app.push_screen(MeetingScreen(self.day), self._student_closed)

    def action_filter(self) -> None:
        self.add_class("-filtering")
        self.query_one("#cl-filter", Input).focus()

    def action_back(self) -> None:
        box = self.query_one("#cl-filter", Input)
        if self.focused is box:
            if box.value:
                box.value = ""
            else:
                self.remove_class("-filtering")
            self.query_one("#cl-table", DataTable).focus()
            return
        self.dismiss(self.changed)

    def action_cursor(self, step: int) -> None:
        table = self.query_one("#cl-table", DataTable)
        table.move_cursor(row=table.cursor_row + step)
