"""`intervene add-score`: several passages (median saved, passages kept) and the plausibility
warning (saved anyway, warning on stderr, exit 0), through a real process."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from store.db import Store
from tests.cli import run, run_refused
from tests.conftest import FakeClock

DAY = date.today() - timedelta(days=1)


@pytest.fixture
def kai(tmp_path: Path) -> tuple[Path, str]:
    """A folder with Kai Lee and three ORF scores in the 60s before DAY."""
    folder = tmp_path / "data"
    with Store.open(folder, clock=FakeClock(datetime.combine(DAY, datetime.min.time()))) as s:
        student = s.add_student("Kai", "Lee", "3")
        for weeks, value in ((3, 61), (2, 64), (1, 60)):
            s.record_score(student.id, "ORF", value, DAY - timedelta(weeks=weeks))
    return folder, student.id


def score_on(folder: Path, sid: str) -> tuple[float, list[float]] | None:
    with Store.open(folder, readonly=True) as s:
        score = s.score_on(sid, "ORF", DAY)
        return None if score is None else (score.value, score.passages)


def test_implausible_score_is_saved_with_a_warning(kai: tuple[Path, str]) -> None:
    folder, sid = kai
    out = run("add-score", "kai", "ORF", "140", "--date", DAY.isoformat(), data_dir=folder)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == f"Saved ORF 140 for Kai Lee on {DAY.isoformat()}"
    assert "140 is far above Kai's last scores (60–64)" in out.stderr
    assert out.stderr.startswith("intervene: warning: ")
    assert score_on(folder, sid) == (140, [])


def test_plausible_score_prints_no_warning(kai: tuple[Path, str]) -> None:
    folder, _ = kai
    out = run("add-score", "kai", "ORF", "66", "--date", DAY.isoformat(), data_dir=folder)
    assert out.returncode == 0 and out.stderr == ""


def test_several_values_are_passages(kai: tuple[Path, str]) -> None:
    folder, sid = kai
    out = run(
        "add-score", "kai", "ORF", "61", "58", "64", "--date", DAY.isoformat(), data_dir=folder
    )
    assert out.returncode == 0, out.stderr
    assert "Saved ORF 61 (median of 61, 58, 64) for Kai Lee" in out.stdout
    assert score_on(folder, sid) == (61, [61, 58, 64])


def test_passages_option(kai: tuple[Path, str]) -> None:
    folder, sid = kai
    out = run(
        "add-score", "kai", "ORF", "--passages", "61, 58", "--date", DAY.isoformat(),
        data_dir=folder,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert score_on(folder, sid) == (60, [61, 58])  # 59.5 rounds half up


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (("61", "412", "64"), "ORF score 412 is outside 0–300"),
        (("٣٤",), "is not a number"),
        (("1e2",), "is not a number"),
        (("1_0",), "is not a number"),
        ((), "give the score"),
    ],
)
def test_bad_values_change_nothing(
    kai: tuple[Path, str], values: tuple[str, ...], message: str
) -> None:
    folder, _ = kai
    run_refused(
        "add-score", "kai", "ORF", *values, "--date", DAY.isoformat(), data_dir=folder, text=message
    )
