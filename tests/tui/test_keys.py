"""Keys are written once, in each screen's BINDINGS: the README's key table names every bound
key of every screen, and the command palette offers every bound action."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from pathlib import Path

from textual.binding import Binding
from textual.screen import Screen
from textual.widget import Widget

import tui.screens
from tests.tui.screen import started
from tui.screens.base import NOT_IN_PALETTE, AppContextMixin, RunAction
from tui.screens.help import key_name, own_bindings

README = Path(__file__).parents[2] / "README.md"

#: The README's "where" for the keys of each module in tui/screens (its screens and the widgets
#: it defines). Keys in an "anywhere" row count for every screen.
WHERE = {
    "calendar": "School calendar",
    "caseload": "Caseload review",
    "confirm": "questions",
    "conflicts": "Sync conflicts",
    "delete_student": "lists and forms",
    "exports": "Export",
    "goal_form": "lists and forms",
    "group": "Group",
    "group_form": "lists and forms",
    "groups": "Groups",
    "help": "Help",
    "import_roster": "Import",
    "import_scores": "Import",
    "measure_form": "lists and forms",
    "measures": "Measures",
    "meeting": "Meeting mode",
    "move_student": "lists and forms",
    "note_form": "lists and forms",
    "phase_form": "lists and forms",
    "report": "Report",
    "score_edit_form": "lists and forms",
    "score_entry": "Score entry",
    "add_row": "Score entry",
    "session_log": "Session log",
    "settings": "Settings",
    "small_form": "lists and forms",
    "student": "Student",
    "student_form": "lists and forms",
    "students": "Students",
    "today": "Today",
    "welcome": "First start",
}


def classes_with_keys() -> list[tuple[str, type[Widget]]]:
    """(module name, class) for every screen and widget defined in tui/screens with BINDINGS."""
    found = []
    for info in pkgutil.iter_modules(tui.screens.__path__):
        module = importlib.import_module(f"tui.screens.{info.name}")
        for _, cls in inspect.getmembers(module, inspect.isclass):
            mine = issubclass(cls, Widget) and cls.__module__ == module.__name__
            if mine and own_bindings(cls):  # type: ignore[arg-type]
                found.append((info.name, cls))
    return found


def normalise(name: str) -> str:
    """How a key is compared: backticks dropped; a single character as it is (``G`` is not
    ``g``); a named key or combination case-folded (``Esc`` = ``esc``, ``shift+Tab`` =
    ``shift+tab``)."""
    name = name.strip("`")
    return name if len(name) == 1 else name.casefold()


def names_of(binding: Binding) -> set[str]:
    """A bound key as people write it: its key_display, the help's name for it
    (tui.screens.help.key_name: ``escape`` → ``Esc``, ``question_mark`` → ``?``) or the
    Textual key name itself."""
    names = {binding.key, key_name(binding.key)}
    if binding.key_display:
        names.add(binding.key_display)
    return {normalise(n) for n in names}


def readme_keys() -> dict[str, set[str]]:
    """The README's "## Keys" table: the keys each "where" names (the key cell split on
    " / ", " or " and spaces)."""
    section = README.read_text(encoding="utf-8").split("## Keys", 1)[1].split("\n## ", 1)[0]
    named: dict[str, set[str]] = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 3 or cells[0] in ("where", "---"):
            continue
        where, keys, _ = cells
        tokens = {normalise(t) for t in re.split(r"\s+", keys.replace(" / ", " ")) if t}
        named.setdefault(where, set()).update(tokens)
    return named


def test_the_readme_names_every_bound_key_of_every_screen() -> None:
    named = readme_keys()
    anywhere = named.get("anywhere", set())
    missing = []
    for module, cls in classes_with_keys():
        assert module in WHERE, f"tui/screens/{module}.py: say in WHERE where the README lists it"
        shown = named.get(WHERE[module], set()) | anywhere
        for binding in own_bindings(cls):  # type: ignore[arg-type]
            if not names_of(binding) & shown:
                missing.append(f"{cls.__name__}: {binding.key} ({WHERE[module]})")
    assert not missing, "README ## Keys does not name: " + ", ".join(missing)


def screens() -> list[type[Screen]]:
    return [cls for _, cls in classes_with_keys() if issubclass(cls, Screen)]


def test_every_screen_of_the_app_has_the_generated_palette() -> None:
    plain = {cls.__name__ for cls in screens() if not issubclass(cls, AppContextMixin)}
    assert plain <= {"HelpScreen", "ConfirmScreen"}  # a page and a question: no actions


def test_the_palette_offers_each_screens_bound_actions() -> None:
    for cls in screens():
        if not issubclass(cls, AppContextMixin):
            continue
        screen = cls.__new__(cls)  # the commands read only the class's bindings
        commands = list(screen.palette_commands())
        offered = {c.callback.action for c in commands if isinstance(c.callback, RunAction)}
        bound = {
            b.action
            for b in own_bindings(cls)
            if b.action.partition("(")[0] not in NOT_IN_PALETTE and not b.action.startswith("app.")
        }
        assert bound <= offered, (cls.__name__, bound - offered)
        assert all(c.title and c.help for c in commands), cls.__name__


async def test_a_palette_command_runs_its_binding(open_app) -> None:  # noqa: ANN001
    from tui.screens.students import StudentsScreen
    from tui.screens.today import TodayScreen

    async with started(open_app, (120, 36)) as (app, pilot):
        today = app.screen
        assert isinstance(today, TodayScreen)
        command = next(c for c in app.get_system_commands(today) if c.title == "Students")
        assert isinstance(command.callback, RunAction) and command.callback.action == "students"
        await command.callback()
        await pilot.pause()
        assert isinstance(app.screen, StudentsScreen)
