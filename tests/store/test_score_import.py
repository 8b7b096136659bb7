"""Score import: long and wide files, real-world encodings, names, conflicts, all-or-nothing."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from store.db import Store
from store.demo import build_demo
from store.errors import ValidationError
from store.export import export_scores
from store.score_import import (
    DateContext,
    apply_score_import,
    date_readings,
    read_score_file,
)
from tests.conftest import SAMPLES, FakeClock, read_tree


def write(path: Path, text: str, *, encoding: str = "utf-8", crlf: bool = False) -> Path:
    if crlf:
        text = text.replace("\n", "\r\n")
    path.write_bytes(text.encode(encoding))
    return path


@pytest.fixture
def roster(store: Store) -> Store:
    """The students of samples/roster.csv."""
    for sis, given, family, grade in (
        ("100234", "Ava", "Jones", "3"),
        ("100235", "Mateo", "García", "3"),
        ("100236", "Lily", "Nguyen", "3"),
        ("100302", "Zoe", "O'Brien, Jr.", "4"),
    ):
        store.add_student(given, family, grade, sis_id=sis)
    return store


def scores_of(store: Store) -> set[tuple[str, str, str, float, int | None]]:
    names = {s.id: s.name for s in store.students(include_archived=True)}
    return {
        (names[s.student_id], s.measure, s.date.isoformat(), s.value, s.errors)
        for s in store.iter_scores()
    }


def run(store: Store, path: Path, *, replace: bool = False, **kw: Any):  # noqa: ANN201
    plan = read_score_file(path, store, **kw)
    assert plan.ok, plan.problems
    return plan, apply_score_import(plan, store, replace=replace)


def test_long_file(roster: Store, tmp_path: Path) -> None:
    f = write(
        tmp_path / "long.csv",
        "Student,Measure,Date,Score,Errors\n"
        "Ava Jones,ORF,2026-09-08,62,3\n"
        "Ava Jones,orf,9/15/2026,65,\n"
        "Mateo Garcia,NWF,09/22/2026,30,2\n",
    )
    plan, result = run(roster, f)
    assert plan.layout == "long" and result.added == 3
    assert scores_of(roster) == {
        ("Ava Jones", "ORF", "2026-09-08", 62, 3),
        ("Ava Jones", "ORF", "2026-09-15", 65, None),
        ("Mateo García", "NWF", "2026-09-22", 30, 2),  # accents ignored
    }


def test_wide_file(roster: Store, tmp_path: Path) -> None:
    f = write(
        tmp_path / "wide.csv",
        "Student,9/8/2026,2026-09-15,Sep 22,,\nAva Jones,62/3,65,,,\nLily Nguyen,,40/1,44,,\n",
        crlf=True,
    )
    plan, result = run(roster, f, measure="ORF")
    assert plan.layout == "wide" and result.added == 4
    assert scores_of(roster) == {
        ("Ava Jones", "ORF", "2026-09-08", 62, 3),
        ("Ava Jones", "ORF", "2026-09-15", 65, None),
        ("Lily Nguyen", "ORF", "2026-09-15", 40, 1),
        ("Lily Nguyen", "ORF", "2026-09-22", 44, None),  # the school year's 2026
    }


def test_wide_file_with_a_measure_column_and_january_dates(
    roster: Store, clock: FakeClock, tmp_path: Path
) -> None:
    clock.now = datetime(2027, 2, 1, 9)
    f = write(tmp_path / "w.csv", "Name,Probe,Dec 7,Jan 11\nAva Jones,NWF,20,24\n")
    _plan, result = run(roster, f)
    assert result.added == 2
    assert {s[2] for s in scores_of(roster)} == {"2026-12-07", "2027-01-11"}


def test_samples_import(roster: Store) -> None:
    roster.add_student("Noah", "Okafor", "4", sis_id="100301")
    roster.add_student("Ethan", "Kowalski", "2", sis_id="100303")
    _plan, long = run(roster, SAMPLES / "scores-long.csv")
    _plan, wide = run(roster, SAMPLES / "scores-wide.csv", measure="ORF")
    assert long.added > 0 and wide.added > 0


def test_export_round_trip(tmp_path: Path) -> None:
    clock = FakeClock()
    with Store.open(tmp_path / "demo", clock=clock) as demo:
        build_demo(demo, clock().date())
        out = tmp_path / "scores.csv"
        export_scores(demo, out)
        students = demo.students(include_archived=True)
        expected = scores_of(demo)
    with Store.open(tmp_path / "fresh", clock=clock) as fresh:
        for s in students:
            fresh.add_student(s.given_name, s.family_name, s.grade, sis_id=s.sis_id)
        plan, result = run(fresh, out)
        assert result.added == len(expected) and not plan.conflicts
        assert scores_of(fresh) == expected
        again = read_score_file(out, fresh)
        assert again.ok and not again.new and len(again.unchanged) == len(expected)


def test_family_given_names(roster: Store, tmp_path: Path) -> None:
    f = write(
        tmp_path / "names.csv",
        'Student,Date,WCPM\n"Jones, Ava",2026-09-08,62\n"O\'Brien, Jr., Zoe",2026-09-08,70\n'
        "NGUYEN LILY,2026-09-08,41\n",
    )
    _plan, result = run(roster, f)  # a WCPM column means ORF
    assert result.added == 3
    assert ("Zoe O'Brien, Jr.", "ORF", "2026-09-08", 70, None) in scores_of(roster)


def test_given_and_family_columns_and_ids(roster: Store, tmp_path: Path) -> None:
    ava = next(s for s in roster.students() if s.given_name == "Ava")
    f = write(
        tmp_path / "ids.csv",
        "first_name,last_name,sis_id,id,probe_date,value,measure\n"
        "Lily,Nguyen,,,2026-09-08,41,ORF\n"
        ",,100235,,2026-09-08,30,ORF\n"
        f",,,{ava.id},2026-09-08,62,ORF\n",
    )
    _plan, result = run(roster, f)
    assert result.added == 3


def test_utf16_tab_file_from_excel(roster: Store, tmp_path: Path) -> None:
    text = "Student\tMeasure\tDate\tScore\nMateo García\tORF\t9/8/2026\t51\n"
    f = write(tmp_path / "excel.txt", "\ufeff" + text, encoding="utf-16-le", crlf=True)
    _plan, result = run(roster, f)
    assert result.added == 1
    assert scores_of(roster) == {("Mateo García", "ORF", "2026-09-08", 51, None)}


def test_semicolon_file_with_bom_and_decimal_commas(roster: Store, tmp_path: Path) -> None:
    f = write(
        tmp_path / "semi.csv",
        "\ufeffstudent_id;Measure;Date;Score\n100234;Maze;2026-09-08;12,5\n100236;Maze;2026-09-08;8\n",
    )
    _plan, result = run(roster, f)
    assert result.added == 2
    assert ("Ava Jones", "Maze", "2026-09-08", 12.5, None) in scores_of(roster)


def test_cp1252_file_is_read_with_a_notice(roster: Store, tmp_path: Path) -> None:
    f = write(
        tmp_path / "old.csv", "Name;Date;Score\nMateo García;2026-09-08;51\n", encoding="cp1252"
    )
    plan, result = run(roster, f, measure="ORF")
    assert result.added == 1
    assert any("Windows-1252" in n for n in plan.notices)


def test_a_bad_file_writes_nothing_and_names_the_lines(
    roster: Store, data_dir: Path, tmp_path: Path
) -> None:
    roster.record_score(roster.students()[0].id, "ORF", 50, date(2026, 9, 1))
    roster.close()
    before = read_tree(data_dir)
    store = Store.open(data_dir, clock=FakeClock())
    f = write(
        tmp_path / "bad.csv",
        "Student,9/8/2026,9/15/2026,11/30/2026\n"
        "Ava Jones,62,999,\n"  # line 2: out of range
        "Ava Jonse,40,41,\n"  # line 3: a typo, with the candidate
        "Lily Nguyen,50,xx,52\n",  # line 4: not a number; 11/30 is in the future
        crlf=True,
    )
    plan = read_score_file(f, store, measure="ORF")
    text = [str(p) for p in plan.problems]
    assert not plan.ok
    assert "bad.csv line 2, column 9/15/2026: ORF score 999 is outside 0–300" in text
    assert any(
        t.startswith("bad.csv line 3: no student matches 'Ava Jonse'") and "Ava Jones" in t
        for t in text
    )
    assert any(t.startswith("bad.csv line 4, column 9/15/2026: ORF score 'xx'") for t in text)
    assert any(t.startswith("bad.csv line 4, column 11/30/2026") and "future" in t for t in text)
    with pytest.raises(ValidationError):
        apply_score_import(plan, store, replace=True)
    store.close()
    assert read_tree(data_dir) == before


def test_unknown_measure_and_ambiguous_names(roster: Store, tmp_path: Path) -> None:
    roster.add_student("Ava", "Jones", "4", sis_id="999")
    f = write(
        tmp_path / "m.csv",
        "Student,Measure,Date,Score\nLily Nguyen,XYZ,2026-09-08,4\nAva Jones,ORF,2026-09-08,5\n",
    )
    plan = read_score_file(f, roster)
    text = [str(p) for p in plan.problems]
    assert any(t.startswith("m.csv line 2: measure 'XYZ' is not one of") for t in text)
    assert any("line 3: 'Ava Jones' matches 2 students" in t and "SIS 999" in t for t in text)


def test_ambiguous_dates_ask_for_the_format(roster: Store, tmp_path: Path) -> None:
    f = write(tmp_path / "d.csv", "Student,10/9/2026,11/10/2026\nAva Jones,40,42\n")
    plan = read_score_file(f, roster, measure="ORF")
    assert len(plan.problems) == 1 and "date format" in plan.problems[0].message
    plan = read_score_file(f, roster, measure="ORF", date_format="dmy")
    assert plan.ok and {s.day for s in plan.new} == {date(2026, 9, 10), date(2026, 10, 11)}
    # only one reading puts every date inside the school year (8/9 is before it starts)
    f = write(tmp_path / "s.csv", "Student,8/9/2026,6/10/2026\nAva Jones,40,42\n")
    plan = read_score_file(f, roster, measure="ORF")
    assert plan.ok and {s.day for s in plan.new} == {date(2026, 9, 8), date(2026, 10, 6)}
    # one header that reads only one way settles it
    f = write(tmp_path / "e.csv", "Student,8/9/2026,9/23/2026\nAva Jones,40,42\n")
    plan = read_score_file(f, roster, measure="ORF")
    assert plan.ok and {s.day for s in plan.new} == {date(2026, 8, 9), date(2026, 9, 23)}


def test_date_readings() -> None:
    ctx = DateContext(date(2026, 8, 24))
    assert date_readings("Sep 8", ctx) == {"any": date(2026, 9, 8)}
    assert date_readings("8-Jan", ctx) == {"any": date(2027, 1, 8)}
    assert date_readings("2026-09-08 00:00:00", ctx) == {"any": date(2026, 9, 8)}
    assert date_readings("2/30/2027", ctx) == {"mdy": None, "dmy": None}
    assert date_readings("Grade", ctx) is None


def test_reimport_changes_nothing(roster: Store, data_dir: Path, tmp_path: Path) -> None:
    f = write(tmp_path / "w.csv", "Student,9/8/2026,9/15/2026\nAva Jones,62/3,65\n")
    run(roster, f, measure="ORF")
    roster.close()
    before = read_tree(data_dir)
    with Store.open(data_dir, clock=FakeClock()) as store:
        plan, result = run(store, f, measure="ORF")
        assert (len(plan.new), len(plan.unchanged), len(plan.conflicts)) == (0, 2, 0)
        assert result.added == 0
    assert read_tree(data_dir) == before


def test_a_conflict_needs_replace(roster: Store, tmp_path: Path) -> None:
    ava = next(s for s in roster.students() if s.given_name == "Ava")
    roster.record_score(ava.id, "ORF", 60, date(2026, 9, 8), errors=2)
    f = write(tmp_path / "c.csv", "Student,9/8/2026,9/15/2026\nAva Jones,62/3,65\n")
    plan = read_score_file(f, roster, measure="ORF")
    assert plan.ok and len(plan.conflicts) == 1 and len(plan.new) == 1
    assert "saved 60 (2 errors), file 62 (3 errors)" in plan.conflicts[0].conflict(plan.measures)
    with pytest.raises(ValidationError, match="nothing was written"):
        apply_score_import(plan, roster)
    assert len(list(roster.iter_scores())) == 1
    result = apply_score_import(plan, roster, replace=True)
    assert (result.added, result.replaced) == (1, 1)
    assert roster.score_on(ava.id, "ORF", date(2026, 9, 8)).value == 62  # type: ignore[union-attr]
    roster.undo_last()  # one undo step takes the whole import back
    assert roster.score_on(ava.id, "ORF", date(2026, 9, 8)).value == 60  # type: ignore[union-attr]


def test_replacing_from_a_file_without_errors_keeps_the_saved_errors(
    roster: Store, tmp_path: Path
) -> None:
    # saved 60 with 2 errors; the file says 62 and has no errors column: 62 replaces 60, and
    # the 2 errors read that day stay (the file says nothing about them)
    ava = next(s for s in roster.students() if s.given_name == "Ava")
    roster.record_score(ava.id, "ORF", 60, date(2026, 9, 8), errors=2)
    f = write(tmp_path / "e.csv", "Student,Measure,Date,Score\nAva Jones,ORF,2026-09-08,62\n")
    run(roster, f, replace=True)
    saved = roster.score_on(ava.id, "ORF", date(2026, 9, 8))
    assert saved is not None and (saved.value, saved.errors) == (62, 2)


def test_a_duplicate_row_with_another_value_is_a_problem(roster: Store, tmp_path: Path) -> None:
    f = write(
        tmp_path / "dup.csv",
        "Student,Date,Score\nAva Jones,2026-09-08,62\nJones, Ava,2026-09-08,62\nAva Jones,9/8/2026,63\n".replace(
            "Jones, Ava", '"Jones, Ava"'
        ),
    )
    plan = read_score_file(f, roster, measure="ORF")
    assert [p.line for p in plan.problems] == [4]
    assert "a second ORF score" in plan.problems[0].message
