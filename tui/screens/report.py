"""Write a report from the app: a student's progress report, a family letter or the meeting
packet, as Markdown, HTML or text, to a file readable by the user only. The report is built
and written by tui.documents.write_report (as ``intervene report`` does), in a thread, and
recorded in the export log."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult, SystemCommand
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Button, Header, Input, RadioButton, RadioSet, Static

from store.errors import StoreError, ValidationError
from store.export import find_student
from store.model import Student
from tui.documents import ReportError, default_filename, write_report
from tui.documents.letter import settings_signature
from tui.keys import bindings
from tui.screens.base import AppScreen
from tui.screens.confirm import write_unless_refused
from tui.widgets.footer import Footer
from tui.widgets.form import Form, FormField
from tui.widgets.path_input import PathSuggester, output_path

REPORT_KINDS: dict[str, str] = {
    "student": "Student progress report  (for the team)",
    "letter": "Family letter  (plain words)",
    "packet": "Meeting packet  (whole caseload)",
}
REPORT_FORMATS: dict[str, str] = {
    "md": "Markdown",
    "html": "HTML  (a browser prints it well)",
    "text": "Plain text",
}


class ReportScreen(AppScreen[Path | None]):
    """Pick a report, a format and a file; write it. Dismisses with the last path written."""

    BINDINGS = bindings("report")

    class Written(Message, bubble=False):
        """A report was written to ``path``, or failed with ``error`` (nothing written)."""

        def __init__(self, path: Path | None, error: str = "") -> None:
            super().__init__()
            self.path = path
            self.error = error

    def __init__(
        self,
        student_id: str | None = None,
        *,
        kind: str | None = None,
        fmt: str = "html",
        folder: Path | None = None,
    ) -> None:
        super().__init__()
        self.student_id = student_id
        self.kind = kind if kind in REPORT_KINDS else ("student" if student_id else "packet")
        self.fmt = fmt if fmt in REPORT_FORMATS else "html"
        self.folder = folder or Path.home()
        self.auto_path = ""
        self.busy = False
        self.written: Path | None = None

    # ----------------------------------------------------------------- layout
    def compose(self) -> ComposeResult:
        student = self._initial_student()
        yield Header(show_clock=False)
        with Vertical(id="rp-box"):
            yield Static(Text("Write a report", style="bold"), id="rp-title")
            yield Static(
                Text(
                    "Reports hold students' names and scores: the file is readable by you only, "
                    "and it is recorded in the export log."
                ),
                id="rp-help",
            )
            with Horizontal(id="rp-choices"):
                with RadioSet(id="rp-kind"):
                    for kind, label in REPORT_KINDS.items():
                        yield RadioButton(label, value=kind == self.kind, id=f"rp-kind-{kind}")
                with RadioSet(id="rp-format"):
                    for fmt, label in REPORT_FORMATS.items():
                        yield RadioButton(label, value=fmt == self.fmt, id=f"rp-format-{fmt}")
            yield Form(
                FormField(
                    "Student",
                    Input(
                        student.name if student else "",
                        placeholder="a name, the start of one, or a SIS id",
                        id="rp-student",
                    ),
                    key="student",
                ),
                FormField(
                    "Save to",
                    Input(suggester=PathSuggester(base=self.folder), id="rp-path"),
                    key="path",
                    hint="The folder must exist; a name alone goes in your home folder.",
                ),
                id="rp-form",
            )
            with Horizontal(id="rp-buttons"):
                yield Button("Write (Ctrl+S)", id="rp-go", variant="primary")
                yield Button("Close (Esc)", id="rp-close")
            yield Static("", id="rp-result")
        yield Footer()

    def on_mount(self) -> None:
        self._update()
        self.query_one("#rp-kind", RadioSet).focus()

    # ----------------------------------------------------------------- state
    @property
    def form(self) -> Form:
        return self.query_one("#rp-form", Form)

    def _initial_student(self) -> Student | None:
        if self.student_id is None:
            return None
        try:
            return self.store.student(self.student_id)
        except StoreError:
            return None

    def _student(self) -> Student | None:
        """The student typed in (None when the field is empty); ValidationError if unknown."""
        text = self.query_one("#rp-student", Input).value
        if not text.strip():
            return None
        return find_student(self.store, text)

    def _update(self) -> None:
        """Show the student field for student reports; refresh the suggested file name."""
        self.form.field("student").display = self.kind != "packet"
        try:
            student = self._student() if self.kind != "packet" else None
        except ValidationError:
            student = None
        path = self.query_one("#rp-path", Input)
        if path.value in ("", self.auto_path):
            day = self.today()
            name = default_filename(self.kind, self.fmt, day, student)
            self.auto_path = str(self.folder / name)
            path.value = self.auto_path

    @on(RadioSet.Changed, "#rp-kind")
    def _kind_changed(self, event: RadioSet.Changed) -> None:
        self.kind = (event.pressed.id or "").removeprefix("rp-kind-")
        self.form.clear_errors()
        self._update()

    @on(RadioSet.Changed, "#rp-format")
    def _format_changed(self, event: RadioSet.Changed) -> None:
        self.fmt = (event.pressed.id or "").removeprefix("rp-format-")
        self._update()

    @on(Input.Changed, "#rp-student")
    def _student_changed(self) -> None:
        self.form.clear_errors()
        self._update()

    def choose(self, kind: str | None = None, fmt: str | None = None) -> None:
        """Select a report kind and/or format as if its radio button were pressed."""
        if kind is not None:
            self.query_one(f"#rp-kind-{kind}", RadioButton).value = True
        if fmt is not None:
            self.query_one(f"#rp-format-{fmt}", RadioButton).value = True

    # ----------------------------------------------------------------- write
    @on(Button.Pressed, "#rp-go")
    def action_write(self) -> None:
        """Check the form; ask before replacing a file; then write in a thread."""
        if self.busy:
            return
        self.form.clear_errors()
        try:
            student = self._student() if self.kind != "packet" else None
            if self.kind != "packet" and student is None:
                raise ValidationError(
                    "this report is about one student: name them", field="student"
                )
            path = output_path(self.query_one("#rp-path", Input).value, self.folder)
        except ValidationError as exc:
            self.form.show_error(exc)
            return
        kind, fmt = self.kind, self.fmt
        student_id = student.id if student else None

        def go() -> None:
            self.busy = True
            self.query_one("#rp-result", Static).update(Text("Writing…", style="dim"))
            self._write(kind, fmt, path, student_id)

        write_unless_refused(self, path, go)

    @work(thread=True, exclusive=True, group="report")
    def _write(self, kind: str, fmt: str, path: Path, student_id: str | None) -> None:
        signature, lang = settings_signature(self.config.settings)
        try:
            out = write_report(
                kind,
                fmt,
                path,
                self.store,
                today=self.today(),
                student_id=student_id,
                config=self.config,
                signature=signature,
                lang=lang or "en",
            )
        except (ReportError, StoreError, OSError) as exc:
            self.post_message(self.Written(None, str(exc)))
            return
        self.post_message(self.Written(out.absolute()))

    def on_report_screen_written(self, message: Written) -> None:
        self.busy = False
        status = self.query_one("#rp-result", Static)
        if message.path is None:
            status.update("")
            self.form.show_error(f"The report was not written: {message.error}", "path")
            return
        self.written = message.path
        status.update(Text(f"✓ Wrote {message.path}", style="green"))
        self.notify(str(message.path), title="Report written", timeout=6, markup=False)

    # ----------------------------------------------------------------- leaving
    @on(Button.Pressed, "#rp-close")
    def action_close(self) -> None:
        self.dismiss(self.written)

    def extra_commands(self) -> Iterable[SystemCommand]:
        """Palette-only: choose what to write without tabbing to it."""
        for kind, label in REPORT_KINDS.items():
            title = label.split("  ")[0]
            yield SystemCommand(
                f"Report: {title}",
                f"Choose the {title.lower()}",
                lambda k=kind: self.choose(kind=k),
            )
        for fmt, label in REPORT_FORMATS.items():
            name = label.split("  ")[0]
            yield SystemCommand(
                f"Format: {name}", f"Write the report as {name}", lambda f=fmt: self.choose(fmt=f)
            )
        yield SystemCommand("Write the report", "Write the file (it is logged)", self.action_write)
        yield SystemCommand("Back", "Leave without writing", self.action_close)
