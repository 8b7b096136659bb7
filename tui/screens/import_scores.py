"""Import scores: choose roster or scores, type a CSV file, see what would change, import.

:class:`ImportChoiceScreen` is what ``i`` on Today opens: Roster (``r``) or Scores (``s``).
:class:`ImportScoresScreen` reads and checks the file in a thread (a progress bar for large
files) and shows the new scores, the conflicts (both values) and the problems by line;
nothing is written until the user presses Import, and conflicts are replaced only after an
explicit yes. A file with problems cannot be imported. The screen dismisses with the
:class:`~store.score_import.ScoreImportResult` after an import, else with None.
"""

from __future__ import annotations

from pathlib import Path
from typing import cast

from rich.text import Text
from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Button, Header, Input, ProgressBar, Select, Static

from store.errors import StoreError, ValidationError
from store.score_import import (
    ScoreImportResult,
    ScorePlan,
    apply_score_import,
    read_score_file,
)
from tui.screens.base import AppModal, AppScreen
from tui.screens.confirm import ConfirmScreen
from tui.widgets.footer import Footer
from tui.widgets.form import Form, FormField
from tui.widgets.path_input import PathSuggester, input_path

HELP = (
    "A CSV file of scores: long (one row per score — student, measure, date, score, errors) "
    "or wide (one row per student, one column per date; 62/3 is 62 with 3 errors). Students "
    'are matched by id, SIS id or name ("Family, Given" too). Enter shows what would '
    "change; nothing is written until you press Import, and any problem writes nothing."
)
DATE_FORMATS: list[tuple[str, str]] = [
    ("Work it out from the file", "auto"),
    ("Month/day (US: 9/8 = Sep 8)", "mdy"),
    ("Day/month (9/8 = 9 Aug)", "dmy"),
]
PREVIEW_LIMIT = 200
CONFIRM_LIMIT = 8
PROGRESS_STEPS = 100
_Key = tuple[str, str, str]


