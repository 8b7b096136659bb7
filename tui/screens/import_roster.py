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
from textual.widget import Widget
from textual.widgets import Select

from store.errors import StoreError
from store.roster import ImportPlan, ImportResult, apply_import, parse_roster, plan_import
from tui.keys import bindings
from tui.screens.import_base import PROGRESS_STEPS, ImportScreen, progress_reporter
from tui.widgets.form import FormField
from tui.widgets.marked import Checkbox  # ticks readable without colour

HELP = (
    "A CSV file with the columns student_id, given_name, family_name, grade and (optional) "
    "group, or a OneRoster 1.1 folder (users.csv, classes.csv, enrollments.csv). Enter shows "
    "what would change; nothing is written until you press Import."
)
PREVIEW_LIMIT = 200
NEW_GROUP = "\x00new"  # the mapping Select's value for "make a new group" (no group id)
MAP_HINT = (
    "A class without a group of its name becomes a new group; choose a current group "
    "to add its students to that group instead."
)


class ImportRosterScreen(ImportScreen[ImportPlan, ImportResult]):
    """Preview and import a roster file or folder."""

    BINDINGS = bindings("import")
    TITLE_TEXT = "Import a roster"
    HELP_TEXT = HELP
    DONE_TITLE = "Roster imported"
    LOCKED = "#im-form Input, #im-form Checkbox, #im-form Select, #im-buttons Button"

    def __init__(self, path: str | Path | None = None) -> None:
        super().__init__(path)
        #: The classes shown with a mapping Select (titles, in the file's order).
        self.map_classes: tuple[str, ...] = ()
        #: token → (classes that would be new groups, current groups as (name, id)).
        self._choices: dict[int, tuple[tuple[str, ...], tuple[tuple[str, str], ...]]] = {}
        self._refocus: Widget | None = None

    def form_fields(self) -> list[FormField]:
        return [
            self.path_field("File or folder", "~/Downloads/roster.csv"),
            FormField(
                "OneRoster classes",
                Checkbox("Make a group of each class", id="im-groups"),
                key="groups",
                hint="Groups made by an import have no schedule until you set one.",
            ),
        ]

    def _key(self) -> tuple[str, ...]:
        groups = "groups" if self.query_one(Checkbox).value else ""
        mapping = "\n".join(f"{c}={g}" for c, g in sorted(self.group_map().items()))
        return (self.typed_path(), groups, mapping)

    def group_map(self) -> dict[str, str]:
        """class title → group id, from the mapping Selects (classes left "new" omitted)."""
        out: dict[str, str] = {}
        for i, title in enumerate(self.map_classes):
            value = self.query_one(f"#im-map-{i}", Select).value
            if isinstance(value, str) and value != NEW_GROUP:
                out[title] = value
        return out

    @on(Checkbox.Changed)
    def _option_changed(self) -> None:
        self._input_changed()

    @on(Select.Changed, ".im-map")
    def _mapping_changed(self, event: Select.Changed) -> None:
        """A class mapped (or unmapped): preview again with the new mapping."""
        if self.plan_key is not None and self.plan_key != self._key():
            self._refocus = event.select  # keep the keyboard on the mapping, not on Import
            self.action_preview()

    # ----------------------------------------------------------------- preview
    def _read(self, token: int, path: Path, key: tuple[str, ...]) -> None:
        self._make_plan(token, path, bool(key[1]), self.group_map())

    @work(thread=True, exclusive=True, group="roster-preview")
    def _make_plan(self, token: int, path: Path, groups: bool, group_map: dict[str, str]) -> None:
        try:
            parsed = parse_roster(path, groups=groups)
            current = [g for g in self.store.groups(include_inactive=True) if g.active]
            names = {g.name.casefold() for g in current}
            classes = tuple(rg.name for rg in parsed.groups if rg.name.casefold() not in names)
            known = {c.casefold() for c in classes}  # a mapping left from another file is dropped
            group_map = {c: g for c, g in group_map.items() if c.casefold() in known}
            plan = plan_import(parsed, self.store, on=self.today(), group_map=group_map)
        except StoreError as exc:
            self.post_message(self.PlanReady(token, None, str(exc)))
            return
        choices = tuple(sorted(((g.name, g.id) for g in current), key=lambda c: c[0].casefold()))
        self._choices[token] = (classes, choices)
        self.post_message(self.PlanReady(token, plan))

    def on_import_screen_plan_ready(self, message: ImportScreen.PlanReady) -> None:
        choices = self._choices.pop(message.token, None)
        super().on_import_screen_plan_ready(message)
        refocus, self._refocus = self._refocus, None
        if refocus is not None and refocus.is_attached and message.token == self._token:
            self.call_after_refresh(refocus.focus)  # after the base class focuses Import
        if message.token != self._token or message.plan is None or choices is None:
            return
        self.call_next(self._refresh_mapping, *choices)

    async def _refresh_mapping(
        self, classes: tuple[str, ...], groups: tuple[tuple[str, str], ...]
    ) -> None:
        """Offer a Select for each class the preview would make a new group."""
        if not groups:
            classes = ()  # no current group to map a class to: nothing to offer
        if classes == self.map_classes:
            return
        mapped = bool(self.group_map())
        await self._show_mapping(classes, groups)
        if mapped:  # the old mapping belonged to other classes: preview without it
            self.action_preview()
        else:
            self.plan_key = self._key()

    async def _show_mapping(
        self, classes: tuple[str, ...], groups: tuple[tuple[str, str], ...]
    ) -> None:
        """One Select per class that would become a new group: "new group" or a current group."""
        self.map_classes = ()
        await self.query(".im-map-field").remove()
        self.map_classes = classes
        fields = [
            FormField(
                f"Class {title}",
                Select(
                    [(f"New group “{title}”", NEW_GROUP), *groups],
                    value=NEW_GROUP,
                    allow_blank=False,
                    id=f"im-map-{i}",
                    classes="im-map",
                ),
                key=f"map-{i}",
                hint=MAP_HINT if i == 0 else "",
                id=f"im-map-field-{i}",
            )
            for i, title in enumerate(classes)
        ]
        for f in fields:
            f.add_class("im-map-field")
        if fields:
            await self.form.mount(*fields)

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
