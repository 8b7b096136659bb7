"""tui.dataclass_code: dataclass methods compiled once, kept beside the bytecode, reused."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import tui  # noqa: F401 - installs the cache, as every start of the app does
from tui import dataclass_code
from tui.dataclass_code import CodeCache

ROOT = Path(__file__).resolve().parents[2]

CHILD = """
import dataclasses, json, sys
import tui
from tui import dataclass_code
from store.model import Student  # a record made at import (store.records)

@dataclasses.dataclass(frozen=True)
class Probe:
    score: int
    notes: list = dataclasses.field(default_factory=list)
    def __post_init__(self):
        if self.score < 0:
            raise ValueError("negative")

p = Probe(5)
try:
    p.score = 6
    frozen = False
except dataclasses.FrozenInstanceError:
    frozen = True
cache = dataclass_code.installed()
print(json.dumps({
    "compiled": cache.compiled,
    "kept": len(cache.codes),
    "probe": [p.score, p.notes, Probe(5, [1]).notes, frozen, p == Probe(5)],
    "student_fields": [f.name for f in dataclasses.fields(Student)][:2],
}))
"""


def run_child(prefix: Path, *, write: bool = True) -> dict:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    if not write:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    env["PYTHONPYCACHEPREFIX"] = str(prefix)
    out = subprocess.run(
        [sys.executable, "-c", CHILD], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout)


def cache_file(prefix: Path) -> Path:
    """Where a child run with ``PYTHONPYCACHEPREFIX=prefix`` keeps the cache."""
    tag = sys.implementation.cache_tag
    return prefix / (ROOT / "tui").relative_to("/") / f"dataclass-code.{tag}.marshal"


def test_second_start_compiles_nothing(tmp_path: Path) -> None:
    first = run_child(tmp_path)
    assert first["compiled"] > 10  # our records and the probe, all compiled
    assert cache_file(tmp_path).is_file()
    assert (cache_file(tmp_path).stat().st_mode & 0o777) == 0o600
    second = run_child(tmp_path)
    assert second["compiled"] == 0
    assert second["kept"] >= first["compiled"]  # all read back from the file
    # the classes made from kept code behave as dataclasses do
    assert second["probe"] == first["probe"] == [5, [], [1], True, True]
    assert second["student_fields"] == first["student_fields"]


def test_damaged_cache_is_ignored_and_rewritten(tmp_path: Path) -> None:
    run_child(tmp_path)
    cache_file(tmp_path).write_bytes(b"\x00not marshal at all")
    again = run_child(tmp_path)
    assert again["compiled"] > 10 and again["probe"] == [5, [], [1], True, True]
    assert run_child(tmp_path)["compiled"] == 0  # rewritten whole


def test_nothing_written_without_bytecode(tmp_path: Path) -> None:
    assert run_child(tmp_path, write=False)["compiled"] > 10
    assert not cache_file(tmp_path).exists()


def test_code_is_what_exec_compiles(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    path = tmp_path / "c.marshal"
    cache = CodeCache(str(path))
    text = "def __create_fn__(x):\n def f(self):\n  return x + 1\n return f"
    ns: dict = {}
    cache.exec(text, {}, ns)
    assert ns["__create_fn__"](41)(None) == 42
    assert cache.compiled == 1
    cache.exec(text, {}, ns)  # the same text again: found, not compiled
    assert cache.compiled == 1
    assert cache.code(text).co_filename == "<string>"
    cache.save()
    reread = CodeCache(str(path))
    assert reread.codes.keys() == {text} and reread.compiled == 0


def test_exec_without_namespaces_uses_the_callers() -> None:
    cache = CodeCache(None)

    def run() -> list[int]:
        out: list[int] = []
        cache.exec("out.append(len(out) + 7)")  # exec's default: the caller's namespaces
        return out

    assert run() == [7]
    cache.save()  # no file: nothing to do, no error


@pytest.mark.parametrize("frozen", [True, False])
def test_dataclasses_in_this_process_go_through_it(frozen: bool) -> None:
    cache = dataclass_code.installed()
    assert cache is not None and dataclasses.exec == cache.exec  # type: ignore[attr-defined]
    before = len(cache.used)

    @dataclasses.dataclass(frozen=frozen)
    class Made:
        a: int
        b: str = "x"

    assert len(cache.used) > before
    assert Made(1) == Made(1, "x") and Made(2, "y").b == "y"
