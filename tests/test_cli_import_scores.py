"""`intervene import scores` through a real process: preview, --yes, --replace, exit codes."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli import SAMPLES, assert_user_error, run, run_refused
from tests.conftest import read_tree


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A data folder holding the sample roster's students."""
    data = tmp_path / "data"
    out = run("import", "roster", SAMPLES / "roster.csv", "--yes", data_dir=data)
    assert out.returncode == 0, out.stderr
    return data


def test_needs_yes_without_a_terminal_then_imports_once(folder: Path) -> None:
    out = run_refused(
        "import", "scores", SAMPLES / "scores-long.csv", data_dir=folder,
        text="no terminal to confirm the import, so nothing was written",
    )  # fmt: skip
    assert "11 new, 0 unchanged, 0 conflicts, 0 problems" in out.stdout
    out = run("import", "scores", SAMPLES / "scores-long.csv", "--yes", data_dir=folder)
    assert out.returncode == 0, out.stderr
    assert "Imported: 11 new scores" in out.stdout
    after = read_tree(folder)
    out = run("import", "scores", SAMPLES / "scores-long.csv", data_dir=folder)
    assert out.returncode == 0, out.stderr
    assert "0 new, 11 unchanged" in out.stdout and "Nothing to change" in out.stdout
    assert read_tree(folder) == after


def test_wide_file_needs_a_measure(folder: Path) -> None:
    out = run("import", "scores", SAMPLES / "scores-wide.csv", "--yes", data_dir=folder)
    assert_user_error(out, "give --measure CODE")
    out = run(
        "import", "scores", SAMPLES / "scores-wide.csv", "--measure", "orf", "-y", data_dir=folder
    )
    assert out.returncode == 0, out.stderr
    assert "Imported: 9 new scores" in out.stdout


def test_a_conflict_needs_replace(folder: Path, tmp_path: Path) -> None:
    out = run("add-score", "100234", "ORF", "60", "--date", "2026-09-08", data_dir=folder)
    assert out.returncode == 0, out.stderr
    f = tmp_path / "c.csv"
    f.write_text("sis_id,date,wcpm\n100234,2026-09-08,62\n100236,2026-09-08,41\n")
    out = run_refused("import", "scores", f, "--yes", data_dir=folder, text="1 score in")
    assert "--replace" in out.stderr
    assert "Ava Jones: ORF on 2026-09-08: saved 60, file 62 (line 2)" in out.stdout
    out = run("import", "scores", f, "--yes", "--replace", data_dir=folder)
    assert out.returncode == 0, out.stderr
    assert "Imported: 1 new scores, 1 replaced" in out.stdout


def test_a_bad_file_exits_1_names_the_lines_and_writes_nothing(
    folder: Path, tmp_path: Path
) -> None:
    f = tmp_path / "bad.csv"
    f.write_text(
        "Student;Measure;Date;Score\nAva Jones;ORF;2026-09-08;999\nNobody;ORF;2026-09-08;5\n"
    )
    out = run_refused(
        "import", "scores", f, "--yes", data_dir=folder, text="import stopped: 2 problems"
    )
    assert "bad.csv line 2: ORF score 999 is outside 0–300" in out.stdout
    assert "bad.csv line 3: no student matches 'Nobody'" in out.stdout
    out = run("import", "scores", tmp_path / "nope.csv", data_dir=folder)
    assert_user_error(out, "does not exist")
    out = run("import", "scores", f, "--date-format", "ymd", data_dir=folder)
    assert out.returncode == 2


def test_ambiguous_dates_ask_for_date_format(folder: Path, tmp_path: Path) -> None:
    f = tmp_path / "d.csv"
    f.write_text("Student,10/9/2026,11/10/2026\nAva Jones,40,42\n", encoding="utf-16")
    out = run("import", "scores", f, "--measure", "ORF", "--yes", data_dir=folder)
    assert_user_error(out, "give --date-format mdy or dmy")
    out = run(
        "import", "scores", f, "--measure", "ORF", "--date-format", "dmy", "-y", data_dir=folder
    )
    assert out.returncode == 0, out.stderr
    assert "Ava Jones: ORF 40 on 2026-09-10" in out.stdout