class ImportChoiceScreen(AppModal[str | None]):
    """Ask what to import: ``"roster"`` or ``"scores"`` (None: Esc)."""

    BINDINGS = [
        Binding("r", "choose('roster')", "Roster", id="import.roster", tooltip="Import a roster"),
        Binding("s", "choose('scores')", "Scores", id="import.scores", tooltip="Import scores"),
        Binding(
            "escape", "choose(None)", "Back", id="import.choice_back", tooltip="Import nothing"
        ),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box"):
            yield Static(Text("What do you want to import?"), id="confirm-question")
            with Horizontal(id="confirm-buttons"):
                yield Button("Roster (r)", id="import-roster", variant="primary")
                yield Button("Scores (s)", id="import-scores", variant="primary")
                yield Button("Cancel (Esc)", id="import-cancel")

    def on_mount(self) -> None:
        self.query_one("#import-roster", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        choice = {"import-roster": "roster", "import-scores": "scores"}.get(event.button.id or "")
        self.dismiss(choice)

    def action_choose(self, choice: str | None) -> None:
        self.dismiss(choice)


class ImportScoresScreen(AppScreen[ScoreImportResult | None]):
    """Preview and import a score file."""

    BINDINGS = [
        Binding(
            "escape", "close", "Back", id="import_scores.back", tooltip="Leave without importing"
        ),
        Binding(
            "ctrl+s",
            "apply",
            "Import",
            id="import_scores.apply",
            tooltip="Write the previewed scores (one undo step)",
            priority=True,
        ),
        Binding(
            "f5",
            "preview",
            "Preview",
            id="import_scores.preview",
            tooltip="Read the file again and show what would change",
        ),
    ]

    class PlanReady(Message, bubble=False):
        """A preview finished (``plan`` None: the file could not be read; see ``error``)."""

        def __init__(self, token: int, plan: ScorePlan | None, error: str = "") -> None:
            super().__init__()
            self.token = token
            self.plan = plan
            self.error = error

    class Progress(Message, bubble=False):
        """``done`` of ``total`` rows read, scores checked or scores written."""

        def __init__(self, done: int, total: int) -> None:
            super().__init__()
            self.done = done
            self.total = total

    class Finished(Message, bubble=False):
        """The import was written (``result``) or failed (``error``; nothing written)."""

        def __init__(self, result: ScoreImportResult | None, error: str = "") -> None:
            super().__init__()
            self.result = result
            self.error = error

    def __init__(self, path: str | Path | None = None, *, measure: str = "") -> None:
        super().__init__()
        self.initial_path = str(path) if path is not None else ""
        self.initial_measure = measure
        self.plan: ScorePlan | None = None
        self.plan_key: _Key | None = None
        self.applying = False
        self._token = 0

    # ----------------------------------------------------------------- layout
    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        with Vertical(id="im-box"):
            yield Static(Text("Import scores", style="bold"), id="im-title")
            yield Static(Text(HELP), id="im-help")
            yield Form(
                FormField(
                    "File",
                    Input(
                        self.initial_path,
                        placeholder="~/Downloads/scores.csv  (→ completes names)",
                        suggester=PathSuggester(),
                        id="im-path",
                    ),
                    key="path",
                ),
                FormField(
                    "Measure",
                    Input(self.initial_measure, placeholder="ORF, NWF, …", id="is-measure"),
                    key="measure",
                    hint="For files without a measure column (a wide sheet of one probe).",
                ),
                FormField(
                    "Dates like 9/8",
                    Select(DATE_FORMATS, value="auto", allow_blank=False, id="is-date-format"),
                    key="date_format",
                ),
                id="im-form",
            )
            yield Static("", id="im-verdict")
            with VerticalScroll(id="im-preview-box"):
                yield Static("", id="im-preview")
            yield ProgressBar(total=None, show_eta=False, id="im-progress")
            with Horizontal(id="im-buttons"):
                yield Button("Preview (Enter)", id="im-preview-button", variant="primary")
                yield Button("Import (Ctrl+S)", id="im-apply", variant="success", disabled=True)
                yield Button("Cancel (Esc)", id="im-cancel")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#im-progress", ProgressBar).display = False
        self.query_one("#im-path", Input).focus()
        if self.initial_path:
            self.action_preview()

    # ----------------------------------------------------------------- preview
    @property
    def form(self) -> Form:
        return self.query_one("#im-form", Form)

    def _key(self) -> _Key:
        fmt = self.query_one("#is-date-format", Select).value
        return (
            self.query_one("#im-path", Input).value.strip(),
            self.query_one("#is-measure", Input).value.strip(),
            fmt if isinstance(fmt, str) else "auto",
        )

    @on(Input.Submitted, "#im-path")
    @on(Input.Submitted, "#is-measure")
    @on(Button.Pressed, "#im-preview-button")
    def action_preview(self) -> None:
        """Check the path, then read and check the file in a thread."""
        if self.applying:
            return
        self.form.clear_errors()
        self._set_plan(None)
        key = self._key()
        try:
            path = input_path(key[0])
        except ValidationError as exc:
            self.form.show_error(exc)
            return
        self._token += 1
        self.plan_key = key
        self.query_one("#im-verdict", Static).update(Text(f"Reading {path}…", style="dim"))
        bar = self.query_one("#im-progress", ProgressBar)
        bar.update(total=None, progress=0)
        bar.display = True
        self._make_plan(self._token, path, key[1] or None, None if key[2] == "auto" else key[2])

    @work(thread=True, exclusive=True, group="scores-preview")
    def _make_plan(
        self, token: int, path: Path, measure: str | None, date_format: str | None
    ) -> None:
        every = 0

        def progress(done: int, total: int) -> None:
            nonlocal every
            every = every or max(1, total // PROGRESS_STEPS)
            if done == total or done % every == 0:
                self.post_message(self.Progress(done, total))

        try:
            plan = read_score_file(
                path, self.store, measure=measure, date_format=date_format, progress=progress
            )
        except StoreError as exc:
            self.post_message(self.PlanReady(token, None, str(exc)))
            return
        self.post_message(self.PlanReady(token, plan))

    def on_import_scores_screen_plan_ready(self, message: PlanReady) -> None:
        if message.token != self._token:
            return
        self.query_one("#im-progress", ProgressBar).display = False
        if self.plan_key != self._key():
            return  # the form changed while the file was being read
        if message.plan is None:
            self.query_one("#im-verdict", Static).update("")
            self.form.show_error(message.error, "path")
            return
        self._set_plan(message.plan)
        apply = self.query_one("#im-apply", Button)
        if not apply.disabled:
            apply.focus()

    def _set_plan(self, plan: ScorePlan | None) -> None:
        self.plan = plan
        verdict = self.query_one("#im-verdict", Static)
        preview = self.query_one("#im-preview", Static)
        apply = self.query_one("#im-apply", Button)
        if plan is None:
            verdict.update("")
            preview.update("")
            apply.disabled = True
            apply.label = "Import (Ctrl+S)"
            return
        changes = plan.changes(replace=True)
        style = "bold red" if plan.problems else "bold" if changes else "bold green"
        verdict.update(Text(plan.verdict(), style=style))
        preview.update(preview_text(plan))
        apply.disabled = not plan.ok or changes == 0
        label = f"Import {len(plan.new)} score{'s' if len(plan.new) != 1 else ''}"
        if plan.conflicts:
            label += f", replace {len(plan.conflicts)}"
        apply.label = f"{label} (Ctrl+S)"
        apply.refresh(layout=True)

    @on(Input.Changed, "#im-path")
    @on(Input.Changed, "#is-measure")
    @on(Select.Changed, "#is-date-format")
    def _input_changed(self) -> None:
        """A preview belongs to one file and its options: editing them withdraws it."""
        if self.plan is not None and self.plan_key != self._key():
            self._set_plan(None)
        self.form.clear_errors()

    # ----------------------------------------------------------------- apply
    @on(Button.Pressed, "#im-apply")
    def action_apply(self) -> None:
        """Write the previewed plan; conflicts first need an explicit yes."""
        plan = self.plan
        if self.applying:
            return
        if plan is None or self.plan_key != self._key():
            self.notify("Preview the file first (Enter)", severity="warning", markup=False)
            return
        if not plan.ok:
            self.notify(
                "The file has problems: nothing can be imported", severity="error", markup=False
            )
            return
        if plan.changes(replace=True) == 0:
            self.notify(plan.verdict(), markup=False)
            return
        if not plan.conflicts:
            self._start(plan, replace=False)
            return
        n = len(plan.conflicts)
        shown = [c.conflict(plan.measures) for c in plan.conflicts[:CONFIRM_LIMIT]]
        if n > CONFIRM_LIMIT:
            shown.append(f"… and {n - CONFIRM_LIMIT} more")
        question = (
            f"Replace {n} saved score{'s' if n != 1 else ''} with the file's "
            f"value{'s' if n != 1 else ''}?\n\n" + "\n".join(shown)
        )

        def answered(yes: bool | None) -> None:
            if yes and self.plan is plan:
                self._start(plan, replace=True)

        cast("App[object]", self.app).push_screen(
            ConfirmScreen(question, yes="Replace", no="Keep"), answered
        )

    def _start(self, plan: ScorePlan, *, replace: bool) -> None:
        self.applying = True
        for widget in self.query("#im-form Input, #im-form Select, #im-buttons Button"):
            widget.disabled = True
        bar = self.query_one("#im-progress", ProgressBar)
        bar.update(total=plan.changes(replace), progress=0)
        bar.display = True
        self.query_one("#im-verdict", Static).update(Text("Importing…", style="bold"))
        self._apply(plan, replace)

    @work(thread=True, exclusive=True, group="scores-apply")
    def _apply(self, plan: ScorePlan, replace: bool) -> None:
        store = self.store
        every = max(1, plan.changes(replace) // PROGRESS_STEPS)

        def progress(done: int, total: int) -> None:
            if done == total or done % every == 0:
                self.post_message(self.Progress(done, total))

        try:
            store.backup_if_due()
            result = apply_score_import(plan, store, replace=replace, progress=progress)
        except StoreError as exc:
            self.post_message(self.Finished(None, str(exc)))
            return
        self.post_message(self.Finished(result))

    def on_import_scores_screen_progress(self, message: Progress) -> None:
        self.query_one("#im-progress", ProgressBar).update(
            total=message.total, progress=message.done
        )

    def on_import_scores_screen_finished(self, message: Finished) -> None:
        self.applying = False
        if message.result is None:
            for widget in self.query("#im-form Input, #im-form Select, #im-buttons Button"):
                widget.disabled = False
            self.query_one("#im-progress", ProgressBar).display = False
            self._set_plan(None)
            self.query_one("#im-verdict", Static).update(
                Text(f"The import failed and nothing was written: {message.error}", style="red")
            )
            return
        self.notify(message.result.summary(), title="Scores imported", timeout=8, markup=False)
        self.dismiss(message.result)

    # ----------------------------------------------------------------- leaving
    def action_close(self) -> None:
        if self.applying:
            self.notify(
                "The import is being written; it takes a moment", severity="warning", markup=False
            )
            return
        self.dismiss(None)

    @on(Button.Pressed, "#im-cancel")
    def _cancel(self) -> None:
        self.action_close()


def preview_text(plan: ScorePlan, limit: int = PREVIEW_LIMIT) -> Text:
    """The plan's preview: section titles in bold, problems in red, conflicts in yellow."""
    text = Text()
    text.append(f"{plan.source} ({plan.layout} format)\n", style="dim")
    lines = plan.preview(limit=limit)
    text.append(plan.summary() + "\n", style="bold")
    style = ""
    for line in lines[1:]:
        if line.startswith("  "):
            text.append(line + "\n", style=style)
            continue
        style = (
            "red"
            if line.startswith("Problems")
            else "yellow"
            if line.startswith("Conflicts")
            else ""
        )
        is_title = line.endswith(":")
        text.append(
            ("\n" if is_title else "") + line + "\n",
            style=f"bold {style}".strip() if is_title else "dim",
        )
    return text
