"""The shared flow of the import screens: type a file, preview what would change, import.

:class:`ImportScreen` holds what :class:`~tui.screens.import_roster.ImportRosterScreen` and
:class:`~tui.screens.import_scores.ImportScoresScreen` share (issue 14): the layout around
their form, a preview that belongs to one path and its options (editing them withdraws it),
the import written in a thread behind a progress bar, and leaving. Nothing is written until
the preview has been shown and the user presses Import; a plan with problems cannot be
imported. Each subclass reads and writes its own kind of file.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Generic, Protocol, TypeVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Button, Header, Input, ProgressBar, Static

from store.errors import ValidationError
from tui.screens.base import AppScreen
from tui.widgets.footer import Footer
from tui.widgets.form import Form, FormField
from tui.widgets.path_input import PathSuggester, input_path


class Plan(Protocol):
    """What the shared flow reads from a plan (ImportPlan, ScorePlan)."""

    @property
    def problems(self) -> Sequence[object]: ...
    @property
    def ok(self) -> bool: ...
    def verdict(self) -> str: ...


PlanT = TypeVar("PlanT", bound=Plan)
ResultT = TypeVar("ResultT")
PROGRESS_STEPS = 100  # at most this many progress messages per import


def progress_reporter(
    post: Callable[[Message], object], every: int, make: Callable[[int, int], Message]
) -> Callable[[int, int], None]:
    """A progress callback posting ``make(done, total)`` every ``every`` steps and at the end."""

    def progress(done: int, total: int) -> None:
        if done == total or done % every == 0:
            post(make(done, total))

    return progress


class ImportScreen(AppScreen[ResultT | None], Generic[PlanT, ResultT]):
    """Preview and import a file; subclasses read, describe and write their kind of plan."""

    TITLE_TEXT = ""
    HELP_TEXT = ""
    DONE_TITLE = ""
    #: The widgets disabled while the import is written.
    LOCKED = "#im-form Input, #im-buttons Button"

    class PlanReady(Message, bubble=False):
        """A preview finished (``plan`` None: the file could not be read; see ``error``)."""

        def __init__(self, token: int, plan: Any, error: str = "") -> None:
            super().__init__()
            self.token = token
            self.plan = plan
            self.error = error

    class Progress(Message, bubble=False):
        """``done`` of ``total`` steps (rows read, scores checked, writes made)."""

        def __init__(self, done: int, total: int) -> None:
            super().__init__()
            self.done = done
            self.total = total

    class Finished(Message, bubble=False):
        """The import was written (``result``) or failed (``error``; nothing written)."""

        def __init__(self, result: Any, error: str = "") -> None:
            super().__init__()
            self.result = result
            self.error = error

    def __init__(self, path: str | Path | None = None) -> None:
        super().__init__()
        self.initial_path = str(path) if path is not None else ""
        self.plan: PlanT | None = None
        self.plan_key: tuple[str, ...] | None = None
        self.applying = False
        self._token = 0

    # ----------------------------------------------------------------- the subclass's part
    def form_fields(self) -> list[FormField]:
        """The form's fields; the first is the path (:meth:`path_field`)."""
        raise NotImplementedError

    def path_field(self, label: str, example: str) -> FormField:
        """The file (or folder) to import: the Input ``#im-path`` this flow previews, filled
        with the screen's ``path`` and completing names; ``example`` is its placeholder."""
        return FormField(
            label,
            Input(
                self.initial_path,
                placeholder=f"{example}  (→ completes names)",
                suggester=PathSuggester(),
                id="im-path",
            ),
            key="path",
        )

    def typed_path(self) -> str:
        """The path field's text (the first part of every preview's key)."""
        return self.query_one("#im-path", Input).value.strip()

    def _key(self) -> tuple[str, ...]:
        """The path (first) and the options a preview was made for."""
        raise NotImplementedError

    def _read(self, token: int, path: Path, key: tuple[str, ...]) -> None:
        """Start reading ``path`` in a thread; it posts a PlanReady with ``token``."""
        raise NotImplementedError

    def _changes(self, plan: PlanT, replace: bool = True) -> int:
        raise NotImplementedError

    def _apply_label(self, plan: PlanT) -> str:
        raise NotImplementedError

    def _preview(self, plan: PlanT) -> Text:
        raise NotImplementedError

    def _confirm_apply(self, plan: PlanT) -> None:
        """Import ``plan`` (already checked: it is current, ok and changes something)."""
        self._start(plan, replace=False)

    def _write(self, plan: PlanT, replace: bool) -> None:
        """Write ``plan`` in a thread; it posts Progress messages, then a Finished."""
        raise NotImplementedError

    # ----------------------------------------------------------------- layout
    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        with Vertical(id="im-box"):
            yield Static(Text(self.TITLE_TEXT, style="bold"), id="im-title")
            yield Static(Text(self.HELP_TEXT), id="im-help")
            yield Form(*self.form_fields(), id="im-form")
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

    @on(Input.Submitted, "#im-path")
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
        self._read(self._token, path, key)

    def on_import_screen_plan_ready(self, message: ImportScreen.PlanReady) -> None:
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

    def _set_plan(self, plan: PlanT | None) -> None:
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
        changes = self._changes(plan)
        problems = plan.problems
        style = "bold red" if problems else "bold" if changes else "bold green"
        verdict.update(Text(plan.verdict(), style=style))
        preview.update(self._preview(plan))
        apply.disabled = not plan.ok or changes == 0
        apply.label = f"{self._apply_label(plan)} (Ctrl+S)"
        apply.refresh(layout=True)  # the label is not a layout reactive: re-measure the width

    @on(Input.Changed, "#im-path")
    def _input_changed(self) -> None:
        """A preview belongs to one file and its options: editing them withdraws it."""
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
        if self._changes(plan) == 0:
            self.notify(plan.verdict(), markup=False)
            return
        self._confirm_apply(plan)

    def _start(self, plan: PlanT, *, replace: bool) -> None:
        self.applying = True
        for widget in self.query(self.LOCKED):
            widget.disabled = True
        bar = self.query_one("#im-progress", ProgressBar)
        bar.update(total=self._changes(plan, replace), progress=0)
        bar.display = True
        self.query_one("#im-verdict", Static).update(Text("Importing…", style="bold"))
        self._write(plan, replace)

    def on_import_screen_progress(self, message: ImportScreen.Progress) -> None:
        self.query_one("#im-progress", ProgressBar).update(
            total=message.total, progress=message.done
        )

    def on_import_screen_finished(self, message: ImportScreen.Finished) -> None:
        self.applying = False
        if message.result is None:
            for widget in self.query(self.LOCKED):
                widget.disabled = False
            self.query_one("#im-progress", ProgressBar).display = False
            self._set_plan(None)
            self.query_one("#im-verdict", Static).update(
                Text(f"The import failed and nothing was written: {message.error}", style="red")
            )
            return
        self.notify(message.result.summary(), title=self.DONE_TITLE, timeout=8, markup=False)
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
