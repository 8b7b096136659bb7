"""The student list: search as you type, add, edit, archive / restore, move between groups,
and (for records entered by mistake) delete permanently with a typed confirmation."""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.widgets import DataTable, Header, Input, Static

from store.errors import StoreError
from store.model import Student
from tui.keys import bindings
from tui.screens.delete_student import DeleteStudentScreen
from tui.screens.list_screen import ListScreen
from tui.screens.move_student import MoveStudentScreen
from tui.screens.student_form import StudentForm
from tui.widgets.footer import Footer


def matches(student: Student, query: str) -> bool:
    """Every word of ``query`` is in the student's name, SIS identifier or grade."""
    hay = f"{student.name} {student.sis_id or ''} grade {student.grade}".casefold()
    return all(word in hay for word in query.casefold().split())


FIRST_ROWS = 120  # rows added at once (more than a tall terminal shows); the rest follow
MORE_ROWS = 500  # rows added after each paint


def _width(cell: Text) -> int:
    """A cell's width as DataTable measures it (its longest line)."""
    return max((cell_len(line) for line in cell.plain.splitlines()), default=0)


def _fit_columns(table: DataTable, rows: list[tuple[Text, ...]]) -> None:
    """Each column as wide as its label and widest cell, set before the rows are added in
    chunks (the width DataTable would find measuring them all, without its jumping)."""
    for n, column in enumerate(table.ordered_columns):
        column.width = max([_width(column.label)] + [_width(row[n]) for row in rows])
        column.auto_width = False


