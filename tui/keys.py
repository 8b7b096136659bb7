"""Every screen's and widget's key bindings, read from one table: ``tui/keys.toml``.

A screen says ``BINDINGS = bindings("session_log")``. Each TOML table is one screen or widget;
each entry in it is one binding, whose id is ``<table>.<entry>`` (the id a user remaps in
``[keys]`` of settings.toml) unless the entry names its ``id``. An entry has ``key``,
``action``, ``description`` (the footer's word) and ``tooltip`` ("Palette title: what it
does"; the palette and the help screen read it), and may have ``show``, ``priority``,
``key_display`` and ``system`` (Textual's ``Binding`` fields of those names). The file is read
once per process, on the first call; a malformed entry stops the import with a line naming
its table and entry.
"""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path
from typing import Any

from textual.binding import Binding, BindingType

__all__ = ["KEYS_FILE", "KeysTableError", "bindings", "read_table"]

KEYS_FILE = Path(__file__).with_name("keys.toml")

#: field → (type, required)
FIELDS: dict[str, tuple[type, bool]] = {
    "key": (str, True),
    "action": (str, True),
    "description": (str, True),
    "tooltip": (str, True),
    "id": (str, False),
    "show": (bool, False),
    "priority": (bool, False),
    "key_display": (str, False),
    "system": (bool, False),
}


class KeysTableError(ValueError):
    """The keys table cannot be read, or one of its entries is malformed."""


def _binding(where: str, table: str, name: str, entry: Any) -> Binding:
    """One entry as a Binding; ``where`` names it in an error (``tui/keys.toml [today.log]``)."""
    if not isinstance(entry, dict):
        raise KeysTableError(f"{where}: a binding is a table of key, action, description, tooltip")
    unknown = sorted(set(entry) - set(FIELDS))
    if unknown:
        raise KeysTableError(f"{where}: unknown field {unknown[0]!r} (fields: {', '.join(FIELDS)})")
    for field, (kind, required) in FIELDS.items():
        if field not in entry:
            if required:
                raise KeysTableError(f"{where}: missing {field!r}")
        elif not isinstance(entry[field], kind) or (kind is str and not entry[field].strip()):
            wanted = "true or false" if kind is bool else "a non-empty string"
            raise KeysTableError(f"{where}: {field!r} must be {wanted}")
    return Binding(
        entry["key"],
        entry["action"],
        entry["description"],
        show=entry.get("show", True),
        key_display=entry.get("key_display"),
        priority=entry.get("priority", False),
        tooltip=entry["tooltip"],
        id=entry.get("id", f"{table}.{name}"),
        system=entry.get("system", False),
    )


def read_table(path: Path) -> dict[str, tuple[Binding, ...]]:
    """Every table of the keys file at ``path``: table name → its bindings, in file order.
    Raises KeysTableError naming the file (and the table and entry) when something is wrong:
    a TOML syntax error, a table that is not a table of bindings, a malformed entry, or two
    bindings with one id."""
    shown = f"{path.parent.name}/{path.name}"
    try:
        with path.open("rb") as file:
            data = tomllib.load(file)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise KeysTableError(f"{shown}: {exc}") from exc
    tables: dict[str, tuple[Binding, ...]] = {}
    ids: dict[str, str] = {}
    for table, entries in data.items():
        if not isinstance(entries, dict) or not entries:
            raise KeysTableError(f"{shown} [{table}]: a table of bindings ([{table}.<name>])")
        made = []
        for name, entry in entries.items():
            where = f"{shown} [{table}.{name}]"
            binding = _binding(where, table, name, entry)
            assert binding.id is not None
            if binding.id in ids:
                raise KeysTableError(f"{where}: id {binding.id!r} is already [{ids[binding.id]}]")
            ids[binding.id] = f"{table}.{name}"
            made.append(binding)
        tables[table] = tuple(made)
    return tables


@cache
def _tables() -> dict[str, tuple[Binding, ...]]:
    return read_table(KEYS_FILE)


def bindings(screen_id: str) -> list[BindingType]:
    """The bindings of table ``screen_id`` of tui/keys.toml, in file order: a new list each
    call (the file is read once per process), typed as Textual's ``BINDINGS`` is (every item
    is a :class:`Binding`)."""
    tables = _tables()
    if screen_id not in tables:
        raise KeysTableError(f"tui/keys.toml has no table [{screen_id}]")
    return list(tables[screen_id])
