"""Issue 15 items 7-8 through a real process: a damaged score file, OS errors and a deeply
nested JSON file are each one line on stderr (no traceback, nothing from the file's bytes)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from store.db import Store
from store.demo import build_demo
from tests.test_cli_io import run


@pytest.fixture
def damaged(tmp_path: Path) -> tuple[Path, Path, str]:
    """A demo folder (built for today) with one student's score file cut in half and a name
    planted in its bytes: (folder, damaged file, the planted name)."""
    folder = tmp_path / "data"
    with Store.open(folder) as s:
        build_demo(s, date.today())
        victim = next(st for st in s.students() if s.scores(st.id))
    path = next((folder / "scores").rglob(f"{victim.id}.json"))
    raw = path.read_bytes()
    planted = "Quentin Plantedname"
    path.write_bytes(raw[: len(raw) // 2] + json.dumps(planted).encode())
    return folder, path, planted


def assert_one_line(stderr: str, *needles: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("intervene: "), stderr
    assert "Traceback" not in stderr
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


@pytest.mark.parametrize("command", [["today"], ["caseload"], ["report", "packet"]])
def test_reading_commands_work_around_a_damaged_score_file(
    damaged: tuple[Path, Path, str], command: list[str]
) -> None:
    folder, path, planted = damaged
    out = run(*command, data_dir=folder)
    assert planted not in out.stdout + out.stderr
    assert "Traceback" not in out.stderr
    if command == ["today"]:  # reads no scores: nothing to say
        assert out.returncode == 0, out.stderr
        return
    assert out.returncode == 0, out.stderr
    assert_one_line(out.stderr, str(path), "cannot be read")
    assert out.stdout.strip()  # everyone else's caseload is there
