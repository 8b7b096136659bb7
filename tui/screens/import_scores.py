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
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, ProgressBar, Select, Static

from store.errors import StoreError
from store.score_import import (
    ScoreImportResult,
    ScorePlan,
    apply_score_import,
    read_score_file,
)
from tui.keys import bindings
from tui.screens.base import AppModal
from tui.screens.confirm import ConfirmScreen
from tui.screens.import_base import PROGRESS_STEPS, ImportScreen, progress_reporter
from tui.widgets.form import FormField

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


class ImportChoiceScreen(AppModal[str | None]):
    """Ask what to import: ``"roster"`` or ``"scores"`` (None: Esc)."""

    BINDINGS = bindings("import_choice")

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


class ImportScoresScreen(ImportScreen[ScorePlan, ScoreImportResult]):
    """Preview and import a score file."""

    BINDINGS = bindings("import_scores")
    TITLE_TEXT = "Import scores"
    HELP_TEXT = HELP
    DONE_TITLE = "Scores imported"
    LOCKED = "#im-form Input, #im-form Select, #im-buttons Button"

    def __init__(self, path: str | Path | None = None, *, measure: str = "") -> None:
        super().__init__(path)
        self.initial_measure = measure

    def form_fields(self) -> list[FormField]:
        return [
            self.path_field("File", "~/Downloads/scores.csv"),
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
        ]

    def _key(self) -> tuple[str, ...]:
        fmt = self.query_one("#is-date-format", Select).value
        return (
            self.typed_path(),
            self.query_one("#is-measure", Input).value.strip(),
            fmt if isinstance(fmt, str) else "auto",
        )

    @on(Input.Submitted, "#is-measure")
    def _measure_submitted(self) -> None:
        self.action_preview()

    @on(Input.Changed, "#is-measure")
    @on(Select.Changed, "#is-date-format")
    def _option_changed(self) -> None:
        self._input_changed()

    # ----------------------------------------------------------------- preview
    def _read(self, token: int, path: Path, key: tuple[str, ...]) -> None:
        bar = self.query_one("#im-progress", ProgressBar)
        bar.update(total=None, progress=0)
        bar.display = True
        self._make_plan(token, path, key[1] or None, None if key[2] == "auto" else key[2])

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

    def _changes(self, plan: ScorePlan, replace: bool = True) -> int:
        return plan.changes(replace)

    def _apply_label(self, plan: ScorePlan) -> str:
        label = f"Import {len(plan.new)} score{'s' if len(plan.new) != 1 else ''}"
        if plan.conflicts:
            label += f", replace {len(plan.conflicts)}"
        return label

    def _preview(self, plan: ScorePlan) -> Text:
        return preview_text(plan)

    # ----------------------------------------------------------------- apply
    def _confirm_apply(self, plan: ScorePlan) -> None:
        """Conflicts first need an explicit yes."""
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

    def _write(self, plan: ScorePlan, replace: bool) -> None:
        self._apply(plan, replace)

    @work(thread=True, exclusive=True, group="scores-apply")
    def _apply(self, plan: ScorePlan, replace: bool) -> None:
        store = self.store
        every = max(1, plan.changes(replace) // PROGRESS_STEPS)
        progress = progress_reporter(self.post_message, every, self.Progress)
        try:
            store.backup_if_due()
            result = apply_score_import(plan, store, replace=replace, progress=progress)
        except StoreError as exc:
            self.post_message(self.Finished(None, str(exc)))
            return
        self.post_message(self.Finished(result))


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
