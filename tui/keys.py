"""Every screen's and widget's key bindings, read from one table: ``tui/keys.toml``.

A screen says ``BINDINGS = bindings("session_log")``. Each TOML table is one screen or widget;
each entry in it is one binding, whose id is ``<table>.<entry>`` (the id a user remaps in
``[keys]`` of settings.toml) unless the entry names its ``id``. An entry has ``key``,
``action``, ``description`` (the footer's word) and ``tooltip`` ("Palette title: what it
does"; the palette and the help screen read it), and may have ``show``, ``priority``,
``key_display`` and ``system`` (Textual's ``Binding`` fields of those names). The file is read
once per process, on the first call; a malformed entry stops the import with a line naming
its table and entry.

Parsing the TOML (~4 ms) is on the start-up path (the app's BINDINGS are read at import), so
the parsed tables are kept between runs beside the bytecode, as Python keeps a module's
(:func:`load_tables`): ``__pycache__/keys.toml.<python>.pickle``, or under
``PYTHONPYCACHEPREFIX``, never written when ``PYTHONDONTWRITEBYTECODE`` is set. The kept copy
is used only while keys.toml, this module and Textual's ``binding.py`` (the class pickled) are
the very files it was made from (size and mtime of each, as a ``.pyc`` records its source);
otherwise the file is parsed (and checked) again.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import sys
from functools import cache
from pathlib import Path
from typing import Any

import textual.binding
from textual.binding import Binding, BindingType

__all__ = ["KEYS_FILE", "KeysTableError", "bindings", "cache_path", "load_tables", "read_table"]

KEYS_FILE = Path(__file__).with_name("keys.toml")
#: what a kept copy was made by: a change to any of these files makes it stale
_MADE_BY = (Path(__file__), Path(textual.binding.__file__))

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
    import tomllib  # here: a start with a kept copy of the table never parses TOML

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


def cache_path(path: Path) -> Path:
    """Where the parsed copy of the keys file ``path`` is kept: beside the bytecode of the
    modules in its folder (``__pycache__``, or the same folder under ``sys.pycache_prefix``)."""
    name = f"{path.name}.{sys.implementation.cache_tag}.pickle"
    folder = path.resolve().parent
    if sys.pycache_prefix:
        return Path(sys.pycache_prefix, *folder.parts[1:], name)
    return folder / "__pycache__" / name


def _source_key(path: Path) -> tuple[tuple[int, int], ...] | None:
    """(size, mtime ns) of the keys file and of the code that turns it into bindings."""
    try:
        stats = [os.stat(p) for p in (path, *_MADE_BY)]
    except OSError:
        return None
    return tuple((st.st_size, st.st_mtime_ns) for st in stats)


def load_tables(path: Path, cache: Path | None) -> dict[str, tuple[Binding, ...]]:
    """:func:`read_table` of ``path``, through its parsed copy kept at ``cache``: the copy is
    read when it was made from the files as they are now (:func:`_source_key`), else the keys
    file is read and checked, and the copy written again (atomically; skipped under
    ``PYTHONDONTWRITEBYTECODE``, and whenever it cannot be written)."""
    key = _source_key(path)
    if cache is not None and key is not None:
        with contextlib.suppress(Exception):  # absent, unreadable or another version's copy
            with cache.open("rb") as file:
                kept_key, tables = pickle.load(file)
            if kept_key == key:
                return tables
    tables = read_table(path)
    if cache is not None and key is not None and not sys.dont_write_bytecode:
        with contextlib.suppress(OSError):
            _write(cache, pickle.dumps((key, tables), protocol=pickle.HIGHEST_PROTOCOL))
    return tables


def _write(path: Path, data: bytes) -> None:
    """Write the copy atomically (``store.storage.atomic_write_bytes``: 0600, temp file and
    rename), making its folder first."""
    from store.storage import atomic_write_bytes

    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(path, data)


@cache
def _tables() -> dict[str, tuple[Binding, ...]]:
    return load_tables(KEYS_FILE, cache_path(KEYS_FILE))


def bindings(screen_id: str) -> list[BindingType]:
    """The bindings of table ``screen_id`` of tui/keys.toml, in file order: a new list each
    call (the file is read once per process), typed as Textual's ``BINDINGS`` is (every item
    is a :class:`Binding`)."""
    tables = _tables()
    if screen_id not in tables:
        raise KeysTableError(f"tui/keys.toml has no table [{screen_id}]")
    return list(tables[screen_id])
