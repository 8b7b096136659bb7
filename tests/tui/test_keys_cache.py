"""The keys table's parsed copy kept between runs (tui.keys.load_tables): used only while the
keys file is the one it was made from, parsed and checked again after any change, never
written under PYTHONDONTWRITEBYTECODE, and a damaged copy is only a slower start."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from tui import keys
from tui.keys import KEYS_FILE, KeysTableError, cache_path, load_tables, read_table

TABLE = """
[demo.save]
key = "ctrl+s"
action = "save"
description = "Save"
tooltip = "Save: keep the score"
"""


@pytest.fixture
def writes_bytecode(monkeypatch: pytest.MonkeyPatch) -> None:
    """As an installed app runs (the test environment sets PYTHONDONTWRITEBYTECODE)."""
    monkeypatch.setattr(sys, "dont_write_bytecode", False)


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The keys files read_table parsed, in order."""
    seen: list[Path] = []

    def counted(path: Path) -> dict[str, tuple[object, ...]]:
        seen.append(path)
        return read_table(path)

    monkeypatch.setattr(keys, "read_table", counted)
    return seen


def test_the_kept_copy_is_read_instead_of_the_file(
    tmp_path: Path, writes_bytecode: None, parses: list[Path]
) -> None:
    table, kept = tmp_path / "keys.toml", tmp_path / "cache" / "keys.pickle"
    table.write_text(TABLE)
    first = load_tables(table, kept)
    assert kept.is_file() and parses == [table]
    again = load_tables(table, kept)
    assert parses == [table]  # not parsed again
    assert again == first
    assert again["demo"][0].id == "demo.save" and again["demo"][0].tooltip.startswith("Save:")


def test_a_changed_keys_file_is_parsed_again(
    tmp_path: Path, writes_bytecode: None, parses: list[Path]
) -> None:
    table, kept = tmp_path / "keys.toml", tmp_path / "keys.pickle"
    table.write_text(TABLE)
    load_tables(table, kept)
    stat = table.stat()
    table.write_text(TABLE.replace('"ctrl+s"', '"ctrl+w"'))  # same size
    os.utime(table, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    assert load_tables(table, kept)["demo"][0].key == "ctrl+w"
    assert len(parses) == 2
    table.write_text(TABLE.replace('"Save"', '"Keep"') + "\n")  # another size, same mtime
    os.utime(table, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    assert load_tables(table, kept)["demo"][0].description == "Keep"
    table.write_text(TABLE.replace('key = "ctrl+s"\n', ""))  # now malformed: refused as ever
    with pytest.raises(KeysTableError, match=r"\[demo.save\]: missing 'key'"):
        load_tables(table, kept)


def test_a_copy_made_by_other_code_is_not_used(
    tmp_path: Path, writes_bytecode: None, parses: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    table, kept = tmp_path / "keys.toml", tmp_path / "keys.pickle"
    table.write_text(TABLE)
    load_tables(table, kept)
    code = tmp_path / "binding.py"  # stands for Textual's binding.py after an upgrade
    code.write_text("# another version\n")
    monkeypatch.setattr(keys, "_MADE_BY", (*keys._MADE_BY, code))
    load_tables(table, kept)
    assert len(parses) == 2


def test_a_damaged_copy_is_parsed_again_and_replaced(
    tmp_path: Path, writes_bytecode: None, parses: list[Path]
) -> None:
    table, kept = tmp_path / "keys.toml", tmp_path / "keys.pickle"
    table.write_text(TABLE)
    kept.write_bytes(b"not a pickle")
    assert load_tables(table, kept)["demo"][0].key == "ctrl+s"
    assert load_tables(table, kept)["demo"][0].key == "ctrl+s"
    assert len(parses) == 1  # the second read the copy the first wrote


def test_nothing_is_written_without_bytecode(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    table, kept = tmp_path / "keys.toml", tmp_path / "keys.pickle"
    table.write_text(TABLE)
    assert load_tables(table, kept)["demo"][0].key == "ctrl+s"
    assert not kept.exists()


def test_an_unwritable_place_only_costs_the_parse(tmp_path: Path, writes_bytecode: None) -> None:
    table = tmp_path / "keys.toml"
    table.write_text(TABLE)
    blocker = tmp_path / "file"
    blocker.write_text("")
    assert load_tables(table, blocker / "keys.pickle")["demo"][0].key == "ctrl+s"


def test_the_copy_lives_beside_the_bytecode(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "pycache_prefix", None)
    tag = sys.implementation.cache_tag
    assert cache_path(KEYS_FILE) == KEYS_FILE.resolve().parent / "__pycache__" / (
        f"keys.toml.{tag}.pickle"
    )
    monkeypatch.setattr(sys, "pycache_prefix", "/var/cache/py")
    folder = KEYS_FILE.resolve().parent
    assert cache_path(KEYS_FILE) == Path(
        "/var/cache/py", *folder.parts[1:], f"keys.toml.{tag}.pickle"
    )


def test_the_apps_tables_are_the_files(tmp_path: Path, writes_bytecode: None) -> None:
    """Through a kept copy, every table is what parsing tui/keys.toml gives."""
    kept = tmp_path / "keys.pickle"
    load_tables(KEYS_FILE, kept)
    assert load_tables(KEYS_FILE, kept) == read_table(KEYS_FILE)
