"""The student list: search as you type, add, edit, archive / restore, move between groups,
and (for records entered by mistake) delete permanently with a typed confirmation."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from rich.text import Text
from textual import on
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Header, Input, Select, Static

from store.errors import StoreError, ValidationError
from store.model import Group, Student, parse_date
from tui.screens.student_form import DeleteStudentScreen, StudentForm
from tui.undo import undo_last
from tui.widgets.footer import Footer
from tui.widgets.form import Form, FormField


def matches(student: Student, query: str) -> bool:
    """Every word of ``query`` is in the student's name, SIS identifier or grade."""
    hay = f"{student.name} {student.sis_id or ''} grade {student.grade}".casefold()
    return all(word in hay for word in query.casefold().split())


class StudentsScreen(Screen[None]):
    """Every student, with search; archived ones behind a toggle."""

    BINDINGS = [
        Binding(
            "enter",
            "open",
            "Open",
            id="students.open",
            tooltip="Open the student's progress (chart, goal, scores)",
        ),
        Binding("a", "add", "Add", id="students.add", tooltip="Add a student"),
        Binding("e", "edit", "Edit", id="students.edit", tooltip="Edit the selected student"),
        Binding(
            "x",
            "archive",
            "Archive/restore",
            id="students.archive",
            tooltip="Archive the selected student (records kept) or restore an archived one",
        ),
        Binding(
            "m", "move", "Move", id="students.move", tooltip="Move the student to another group"
        ),
        Binding(
            "v",
            "toggle_archived",
            "Show archived",
            id="students.show_archived",
            tooltip="Show or hide archived students",
        ),
        Binding(
            "D",
            "delete",
            "Delete…",
            id="students.delete",
            key_display="D",
            tooltip="Delete a student entered by mistake, with everything recorded about them",
        ),
        Binding(
            "slash",
            "search",
            "Search",
            id="students.search",
            key_display="/",
            tooltip="Search by name or SIS identifier",
        ),
        Binding("ctrl+z", "undo", "Undo", id="students.undo", tooltip="Undo the last change"),
        Binding(
            "down", "cursor(1)", "Down", id="students.down", show=False, tooltip="Next student"
        ),
        Binding("up", "cursor(-1)", "Up", id="students.up", show=False, tooltip="Previous student"),
        Binding("escape", "back", "Back", id="students.back", tooltip="Clear the search / go back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.show_archived = False
        self.shown: list[Student] = []

    @property
    def store(self):  # noqa: ANN201 - the app's Store
        return self.app.store  # type: ignore[attr-defined]

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        yield Static(id="students-bar", classes="manage-bar")
        yield Input(placeholder="Search students (/) — name or SIS identifier", id="student-search")
        yield DataTable(id="student-list", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#student-list", DataTable)
        table.add_column("Student", key="name")
        table.add_column("Gr", key="grade")
        table.add_column("SIS id", key="sis")
        table.add_column("Groups", key="groups")
        table.add_column("Status", key="status")
        table.add_column("Notes", key="notes")
        self.refresh_list()
        table.focus()

    # ------------------------------------------------------------------ list
    def refresh_list(self, *, keep: str | None = None) -> None:
        """Reload the students (filtered by the search) and keep the cursor on ``keep``."""
        table = self.query_one("#student-list", DataTable)
        if keep is None and self.shown and 0 <= table.cursor_row < len(self.shown):
            keep = self.shown[table.cursor_row].id
        everyone = self.store.students(include_archived=self.show_archived)
        query = self.query_one("#student-search", Input).value
        self.shown = [s for s in everyone if matches(s, query)]
        groups = self.store.groups()
        names = {}
        for g in groups:
            for sid in g.member_ids:
                names.setdefault(sid, []).append(g.name)
        table.clear()
        for s in self.shown:
            status = Text("active") if s.active else Text("archived", style="dim italic")
            table.add_row(
                Text(s.name, style="" if s.active else "dim"),
                s.grade,
                Text(s.sis_id or ""),
                Text(", ".join(names.get(s.id, [])), no_wrap=True, overflow="ellipsis"),
                status,
                Text(s.notes.splitlines()[0] if s.notes else "", no_wrap=True, overflow="ellipsis"),
                key=s.id,
            )
        ids = [s.id for s in self.shown]
        if keep in ids:
            table.move_cursor(row=ids.index(keep))
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

    def selected(self) -> Student | None:
        table = self.query_one("#student-list", DataTable)
        if not self.shown or not (0 <= table.cursor_row < len(self.shown)):
            return None
        return self.shown[table.cursor_row]

    @on(Input.Changed, "#student-search")
    def _search_changed(self) -> None:
        self.refresh_list()

    @on(Input.Submitted, "#student-search")
    def _search_submitted(self) -> None:
        self.query_one("#student-list", DataTable).focus()

    @on(DataTable.RowSelected, "#student-list")
    def _row_selected(self) -> None:
        self.action_open()

    # ------------------------------------------------------------------ actions
    def action_cursor(self, step: int) -> None:
        table = self.query_one("#student-list", DataTable)
        table.move_cursor(row=table.cursor_row + step)

    def action_search(self) -> None:
        self.query_one("#student-search", Input).focus()

    def action_back(self) -> None:
        search = self.query_one("#student-search", Input)
        if search.value:
            search.value = ""
            self.query_one("#student-list", DataTable).focus()
            return
        self.dismiss(None)

    def action_open(self) -> None:
        """The student screen for the selected student (Enter on a student, anywhere)."""
        student = self.selected()
        if student is None:
            return
        from tui.screens.student import StudentScreen

        day = self.app.clock().date()  # type: ignore[attr-defined]
        self.app.push_screen(
            StudentScreen(student.id, day), lambda _: self.refresh_list(keep=student.id)
        )

    def action_add(self) -> None:
        def saved(student: Student | None) -> None:
            if student is not None:
                self.notify(f"Added {student.name}", markup=False)
                self.refresh_list(keep=student.id)

        self.app.push_screen(StudentForm(), saved)

    def action_edit(self) -> None:
        student = self.selected()
        if student is None:
            return

        def saved(result: Student | None) -> None:
            if result is not None:
                self.notify(f"Saved {result.name}", markup=False)
                self.refresh_list(keep=result.id)

        self.app.push_screen(StudentForm(student), saved)

    def action_archive(self) -> None:
        student = self.selected()
        if student is None:
            return
        try:
            if student.active:
                _, groups = self.store.archive_and_unenroll(student.id, self.app.clock().date())  # type: ignore[attr-defined]
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
            self.notify(str(exc), severity="error", markup=False)
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
                self.notify(str(exc), severity="error", markup=False)
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

        today = self.app.clock().date()  # type: ignore[attr-defined]
        self.app.push_screen(MoveStudentScreen(student, current, self.store.groups(), today), moved)

    def action_undo(self) -> None:
        message = undo_last(self)
        if message is not None:
            self.notify(message, markup=False)
            self.refresh_list()

    def palette_commands(self) -> Iterable[SystemCommand]:
        yield SystemCommand("Open student", "The student's progress", self.action_open)
        yield SystemCommand("Add student", "Add a student", self.action_add)
        yield SystemCommand("Edit student", "Edit the selected student", self.action_edit)
        yield SystemCommand("Archive or restore student", "Records are kept", self.action_archive)
        yield SystemCommand(
            "Show archived students", "Show or hide archived students", self.action_toggle_archived
        )
        yield SystemCommand("Move student", "Move to another group on a date", self.action_move)
        yield SystemCommand(
            "Delete student permanently", "For a student entered by mistake", self.action_delete
        )


class MoveStudentScreen(ModalScreen[str | None]):
    """Move a student from one group to another on a date (both memberships keep the date)."""

    BINDINGS = [
        Binding("ctrl+s", "save", "Move", id="move_student.save", tooltip="Move the student"),
        Binding("escape", "cancel", "Cancel", id="move_student.cancel", tooltip="Close unsaved"),
    ]

    def __init__(
        self, student: Student, current: list[Group], groups: list[Group], today: date
    ) -> None:
        super().__init__()
        self.student = student
        self.current = current
        self.targets = [g for g in groups if student.id not in g.member_ids]
        self.today = today

    def compose(self) -> ComposeResult:
        with Vertical(id="move-box", classes="form-box"):
            yield Static(Text(f"Move {self.student.name}", style="bold"), classes="form-title")
            yield Form(
                FormField(
                    "From group",
                    Select(
                        [(Text(g.name), g.id) for g in self.current],
                        value=self.current[0].id,
                        allow_blank=False,
                        id="move-from",
                    ),
                    key="from_group",
                ),
                FormField(
                    "To group",
                    Select([(Text(g.name), g.id) for g in self.targets], id="move-to"),
                    key="to_group",
                ),
                FormField(
                    "On",
                    Input(self.today.isoformat(), id="move-on"),
                    key="on",
                    aliases=("moved on", "date"),
                    hint="They leave one group and join the other on this date.",
                ),
            )
            yield Static(Text("ctrl+s or Enter (in the date) moves · Esc cancels", style="dim"))

    @on(Input.Submitted, "#move-on")
    def _submitted(self) -> None:
        self.action_save()

    def action_save(self) -> None:
        form = self.query_one(Form)
        source = self.query_one("#move-from", Select).value
        target = self.query_one("#move-to", Select).value
        if not isinstance(target, str):
            form.show_error("choose the group to move to", "to_group")
            return
        try:
            day = parse_date(form.value("on"), "on")
            _, joined = self.app.store.move_member(self.student.id, source, target, day)  # type: ignore[attr-defined]
        except ValidationError as exc:
            form.show_error(exc)
            return
        except StoreError as exc:
            form.show_error(str(exc), "")
            return
        self.dismiss(f"Moved {self.student.name} to {joined.name} on {day}")

    def action_cancel(self) -> None:
        self.dismiss(None)
