"""`intervene caseload [--date D] [--json]` through a real process: the same rows, words and
counts as the app (``tui.views.attention.caseload_rows``), readable text, read-only while another
window holds the writer lock, and no Textual imported."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from store.caseload import CaseloadRow, attention_counts, attention_summary
from store.db import Store
from store.vocabulary import KINDS
from tests.cli import assert_user_error, run
from tests.conftest import FakeClock, read_tree
from tests.tui.test_one_definition import NOW, TODAY, build_small
from tui.config import AppConfig
from tui.tones import decision_words
from tui.views.attention import caseload_rows

FIELDS = {
    "student_id",
    "student",
    "measure",
    "status",
    "decision",
    "decision_words",
    "reason",
    "roi_actual",
    "roi_needed",
    "points",
    "dosage",
    "needs_decision",
    "probe_overdue",
}


@pytest.fixture
def small(tmp_path: Path) -> tuple[Path, dict[str, str], list[CaseloadRow]]:
    """The small store of the one-definition tests and the rows the app computes for it."""
    folder = tmp_path / "data"
    with Store.open(folder, clock=FakeClock(NOW)) as store:
        ids = build_small(store)
        rows = caseload_rows(store, TODAY, AppConfig())
    return folder, ids, rows


def caseload(folder: Path, *extra: str) -> str:
    out = run("caseload", "--date", TODAY.isoformat(), *extra, data_dir=folder)
    assert out.returncode == 0, out.stderr
    assert out.stderr == ""
    return out.stdout


def test_json_has_the_rows_kinds_and_counts_the_app_computes(
    small: tuple[Path, dict[str, str], list[CaseloadRow]],
) -> None:
    folder, ids, rows = small
    doc = json.loads(caseload(folder, "--json"))
    assert set(doc) == {"date", "summary", "rows"}
    assert doc["date"] == "2026-11-25"
    summary = doc["summary"]
    assert summary["line"] == attention_summary(rows)
    assert summary["counts"] == attention_counts(rows)
    assert summary["counts"]["change"] == 1 and summary["counts"]["overdue"] == 1
    assert summary["rows"] == len(rows) == 4
    assert summary["students"] == 4
    assert summary["rows_needing_decision"] == sum(r.needs_decision for r in rows)
    got = doc["rows"]
    assert [(r["student_id"], r["measure"]) for r in got] == [
        (r.student.id, r.measure.code) for r in rows
    ]  # the same urgency order
    for record, row in zip(got, rows, strict=True):
        assert set(record) >= FIELDS
        assert record["decision"] in KINDS
        assert record["decision"] == row.decision.kind
        assert record["decision_words"] == decision_words(row)
        assert record["reason"] == row.decision.reason
        assert record["needs_decision"] is row.needs_decision
        assert record["probe_overdue"] is row.probe_overdue
        assert record["points"] == row.decision.n_points
        assert record["status"] == row.status
    by_id = {r["student_id"]: r for r in got}
    change = by_id[ids["change"]]
    assert change["decision"] == "change" and change["needs_decision"] is True
    assert change["points"] == 11  # weekly Sep 9 … Nov 18
    assert change["roi_needed"] == pytest.approx(30 / (147 / 7), abs=0.01)  # 40 → 70 in 21 weeks
    assert change["roi_actual"] == pytest.approx(0.0, abs=0.2)  # flat scores
    # every session logged, all present, full minutes
    assert change["dosage"]["attendance_pct"] == 100.0
    assert change["dosage"]["minutes_pct"] == 100.0
    assert change["dosage"]["sessions_planned"] == 12
    assert change["dosage"]["sessions_not_logged"] in (0, None)
    few = by_id[ids["few"]]
    assert few["decision"] == "insufficient-data" and few["needs_decision"] is False
    assert by_id[ids["overdue"]]["probe_overdue"] is True


def test_text_is_a_plain_table_by_urgency_with_the_counts_line_on_top(
    small: tuple[Path, dict[str, str], list[CaseloadRow]],
) -> None:
    folder, _, rows = small
    lines = caseload(folder).splitlines()
    assert lines[0].startswith("Caseload review · Wednesday 25 November 2026 · 4 students")
    needing = len({r.student.id for r in rows if r.needs_decision})
    assert f"{needing} students need a decision" in lines[0]
    assert lines[1] == attention_summary(rows)
    header = lines[3].split()
    assert header[:2] == ["Decision", "Student"] and header[-1] == "Reason"
    body = lines[4:]
    assert len(body) == len(rows)
    for line, row in zip(body, rows, strict=True):  # urgency order, the vocabulary's words
        assert line.startswith(decision_words(row, short=True))
        assert row.student.name in line and row.decision.reason in line
    text = "\n".join(lines)
    assert "\x1b" not in text and not re.search(r"\[/?(bold|red|dim)", text)  # no colour codes


def test_works_while_the_app_holds_the_writer_lock_and_writes_nothing(
    small: tuple[Path, dict[str, str], list[CaseloadRow]],
) -> None:
    folder, _, rows = small
    with Store.open(folder, clock=FakeClock(NOW)):  # the app, open in another window
        before = read_tree(folder)
        doc = json.loads(caseload(folder, "--json"))
        text = caseload(folder)
        assert read_tree(folder) == before
    assert doc["summary"]["line"] == attention_summary(rows)
    assert attention_summary(rows) in text


def test_imports_no_textual(small: tuple[Path, dict[str, str], list[CaseloadRow]]) -> None:
    folder, _, _ = small
    out = run(
        "caseload",
        "--date",
        TODAY.isoformat(),
        data_dir=folder,
        env={"PYTHONPROFILEIMPORTTIME": "1"},
    )
    assert out.returncode == 0, out.stderr
    imported = [line.rsplit("|", 1)[-1].strip() for line in out.stderr.splitlines()]
    assert "tui.cli.caseload" in imported and "store.caseload" in imported
    assert not [m for m in imported if m.split(".")[0] in ("textual", "plotext")]


def test_errors(tmp_path: Path) -> None:
    assert_user_error(run("caseload", data_dir=tmp_path / "none"), "there is no intervene data")
    out = run("caseload", "--date", "25/11/2026", data_dir=tmp_path)
    assert out.returncode == 2 and "is not a date" in out.stderr