class StudentsScreen(ListScreen[Student]):
    """Every student, with search; archived ones behind a toggle."""

    BINDINGS = bindings("students")

    TABLE = "student-list"
    COLUMNS = (
        ("Student", "name"),
        ("Gr", "grade"),
        ("SIS id", "sis"),
        ("Groups", "groups"),
        ("Status", "status"),
        ("Notes", "notes"),
    )

    def __init__(self) -> None:
        super().__init__()
        self.show_archived = False
        self.filled = 0  # how many times the table was filled (a search refills it)
        self.adding = False  # rows of the current fill are still being added

    def is_loaded(self) -> bool:
        """Every shown student's row is in the table."""
        return not self.adding

    def item_key(self, item: Student) -> str:
        return item.id

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        yield Static(id="students-bar", classes="manage-bar")
        yield Input(placeholder="Search students (/) — name or SIS identifier", id="student-search")
        yield self.list_table()
        yield Footer()

    # ------------------------------------------------------------------ list
    def refresh_list(self, *, keep: str | None = None) -> None:
        """Reload the students (filtered by the search) and keep the cursor on ``keep``."""
        table = self.table
        keep = keep or self.cursor_key()
        everyone = self.store.students(include_archived=self.show_archived)
        query = self.query_one("#student-search", Input).value
        self.shown = [s for s in everyone if matches(s, query)]
        groups = self.store.groups()
        names: dict[str, list[str]] = {}
        for g in groups:
            for sid in g.member_ids:
                names.setdefault(sid, []).append(g.name)
        table.clear()
        rows: list[tuple[Text, ...]] = [
            (
                Text(s.name, style="" if s.active else "dim"),
                Text(s.grade),
                Text(s.sis_id or ""),
                Text(", ".join(names.get(s.id, [])), no_wrap=True, overflow="ellipsis"),
                Text("active") if s.active else Text("archived", style="dim italic"),
                Text(s.notes.splitlines()[0] if s.notes else "", no_wrap=True, overflow="ellipsis"),
            )
            for s in self.shown
        ]
        _fit_columns(table, rows)
        self.filled += 1  # a later search's rows replace any still being added
        at = next((i for i, s in enumerate(self.shown) if s.id == keep), 0)
        self.add_rows(self.filled, rows, 0, at + FIRST_ROWS)
        self.move_cursor_to(keep)
        bar = Text("Students", style="bold")
        active = sum(1 for s in everyone if s.active)
        bar.append(f" · {active} active", style="dim")
        if self.show_archived:
            bar.append(f" · {len(everyone) - active} archived shown (v hides)", style="dim")
        if query.strip():
            bar.append(f" · {len(self.shown)} match {query.strip()!r}", style="dim")
        if not everyone:
            bar.append(" · none yet — press a to add one", style="dim")
        self.query_one("#students-bar", Static).update(bar)

    def add_rows(self, filled: int, rows: list[tuple[Text, ...]], start: int, end: int) -> None:
        """Add rows ``start`` to ``end``, then the rest in chunks after each paint: a
        school's 3,000 students show at once (DataTable measures every cell it is given)."""
        if filled != self.filled:
            return  # the search changed since: its own rows are being added
        end = min(end, len(rows))
        for i in range(start, end):
            self.table.add_row(*rows[i], key=self.shown[i].id)
        self.adding = end < len(rows)
        if self.adding:
            self.call_after_refresh(self.add_rows, filled, rows, end, end + MORE_ROWS)

    @on(Input.Changed, "#student-search")
    def _search_changed(self) -> None:
        self.refresh_list()

    @on(Input.Submitted, "#student-search")
    def _search_submitted(self) -> None:
        """Enter in the search box opens the first match (issue 19)."""
        table = self.query_one("#student-list", DataTable)
        table.focus()
        if self.shown:
            table.move_cursor(row=0)
            self.action_open()

    @on(DataTable.RowSelected, "#student-list")
    def _row_selected(self) -> None:
        self.action_open()

    # ------------------------------------------------------------------ actions
    def action_cursor(self, step: int) -> None:
        self.table.move_cursor(row=self.table.cursor_row + step)

    def action_search(self) -> None:
        self.query_one("#student-search", Input).focus()

    def action_back(self) -> None:
        search = self.query_one("#student-search", Input)
        if search.value:
            search.value = ""
            self.table.focus()
            return
        self.dismiss(None)

    def action_open(self) -> None:
        """The student screen for the selected student (Enter on a student, anywhere)."""
        student = self.selected()
        if student is None:
            return
        from tui.screens.student import StudentScreen

        self.app.push_screen(
            StudentScreen(student.id, self.today()), lambda _: self.refresh_list(keep=student.id)
        )

    def action_add(self) -> None:
        self.app.push_screen(StudentForm(), self.after_form(lambda s: f"Added {s.name}"))

    def action_edit(self) -> None:
        student = self.selected()
        if student is not None:
            self.app.push_screen(StudentForm(student), self.after_form(lambda s: f"Saved {s.name}"))

    def action_archive(self) -> None:
        student = self.selected()
        if student is None:
            return
        try:
            if student.active:
                _, groups = self.store.archive_and_unenroll(student.id, self.today())
                left = f"; left {', '.join(g.name for g in groups)}" if groups else ""
                self.notify(
                    f"Archived {student.name} — records kept{left}. v shows archived, x restores.",
                    markup=False,
                )
            else:
                self.store.restore_student(student.id)
                self.notify(
                    f"Restored {student.name} — add them to a group from Groups", markup=False
                )
        except StoreError as exc:
            self.notify_error(exc)
        self.refresh_list(keep=student.id)

    def action_toggle_archived(self) -> None:
        self.show_archived = not self.show_archived
        self.refresh_list()

    def action_delete(self) -> None:
        student = self.selected()
        if student is None:
            return
        counts = self.store.student_footprint(student.id)

        def answer(yes: bool | None) -> None:
            if not yes:
                return
            try:
                self.store.delete_student(student.id)
            except StoreError as exc:
                self.notify_error(exc)
                return
            self.notify(f"Deleted {student.name} permanently — ctrl+z puts it back", markup=False)
            self.refresh_list()

        self.app.push_screen(DeleteStudentScreen(student, counts), answer)

    def action_move(self) -> None:
        student = self.selected()
        if student is None:
            return
        current = [g for g in self.store.groups() if student.id in g.member_ids]
        if not current:
            self.notify(
                f"{student.name} is in no group — add them from Groups",
                severity="warning",
                markup=False,
            )
            return

        def moved(result: str | None) -> None:
            if result:
                self.notify(result, markup=False)
                self.refresh_list(keep=student.id)

        self.app.push_screen(
            MoveStudentScreen(student, current, self.store.groups(), self.today()), moved
        )
