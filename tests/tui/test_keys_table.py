"""tui/keys.toml, the one table of every screen's bindings (tui/keys.py): each binding runs an
action that exists, ids are unique, every table is some screen's or widget's BINDINGS, and
every class of ours with BINDINGS takes them from the table. A malformed entry is refused with
a line naming its table and entry."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from pathlib import Path

import pytest
from textual.binding import Binding
from textual.widget import Widget

import tui.screens
import tui.widgets
from tui.app import InterventionApp
from tui.keys import KEYS_FILE, KeysTableError, bindings, read_table


def classes_with_bindings() -> list[type]:
    """The app and every class defined in tui/screens and tui/widgets that declares BINDINGS."""
    found: list[type] = [InterventionApp]
    for package in (tui.screens, tui.widgets):
        for info in pkgutil.iter_modules(package.__path__):
            module = importlib.import_module(f"{package.__name__}.{info.name}")
            for _, cls in inspect.getmembers(module, inspect.isclass):
                if cls.__module__ == module.__name__ and "BINDINGS" in cls.__dict__:
                    found.append(cls)
    return found


def missing_actions(cls: type) -> list[str]:
    """The bindings of ``cls`` whose action is no ``action_*`` method: of the app for an
    ``app.`` action, otherwise of ``cls`` itself (where Textual runs it)."""
    missing = []
    for binding in Binding.make_bindings(cls.__dict__["BINDINGS"]):
        namespace, _, action = binding.action.rpartition(".")
        name = action.partition("(")[0]
        target = InterventionApp if namespace == "app" else cls
        if namespace not in ("", "app") or not callable(getattr(target, f"action_{name}", None)):
            missing.append(f"{cls.__name__}: {binding.key} → {binding.action}")
    return missing


def test_every_binding_runs_an_action_its_screen_or_the_app_has() -> None:
    problems = [p for cls in classes_with_bindings() for p in missing_actions(cls)]
    assert not problems


def test_a_mistyped_action_is_caught() -> None:
    class Typo(Widget):
        BINDINGS = [Binding("s", "sav", "Save"), Binding("q", "app.quitt", "Quit")]

        def action_save(self) -> None: ...

    assert missing_actions(Typo) == ["Typo: s → sav", "Typo: q → app.quitt"]


def test_binding_ids_are_unique_across_the_app() -> None:
    ids = [b.id for cls in classes_with_bindings() for b in cls.__dict__["BINDINGS"]]
    assert all(ids) and len(ids) == len(set(ids))


def test_every_table_is_some_class_s_bindings_and_every_class_reads_a_table() -> None:
    tables = read_table(KEYS_FILE)
    declared = {cls.__qualname__: list(cls.__dict__["BINDINGS"]) for cls in classes_with_bindings()}
    unused = [t for t, made in tables.items() if list(made) not in declared.values()]
    assert not unused, f"tables no screen or widget uses: {unused}"
    by_hand = [name for name, bs in declared.items() if bs not in map(list, tables.values())]
    assert not by_hand, f"BINDINGS not from tui/keys.toml: {by_hand}"


def test_an_entry_becomes_the_binding_it_describes() -> None:
    (close, question, _) = bindings("help")
    assert close == Binding("escape", "close", "Close", tooltip="Close help", id="help.close")
    assert question.key_display == "?" and question.show is False
    assert bindings("exports")[1].priority is True  # ctrl+s: before the focused field's keys
    assert bindings("today_groups")[0].id == "today.groups.enter"  # an entry naming its id
    assert bindings("student") == bindings("student")
    assert bindings("student") is not bindings("student")  # a list of its own each call


def test_an_unknown_table_is_named() -> None:
    with pytest.raises(KeysTableError, match=r"tui/keys.toml has no table \[students_list\]"):
        bindings("students_list")


GOOD = 'key = "ctrl+s"\naction = "save"\ndescription = "Save"\ntooltip = "Save it"\n'


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[log.save]\nkey = "ctrl+s"\ndescription = "Save"\ntooltip = "t"\n', "missing 'action'"),
        (f"[log.save]\n{GOOD}show = 1\n", "'show' must be true or false"),
        (f'[log.save]\n{GOOD}priority = "yes"\n', "'priority' must be true or false"),
        (f"[log.save]\n{GOOD}tooltp = 'x'\n", "unknown field 'tooltp'"),
        ('[log.save]\nkey = ""\naction = "save"\ndescription = "S"\ntooltip = "t"\n', "'key'"),
        (f"[log.save]\n{GOOD}[log.keep]\n{GOOD}id = 'log.save'\n", "already [log.save]"),
        ("[log]\nsave = 'ctrl+s'\n", "a binding is a table"),
    ],
)
def test_a_malformed_entry_names_its_table_and_entry(
    tmp_path: Path, text: str, message: str
) -> None:
    path = tmp_path / "keys.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(KeysTableError) as caught:
        read_table(path)
    assert str(caught.value).startswith(f"{tmp_path.name}/keys.toml [log.")
    assert message in str(caught.value)


@pytest.mark.parametrize(
    ("text", "message"),
    [("[log.save\n", "Expected ']'"), ("log = 3\n", "[log]: a table of bindings")],
)
def test_a_file_that_is_not_a_keys_table_is_named(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "keys.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(KeysTableError, match=rf"^{re.escape(tmp_path.name)}/keys\.toml") as caught:
        read_table(path)
    assert message in str(caught.value)
