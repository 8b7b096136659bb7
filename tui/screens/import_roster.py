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
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Button, Header, Input, ProgressBar, Static

from store.errors import StoreError, ValidationError
from store.roster import ImportPlan, ImportResult, apply_import, parse_roster, plan_import
from tui.screens.base import AppScreen
from tui.widgets.footer import Footer
from tui.widgets.form import Form, FormField
from tui.widgets.marked import Checkbox  # ticks readable without colour
from tui.widgets.path_input import PathSuggester, input_path

HELP = (
    "A CSV file with the columns student_id, given_name, family_name, grade and (optional) "
    "group, or a OneRoster 1.1 folder (users.csv, classes.csv, enrollments.csv). Enter shows "
    "what would change; nothing is written until you press Import."
)
PREVIEW_LIMIT = 200
PROGRESS_STEPS = 100  # at most this many progress messages per import


class ImportRosterScreen(AppScreen[ImportResult | None]):
    """Preview and import a roster file or folder."""

    BINDINGS = [
        Binding("escape", "close", "Back", id="import.back", tooltip="Leave without importing"),
        Binding(
            "ctrl+s",
            "apply",
            "Import",
            id="import.apply",
            tooltip="Write the previewed changes (one undo step)",
            priority=True,
        ),
        Binding(
            "f5",
            "preview",
            "Preview",
            id="import.preview",
            tooltip="Read the file again and show what would change",
        ),
    ]

    class PlanReady(Message, bubble=False):
        """A preview finished (``plan`` None: the path could not be read; see ``error``)."""

        def __init__(self, token: int, plan: ImportPlan | None, error: str = "") -> None:
            super().__init__()
            self.token = token
            self.plan = plan
            self.error = error

    class Progress(Message, bubble=False):
        """``done`` of ``total`` writes made."""

        def __init__(self, done: int, total: int) -> None:
            super().__init__()
            self.done = done
            self.total = total

    class Finished(Message, bubble=False):
        """The import was written (``result``) or failed (``error``; nothing written)."""

        def __init__(self, result: ImportResult | None, error: str = "") -> None:
            super().__init__()
            self.result = result
            self.error = error

    def __init__(self, path: str | Path | None = None) -> None:
        super().__init__()
        self.initial_path = str(path) if path is not None else ""
        self.plan: ImportPlan | None = None
        self.plan_key: tuple[str, bool] | None = None
        self.applying = False
        self._token = 0

    # ----------------------------------------------------------------- layout
    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        with Vertical(id="im-box"):
            yield Static(Text("Import a roster", style="bold"), id="im-title")
            yield Static(Text(HELP), id="im-help")
            yield Form(
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

    def _key(self) -> tuple[str, bool]:
        return (self.query_one("#im-path", Input).value.strip(), self.query_one(Checkbox).value)

    @on(Input.Submitted, "#im-path")
    @on(Button.Pressed, "#im-preview-button")
    def action_preview(self) -> None:
        """Check the path, then read and plan it in a thread."""
        if self.applying:
            return
        self.form.clear_errors()
        self._set_plan(None)
        text, groups = self._key()
        try:
            path = input_path(text)
        except ValidationError as exc:
            self.form.show_error(exc)
            return
        self._token += 1
        self.plan_key = (text, groups)
        self.query_one("#im-verdict", Static).update(Text(f"Reading {path}…", style="dim"))
        self._make_plan(self._token, path, groups)

    @work(thread=True, exclusive=True, group="roster-preview")
    def _make_plan(self, token: int, path: Path, groups: bool) -> None:
        try:
            parsed = parse_roster(path, groups=groups)
            plan = plan_import(parsed, self.store, on=self.today())
        except StoreError as exc:
            self.post_message(self.PlanReady(token, None, str(exc)))
            return
        self.post_message(self.PlanReady(token, plan))

    def on_import_roster_screen_plan_ready(self, message: PlanReady) -> None:
        if message.token != self._token or self.plan_key != self._key():
            return  # the path changed while it was being read
        if message.plan is None:
            self.query_one("#im-verdict", Static).update("")
            self.form.show_error(message.error, "path")
            return
        self._set_plan(message.plan)
        apply = self.query_one("#im-apply", Button)
        if not apply.disabled:
            apply.focus()

    def _set_plan(self, plan: ImportPlan | None) -> None:
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
        style = "bold red" if plan.problems else "bold" if plan.changes else "bold green"
        verdict.update(Text(plan.verdict(), style=style))
        preview.update(preview_text(plan))
        apply.disabled = not plan.ok or plan.changes == 0
        apply.label = f"Import {plan.changes} change{'s' if plan.changes != 1 else ''} (Ctrl+S)"
        apply.refresh(layout=True)  # the label is not a layout reactive: re-measure the width

    @on(Input.Changed, "#im-path")
    @on(Checkbox.Changed)
    def _input_changed(self) -> None:
        """A preview belongs to one path: editing it withdraws the preview."""
        if self.plan is not None and self.plan_key != self._key():
            self._set_plan(None)
        self.form.clear_errors()

    # ----------------------------------------------------------------- apply
    @on(Button.Pressed, "#im-apply")
    def action_apply(self) -> None:
        """Write the previewed plan in a thread (a plan with problems never gets here)."""
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
        if plan.changes == 0:
            self.notify(plan.verdict(), markup=False)
            return
        self.applying = True
        for widget in self.query("#im-form Input, #im-form Checkbox, #im-buttons Button"):
            widget.disabled = True
        bar = self.query_one("#im-progress", ProgressBar)
        bar.update(total=plan.changes, progress=0)
        bar.display = True
        self.query_one("#im-verdict", Static).update(Text("Importing…", style="bold"))
        self._apply(plan)

    @work(thread=True, exclusive=True, group="roster-apply")
    def _apply(self, plan: ImportPlan) -> None:
        store = self.store
        every = max(1, plan.changes // PROGRESS_STEPS)

        def progress(done: int, total: int) -> None:
            if done == total or done % every == 0:
                self.post_message(self.Progress(done, total))

        try:
            store.backup_if_due()
            result = apply_import(plan, store, progress=progress)
        except StoreError as exc:
            self.post_message(self.Finished(None, str(exc)))
            return
        self.post_message(self.Finished(result))

    def on_import_roster_screen_progress(self, message: Progress) -> None:
        self.query_one("#im-progress", ProgressBar).update(
            total=message.total, progress=message.done
        )

    def on_import_roster_screen_finished(self, message: Finished) -> None:
        self.applying = False
        if message.result is None:
            for widget in self.query("#im-form Input, #im-form Checkbox, #im-buttons Button"):
                widget.disabled = False
            self.query_one("#im-progress", ProgressBar).display = False
            self._set_plan(None)
            self.query_one("#im-verdict", Static).update(
                Text(f"The import failed and nothing was written: {message.error}", style="red")
            )
            return
        self.app.notify(message.result.summary(), title="Roster imported", timeout=8, markup=False)
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
