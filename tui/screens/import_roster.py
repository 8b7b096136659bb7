"""Import a roster: type a CSV file or OneRoster folder, see what would change, then import.

Nothing is written until the preview has been shown and the user presses Import; a plan with
problems cannot be imported (the problems are listed by line). Reading and planning run in a
thread, and so does writing, which reports progress to a ProgressBar. The screen dismisses
with the :class:`~store.roster.ImportResult` after a successful import, else with None.
"""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.widgets import Input

from store.errors import StoreError
from store.roster import ImportPlan, ImportResult, apply_import, parse_roster, plan_import
from tui.screens.import_base import (
    PROGRESS_STEPS,
    ImportScreen,
    import_bindings,
    progress_reporter,
)
from tui.widgets.form import FormField
from tui.widgets.marked import Checkbox  # ticks readable without colour
from tui.widgets.path_input import PathSuggester

HELP = (
    "A CSV file with the columns student_id, given_name, family_name, grade and (optional) "
    "group, or a OneRoster 1.1 folder (users.csv, classes.csv, enrollments.csv). Enter shows "
    "what would change; nothing is written until you press Import."
)
PREVIEW_LIMIT = 200


class ImportRosterScreen(ImportScreen[ImportPlan, ImportResult]):
    """Preview and import a roster file or folder."""

    BINDINGS = import_bindings("import", "Write the previewed changes (one undo step)")
    TITLE_TEXT = "Import a roster"
    HELP_TEXT = HELP
    DONE_TITLE = "Roster imported"
    LOCKED = "#im-form Input, #im-form Checkbox, #im-buttons Button"

    def form_fields(self) -> list[FormField]:
        return [
            FormField(
                "File or folder",
                Input(
                    self.initial_path,
                    placeholder="~/Downloads/roster.csv  (→ completes names)",
                    suggester=PathSuggester(),
                    id="im-path",
                ),
                key="path",
            ),
            FormField(
                "OneRoster classes",
                Checkbox("Make a group of each class", id="im-groups"),
                key="groups",
                hint="Groups made by an import have no schedule until you set one.",
            ),
        ]

    def _key(self) -> tuple[str, ...]:
        groups = "groups" if self.query_one(Checkbox).value else ""
        return (self.query_one("#im-path", Input).value.strip(), groups)

    @on(Checkbox.Changed)
    def _option_changed(self) -> None:
        self._input_changed()

    # ----------------------------------------------------------------- preview
    def _read(self, token: int, path: Path, key: tuple[str, ...]) -> None:
        self._make_plan(token, path, bool(key[1]))

    @work(thread=True, exclusive=True, group="roster-preview")
    def _make_plan(self, token: int, path: Path, groups: bool) -> None:
        try:
            parsed = parse_roster(path, groups=groups)
            plan = plan_import(parsed, self.store, on=self.today())
        except StoreError as exc:
            self.post_message(self.PlanReady(token, None, str(exc)))
            return
        self.post_message(self.PlanReady(token, plan))

    def _changes(self, plan: ImportPlan, replace: bool = True) -> int:
        return plan.changes

    def _apply_label(self, plan: ImportPlan) -> str:
        return f"Import {plan.changes} change{'s' if plan.changes != 1 else ''}"

    def _preview(self, plan: ImportPlan) -> Text:
        return preview_text(plan)

    # ----------------------------------------------------------------- apply
    def _write(self, plan: ImportPlan, replace: bool) -> None:
        self._apply(plan)

    @work(thread=True, exclusive=True, group="roster-apply")
    def _apply(self, plan: ImportPlan) -> None:
        store = self.store
        every = max(1, plan.changes // PROGRESS_STEPS)
        progress = progress_reporter(self.post_message, every, self.Progress)
        try:
            store.backup_if_due()
            result = apply_import(plan, store, progress=progress)
        except StoreError as exc:
            self.post_message(self.Finished(None, str(exc)))
            return
        self.post_message(self.Finished(result))


def preview_text(plan: ImportPlan, limit: int = PREVIEW_LIMIT) -> Text:
    """The plan's preview with problems first, section titles in bold, problems in red."""
    lines = plan.preview(limit=limit)
    sections: list[list[str]] = []
    for line in lines[1:]:
        if line.startswith("  ") and sections:
            sections[-1].append(line)
        else:
            sections.append([line])
    sections.sort(key=lambda s: not s[0].startswith("Problems"))
    kind = "OneRoster folder" if plan.kind == "oneroster" else "CSV file"
    text = Text()
    text.append(f"{plan.source} ({kind})\n", style="dim")
    text.append(plan.summary() + "\n", style="bold")
    for section in sections:
        is_problem = section[0].startswith("Problems")
        text.append("\n" + section[0] + "\n", style="bold red" if is_problem else "bold")
        for item in section[1:]:
            text.append(item + "\n", style="red" if is_problem else "")
    return text
