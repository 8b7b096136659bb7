"""Export data from the app: scores or sessions as CSV (filtered, optionally de-identified),
a full JSON backup, or the group schedule as .ics — and the log of every export so far.

The files are written by the same functions as ``intervene export`` (store.export.run_export),
in a thread; each export is recorded in the Store's export log, shown on the right.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult, SystemCommand
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import (
    Button,
    DataTable,
    Header,
    Input,
    RadioButton,
    RadioSet,
    Static,
    Switch,
)

from store.errors import StoreError, ValidationError
from store.export import (
    EXPORT_KINDS,
    TABLE_KINDS,
    ExportFilter,
    ExportResult,
    default_export_name,
    export_filter,
    export_log_row,
    run_export,
)
from tui.keys import bindings
from tui.screens.base import AppScreen
from tui.screens.confirm import write_unless_refused
from tui.widgets.footer import Footer
from tui.widgets.form import Form, FormField
from tui.widgets.path_input import PathSuggester, output_path

DEIDENTIFY_HINT = (
    "On: codes (S01, G1…) instead of names and ids, week numbers instead of dates, no notes."
)
KIND_NOTES: dict[str, str] = {
    "backup": "Everything, with names: keep the file private. `intervene restore` reads it back.",
    "calendar": "The groups' meeting times for a phone or Outlook: no student names.",
}


def parse_day(text: str, field: str) -> date | None:
    """A YYYY-MM-DD date typed into ``field`` (empty: None); ValidationError otherwise."""
    raw = text.strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ValidationError(f"{raw!r} is not a date (use YYYY-MM-DD)", field=field) from None


class ExportsScreen(AppScreen[None]):
    """Choose what to export and where; see every export made so far."""

    BINDINGS = bindings("exports")

    class Done(Message, bubble=False):
        """An export finished: ``result`` or an ``error`` (then nothing was logged)."""

        def __init__(self, kind: str, result: ExportResult | None, error: str = "") -> None:
            super().__init__()
            self.kind = kind
            self.result = result
            self.error = error

    def __init__(
        self,
        *,
        folder: Path | None = None,
        kind: str = "scores",
        group: str = "",
        student: str = "",
    ) -> None:
        super().__init__()
        self.folder = folder or Path.home()
        self.kind = kind if kind in EXPORT_KINDS else "scores"
        self.initial_group = group
        self.initial_student = student
        self.auto_path = ""
        self.busy = False
        self.paths: dict[str, str] = {}

    # ----------------------------------------------------------------- layout
    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        with Horizontal(id="ex-body"):
            with VerticalScroll(id="ex-left"):
                yield Static(Text("Export data", style="bold"), id="ex-title")
                with RadioSet(id="ex-kind"):
                    for kind, label in EXPORT_KINDS.items():
                        yield RadioButton(label, value=kind == self.kind, id=f"ex-kind-{kind}")
                yield Static("", id="ex-kind-note")
                yield Form(
                    FormField(
                        "Save to",
                        Input(suggester=PathSuggester(base=self.folder), id="ex-path"),
                        key="path",
                        hint="The folder must exist; a name alone goes in your home folder.",
                    ),
                    FormField(
                        "From",
                        Input(placeholder="YYYY-MM-DD  (empty: from the start)", id="ex-from"),
                        key="since",
                        aliases=("from",),
                        id="field-since",
                    ),
                    FormField(
                        "To",
                        Input(placeholder="YYYY-MM-DD  (empty: up to today)", id="ex-to"),
                        key="until",
                        aliases=("to",),
                        id="field-until",
                    ),
                    FormField(
                        "Group",
                        Input(
                            self.initial_group,
                            placeholder="all groups, or a name / id",
                            id="ex-group",
                        ),
                        key="group",
                        id="field-group",
                    ),
                    FormField(
                        "Student",
                        Input(
                            self.initial_student,
                            placeholder="all students, or a name / SIS id",
                            id="ex-student",
                        ),
                        key="student",
                        id="field-student",
                    ),
                    FormField(
                        "De-identify",
                        Switch(value=False, id="ex-deidentify"),
                        key="deidentify",
                        hint=DEIDENTIFY_HINT,
                        id="field-deidentify",
                    ),
                    id="ex-form",
                )
                with Horizontal(id="ex-buttons"):
                    yield Button("Export (Ctrl+S)", id="ex-go", variant="primary")
                    yield Button("Close (Esc)", id="ex-close")
                yield Static("", id="ex-result")
            with Vertical(id="ex-right"):
                yield Static(
                    Text("Export log — every file that has left the app", style="bold"),
                    id="ex-log-title",
                )
                yield DataTable(id="ex-log", cursor_type="row", zebra_stripes=True)
                yield Static("", id="ex-log-path")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#ex-log", DataTable)
        table.add_columns("When", "What", "Students", "De-identified", "File", "Folder")
        self.refresh_log()
        self._show_kind()
        self.query_one("#ex-kind", RadioSet).focus()

    # ----------------------------------------------------------------- state
    @property
    def form(self) -> Form:
        return self.query_one("#ex-form", Form)

    @property
    def deidentify(self) -> bool:
        return self.kind in TABLE_KINDS and self.query_one("#ex-deidentify", Switch).value

    def _default_path(self) -> str:
        day = self.today()
        return str(self.folder / default_export_name(self.kind, day, deidentify=self.deidentify))

    def _show_kind(self) -> None:
        """Show the CSV-only fields for CSV kinds; refresh the suggested file name."""
        table = self.kind in TABLE_KINDS
        for key in ("since", "until", "group", "student", "deidentify"):
            self.form.field(key).display = table
        self.query_one("#ex-kind-note", Static).update(Text(KIND_NOTES.get(self.kind, "")))
        path = self.query_one("#ex-path", Input)
        if path.value in ("", self.auto_path):
            self.auto_path = self._default_path()
            path.value = self.auto_path
        self.form.clear_errors()

    @on(RadioSet.Changed, "#ex-kind")
    def _kind_changed(self, event: RadioSet.Changed) -> None:
        button_id = event.pressed.id or ""
        self.kind = button_id.removeprefix("ex-kind-")
        self._show_kind()

    @on(Switch.Changed, "#ex-deidentify")
    def _deidentify_changed(self) -> None:
        self._show_kind()

    def action_toggle_deidentify(self) -> None:
        if self.kind in TABLE_KINDS:
            switch = self.query_one("#ex-deidentify", Switch)
            switch.value = not switch.value

    def choose(self, kind: str) -> None:
        """Select ``kind`` (a key of EXPORT_KINDS) as if its radio button were pressed."""
        self.query_one(f"#ex-kind-{kind}", RadioButton).value = True

    def refresh_log(self) -> None:
        """The export log, newest first."""
        table = self.query_one("#ex-log", DataTable)
        table.clear()
        for record in reversed(self.store.exports()):
            when, kind, _who, _how, path = export_log_row(record)
            folder, _sep, name = path.rpartition("/")
            table.add_row(
                when,
                kind,
                str(record.students),
                Text("yes" if record.deidentified else "no"),
                Text(name or path),
                Text(folder),
                key=record.id,
            )
        records = self.store.exports()
        self.paths = {r.id: r.path for r in records}
        self._show_detail(records[-1].path if records else "")
        self.query_one("#ex-log-title", Static).update(
            Text(
                f"Export log — {table.row_count} export{'s' if table.row_count != 1 else ''} "
                "so far (every file that has left the app)",
                style="bold",
            )
        )

    @on(DataTable.RowHighlighted, "#ex-log")
    def _show_path(self, event: DataTable.RowHighlighted) -> None:
        self._show_detail(self.paths.get(str(event.row_key.value), ""))

    def _show_detail(self, path: str) -> None:
        folder, _sep, name = path.rpartition("/")
        text = Text(name or path, style="bold")
        if folder:
            text.append(f"\nin {folder}", style="dim")
        self.query_one("#ex-log-path", Static).update(text)

    # ----------------------------------------------------------------- export
    def _checked(self) -> tuple[Path, ExportFilter | None]:
        """The target file and filter, or ValidationError naming the field."""
        store = self.store
        if store.readonly:
            raise ValidationError(
                "the data folder is open read-only, and every export must be logged; "
                "close the other intervene window first"
            )
        path = output_path(self.query_one("#ex-path", Input).value, self.folder)
        if self.kind not in TABLE_KINDS:
            return path, None
        since = parse_day(self.query_one("#ex-from", Input).value, "since")
        until = parse_day(self.query_one("#ex-to", Input).value, "until")
        if since and until and until < since:
            raise ValidationError(
                f"{until.isoformat()} is before the start date {since.isoformat()}",
                field="until",
            )
        flt = export_filter(
            store,
            since=since,
            until=until,
            group=self.query_one("#ex-group", Input).value,
            student=self.query_one("#ex-student", Input).value,
        )
        return path, flt

    @on(Button.Pressed, "#ex-go")
    def action_export(self) -> None:
        """Check the form; ask before replacing a file; then export in a thread."""
        if self.busy:
            return
        self.form.clear_errors()
        try:
            path, flt = self._checked()
        except ValidationError as exc:
            self.form.show_error(exc)
            return
        kind, deidentify = self.kind, self.deidentify

        def go() -> None:
            self.busy = True
            self.query_one("#ex-result", Static).update(Text("Exporting…", style="dim"))
            self._export(kind, path, flt, deidentify)

        write_unless_refused(self, path, go)

    @work(thread=True, exclusive=True, group="export")
    def _export(self, kind: str, path: Path, flt: ExportFilter | None, deidentify: bool) -> None:
        store = self.store
        try:
            result = run_export(
                store,
                kind,
                path,
                flt,
                deidentify=deidentify,
                now=self.clock(),
            )
        except (StoreError, OSError) as exc:
            self.post_message(self.Done(kind, None, str(exc)))
            return
        self.post_message(self.Done(kind, result))

    def on_exports_screen_done(self, message: Done) -> None:
        self.busy = False
        status = self.query_one("#ex-result", Static)
        if message.result is None:
            status.update("")
            self.form.show_error(message.error, "path")
            return
        summary = message.result.summary(message.kind)
        status.update(Text(f"✓ {summary}", style="green"))
        self.notify(summary, title="Exported", timeout=6, markup=False)
        self.refresh_log()

    # ----------------------------------------------------------------- leaving
    @on(Button.Pressed, "#ex-close")
    def action_close(self) -> None:
        self.dismiss(None)

    def extra_commands(self) -> Iterable[SystemCommand]:
        """Palette-only: choose what to write without tabbing to it."""
        for kind, label in EXPORT_KINDS.items():
            yield SystemCommand(
                f"Export: {label}", f"Choose {label.lower()}", lambda k=kind: self.choose(k)
            )
        yield SystemCommand("Export now", "Write the file (it is logged)", self.action_export)
        yield SystemCommand(
            "Toggle de-identify",
            "Codes instead of names, week numbers instead of dates",
            self.action_toggle_deidentify,
        )
        yield SystemCommand("Back", "Leave the exports screen", self.action_close)
