"""Reports from a small store: the numbers and sentences they must hold, jargon-free family
letters, self-contained and escaped HTML, private files and the export log."""

from __future__ import annotations

import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest

from store.caseload import attention_summary
from store.db import Store
from store.model import Attendance, Group, Measure, Membership
from store.progress import goal_statement, weeks_between
from store.vocabulary import words
from tests.conftest import FakeClock, log_delivered
from tui.config import AppConfig
from tui.documents import (
    FORMATS,
    JARGON,
    ReportError,
    build_document,
    default_filename,
    family_letter,
    meeting_packet,
    render,
    student_report,
    write_report,
)
from tui.views.lines import student_rows

TODAY = date(2026, 11, 25)  # Wednesday, the conftest clock's day
START = date(2026, 9, 7)  # Monday: groups start
PHASE = date(2026, 10, 19)  # Monday: Ava's phase change
GOAL_DAY = date(2027, 2, 12)
WEEKLY_FROM = date(2026, 10, 5)  # Monday: the first week of the one-measure letters' scores
AVA_SCORES = [31, 30, 33, 34, 36, 35, 38, 40, 41, 43, 44, 47]
AVA_ABSENT = [date(2026, 9, 15), date(2026, 10, 20), date(2026, 11, 4), date(2026, 11, 17)]
ODD_NAME = ("Zoë <b>", "& [/] O'Neil")
ODD_GROUP = "Fluency <3> & [/]"


@dataclass
class Caseload:
    store: Store
    ava: str
    ben: str
    zoe: str


@pytest.fixture
def caseload(store: Store) -> Iterator[Caseload]:
    with store.batch("test caseload"):
        ava = store.add_student("Ava", "Smith", "3").id
        ben = store.add_student("Ben", "Ortiz", "3").id
        zoe = store.add_student(*ODD_NAME, "2", notes="likes <script> & [bold]").id
        members = [Membership(s, START) for s in (ava, ben, zoe)]
        group = store.add_group(
            Group(
                "gr-flu",
                ODD_GROUP,
                program="Read Naturally",
                memberships=members,
                rrule="FREQ=WEEKLY;BYDAY=MO,TU,WE,TH",
                duration_minutes=30,
                start_date=START,
                measures=["ORF"],
            )
        )
        day = START
        while day < TODAY:
            if day.weekday() < 4:
                attendance = [
                    Attendance(ava, "absent", "absent") if day in AVA_ABSENT else Attendance(ava),
                    Attendance(ben),
                    Attendance(zoe),
                ]
                log_delivered(store, group.id, day, attendance)
            day += timedelta(days=1)
        for i, v in enumerate(AVA_SCORES):
            errors = 3 if i == len(AVA_SCORES) - 1 else None
            store.record_score(ava, "ORF", v, START + timedelta(weeks=i), errors=errors)
        for i in range(12):
            store.record_score(ben, "ORF", 20 + (i % 2), START + timedelta(weeks=i))
            store.record_score(zoe, "ORF", 40 + 2 * i, START + timedelta(weeks=i))
        store.set_goal(
            ava,
            "ORF",
            baseline_value=31,
            baseline_date=START,
            goal_value=62,
            goal_date=GOAL_DAY,
        )
        store.set_goal(
            ben, "ORF", baseline_value=20, baseline_date=START, goal_value=50, goal_date=GOAL_DAY
        )
        store.set_goal(
            zoe, "ORF", baseline_value=40, baseline_date=START, goal_value=70, goal_date=GOAL_DAY
        )
        store.add_phase_change(ava, "ORF", PHASE, "Added 10 minutes a day")
    yield Caseload(store, ava, ben, zoe)


def _row(c: Caseload, sid: str):
    rows, _ = student_rows(c.store, c.store.student(sid), TODAY, AppConfig())
    return rows["ORF"]


# --------------------------------------------------------------------------- student report
@pytest.mark.parametrize("fmt", FORMATS)
def test_student_report_holds_the_facts(caseload: Caseload, fmt: str) -> None:
    text = student_report(caseload.store, caseload.ava, today=TODAY, fmt=fmt)
    flat = _unescape(text, fmt)
    # Sep 7 → Feb 12: 158 days = 22.6 weeks, no whole no-school week → "23 weeks of school"
    weeks = weeks_between(START, GOAL_DAY)
    assert goal_statement("Ava", "ORF", 62, weeks, goal_date=GOAL_DAY) in flat
    assert "By February 12, 2027 (23 weeks of school), Ava will read 62 words correct" in flat
    assert "Ava Smith" in flat and "Grade: 3" in flat and ODD_GROUP in flat
    assert "Baseline: 31 on Sep 7, 2026" in flat
    assert "Goal: 62 by Feb 12, 2027" in flat
    assert "Last score: 47 on Nov 23, 2026" in flat
    row = _row(caseload, caseload.ava)
    assert row.decision.reason in flat
    assert f"ROI needed: +{row.needed_roi:.2f}/week" in flat
    # dosage since the phase change: Oct 19 – Nov 24, Mon–Thu = 22 sessions, all logged, 3
    # missed; 19 × 30 = 570 of 22 × 30 = 660 minutes
    assert "Sessions attended: 19 of 22 logged (86 %) since Oct 19, 2026" in flat
    assert "Minutes received: 570 of 660 planned in logged sessions (86 %)" in flat
    assert "Not logged" not in flat
    # the phase began Oct 19; its latest score is Nov 23: 35 days = 5 weeks of school
    assert "Instruction: 5 weeks of school in this phase" in flat
    assert "PND: " in flat and "beyond the previous phase's best" in flat
    assert "absent from school × 3" in flat
    assert "Oct 19, 2026: Added 10 minutes a day" in flat
    # the scores table, with errors and accuracy on the last score (47 / 50)
    assert "2026-11-23" in flat and "94%" in flat
    if fmt == "html":  # an SVG chart (issue 19); tests/tui/test_report_svg.py parses it
        assert '<svg role="img"' in text and 'class="points"' in text
    else:
        assert "●" in flat and "◆" in flat  # the text chart


def test_student_report_text_has_no_escape_codes(caseload: Caseload) -> None:
    text = student_report(caseload.store, caseload.ava, today=TODAY, fmt="text")
    assert "\x1b" not in text
    assert "┆Added 10 minutes a day" in text


def test_report_as_of_an_earlier_day(caseload: Caseload) -> None:
    text = student_report(caseload.store, caseload.ava, today=date(2026, 10, 1), fmt="text")
    assert "Last score: 34 on Sep 28, 2026" in text and "2026-10-05" not in text
    assert "Phase changes" not in text


def test_student_without_data(caseload: Caseload) -> None:
    sid = caseload.store.add_student("Cy", "New", "1").id
    for fmt in FORMATS:
        text = student_report(caseload.store, sid, today=TODAY, fmt=fmt)
        assert "No measures, scores or goals" in text


# --------------------------------------------------------------------------- packet
def test_packet_lists_the_caseload_and_pages_students_needing_a_decision(
    caseload: Caseload,
) -> None:
    ben = _row(caseload, caseload.ben)
    assert ben.decision.kind == "change"
    rows = {sid: _row(caseload, sid) for sid in (caseload.ava, caseload.ben, caseload.zoe)}
    text = meeting_packet(caseload.store, today=TODAY, fmt="text")
    summary, *pages = text.split("\f")
    for name in ("Ava Smith", "Ben Ortiz", "Zoë <b> & [/] O'Neil"):
        assert name in summary
    assert "47 (Nov 23)" in summary
    for row in rows.values():  # the vocabulary's short words in the table
        assert words(row.decision.kind).short in summary
    # one page per student with a row that needs a decision (the one definition)
    needing = {sid for sid, row in rows.items() if row.needs_decision}
    assert caseload.ben in needing
    assert len(pages) == len(needing)
    ben_page = next(p for p in pages if "Ben Ortiz" in p)
    assert ben.decision.reason in " ".join(ben_page.split())
    assert any("Ava Smith" in p for p in pages) == (caseload.ava in needing)
    n = len(needing)
    assert f"{n} student{'s need' if n != 1 else ' needs'} a decision." in summary
    assert attention_summary(rows.values()) in summary


def test_packet_html_has_page_breaks(caseload: Caseload) -> None:
    page = meeting_packet(caseload.store, today=TODAY, fmt="html")
    assert "page-break-before: always" in page
    doc = build_document("packet", caseload.store, today=TODAY)
    assert (
        page.count('<section class="page">')
        == sum(1 for b in doc.blocks if type(b).__name__ == "PageBreak")
        >= 1
    )
    assert doc.students == 3
    md = meeting_packet(caseload.store, today=TODAY, fmt="md")
    assert "| Student | Group | Measure |" in md and "\n---\n" in md


# --------------------------------------------------------------------------- family letter
def _jargon(text: str) -> list[str]:
    return [w for w in JARGON if re.search(rf"\b{re.escape(w)}\b", text, re.IGNORECASE)]


@pytest.mark.parametrize("fmt", FORMATS)
def test_family_letter_is_plain(caseload: Caseload, fmt: str) -> None:
    text = family_letter(caseload.store, caseload.ava, today=TODAY, fmt=fmt)
    assert _jargon(text) == []
    for word in ("ORF", "WCPM", "intervention", "Read Naturally", "Fluency"):
        assert word not in text
    flat = _unescape(text, fmt)
    assert "Ava read 47 words correctly in one minute this week, up from 31 in September." in flat
    assert (
        "Our goal is for Ava to read 62 words correctly in one minute by February 12, 2027." in flat
    )
    plain = {  # the letter's plain words for the engine's verdict on Ava
        "continue": "Ava is on track to meet this goal.",
        "raise-goal": "Ava is ahead of where we hoped, so we may set a higher goal.",
        "goal-met": "Ava has reached this goal, so we will set a new one.",
    }
    assert plain[_row(caseload, caseload.ava).decision.kind] in flat
    # One attendance window, the student screen's (issue 19): the row's dosage, since the
    # phase change on Oct 19 (was: since joining on Sep 7, 42 of 46). Oct 19 – Nov 24,
    # Mon–Thu = 22 sessions; absent Oct 20, Nov 4 and Nov 17.
    dosage = _row(caseload, caseload.ava).dosage
    assert dosage is not None and dosage.start == PHASE
    assert "Since October 19, Ava came to 19 of the 22 group sessions we held." in flat
    assert (dosage.sessions_attended, dosage.sessions_logged) == (19, 22)
    # the change of plan in plain words, from the phase change's description
    assert "In October, we added 10 minutes a day." in flat
    assert "Your child's reading teacher" in flat
    assert "Dear family of Ava Smith," in flat


def weekly_scores(store: Store, sid: str, weekly: dict[str, list[float]]) -> None:
    """Record each measure's values (``{code: values}``) a week apart from WEEKLY_FROM."""
    for code, values in weekly.items():
        for i, v in enumerate(values):
            store.record_score(sid, code, v, WEEKLY_FROM + timedelta(weeks=i))


def test_family_letter_when_not_on_track(caseload: Caseload) -> None:
    text = family_letter(caseload.store, caseload.ben, today=TODAY, fmt="text")
    assert "Ben is not yet on track" in text
    assert _jargon(text) == []


def test_family_letter_for_other_measures(store: Store) -> None:
    sid = store.add_student("Mia", "Lopez", "2").id
    weekly_scores(store, sid, {"MCOMP": [10, 12, 13, 15], "CICO": [60, 65, 70, 75]})
    text = family_letter(store, sid, today=TODAY, fmt="text")
    flat = " ".join(text.split())
    assert "wrote 15 correct digits in math problems in one minute" in flat
    assert "earned 75% of the daily behaviour points" in flat
    assert "up from 60% in October" in flat
    assert "Your child's math teacher" in flat
    assert _jargon(text) == []


def leo_rated_down_to(store: Store, last: float) -> str:
    """Leo Park (grade 2), DBR-SIS disruptive behaviour (lower is better) rated 6, 5, 4 and
    ``last`` a week apart from Oct 5, with a custom goal of 2 by Mar 1, 2027; his id."""
    sid = store.add_student("Leo", "Park", "2").id
    weekly_scores(store, sid, {"DBR-DB": [6, 5, 4, last]})
    store.set_goal(
        sid, "DBR-DB", baseline_value=6, baseline_date=WEEKLY_FROM, goal_value=2,
        goal_date=date(2027, 3, 1), method="custom",
    )  # fmt: skip
    return sid


def test_family_letter_for_a_lower_is_better_rating(store: Store) -> None:
    # DBR-SIS disruptive behaviour: 6 → 3 over four weeks is better, and the goal is "or lower"
    sid = leo_rated_down_to(store, 3)
    flat = " ".join(family_letter(store, sid, today=TODAY, fmt="text").split())
    assert "was rated 3 out of 10 for disruptive behaviour (lower is better)" in flat
    assert "down from 6 in October" in flat
    assert "be rated 2 out of 10 or lower for disruptive behaviour" in flat
    assert _jargon(flat) == []


def test_family_letter_for_behaviour_only(store: Store) -> None:
    # A behaviour letter speaks of behaviour, not of "behaviour skills" or daily practice.
    sid = store.add_student("Leo", "Park", "2").id
    weekly_scores(store, sid, {"CICO": [60, 65, 70, 75], "DBR-DB": [6, 5, 4, 3]})
    flat = " ".join(family_letter(store, sid, today=TODAY, fmt="text").split())
    assert "Leo has been getting extra help at school to practise positive behaviour." in flat
    assert "Leo's teachers note how each day goes" in flat
    assert "We will keep an eye on how Leo's school days go." in flat  # not "every week or two"
    assert "Asking Leo about the school day and praising what went well" in flat
    assert flat.endswith("Warm regards, Your child's behaviour support teacher")
    for wrong in ("skills", "A few minutes of practice", "short activity", "week or two"):
        assert wrong not in flat
    assert _jargon(flat) == []


def test_family_letter_for_reading_and_behaviour(store: Store) -> None:
    # Reading + CICO: the letter introduces both, and the closing fits both.
    sid = store.add_student("Ava", "Cruz", "3").id
    weekly_scores(store, sid, {"ORF": [31, 36, 40, 44], "CICO": [60, 65, 70, 75]})
    flat = " ".join(family_letter(store, sid, today=TODAY, fmt="text").split())
    assert (
        "Ava has been working in a small group to build reading skills and has been getting "
        "extra help to practise positive behaviour at school." in flat
    )
    assert "earned 75% of the daily behaviour points" in flat
    assert (
        "A few minutes of practice together each day, and asking Ava how the school day "
        "went, make a real difference." in flat
    )
    assert flat.endswith("Warm regards, Your child's reading teacher")


def test_family_letter_for_a_measure_of_another_kind(store: Store) -> None:
    # A custom measure that is neither reading, math nor behaviour: no "support skills".
    store.add_measure(Measure("WRT", "Writing sample", "words written", 0, 200, True, 0))
    sid = store.add_student("Noa", "Kim", "4").id
    weekly_scores(store, sid, {"WRT": [10, 12, 15, 18]})
    flat = " ".join(family_letter(store, sid, today=TODAY, fmt="text").split())
    assert "Noa has been getting extra help in a small group at school." in flat
    assert "skills" not in flat and "A few minutes of practice" not in flat
    assert flat.endswith("Warm regards, Your child's support teacher")


# --------------------------------------------------------------------------- HTML safety
@pytest.mark.parametrize("kind", ["student", "packet", "letter"])
def test_html_is_self_contained_and_escaped(caseload: Caseload, kind: str) -> None:
    sid = None if kind == "packet" else caseload.zoe
    doc = build_document(kind, caseload.store, today=TODAY, student_id=sid)
    page = render(doc, "html")
    assert page.startswith("<!DOCTYPE html>")
    for bad in ("http://", "https://", "<script", "<link", "src=", "@import", "url("):
        assert bad not in page
    assert "<b>" not in page.replace("<body>", "")
    assert "Zoë &lt;b&gt;" in page and "&amp; [/] O&#x27;Neil" in page
    if kind != "letter":
        assert "Fluency &lt;3&gt; &amp; [/]" in page
    md = render(doc, "md")
    assert "Zoë \\<b\\>" in md and "<b>" not in md
    text = render(doc, "text")
    assert "Zoë <b> & [/] O'Neil" in text


# --------------------------------------------------------------------------- files
def test_write_report_is_private_and_logged(caseload: Caseload, tmp_path: Path) -> None:
    path = tmp_path / "out" / "ava.html"
    path.parent.mkdir()
    written = write_report(
        "student", "html", path, caseload.store, today=TODAY, student_id=caseload.ava
    )
    assert written == path and path.is_file()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert "Ava Smith" in path.read_text(encoding="utf-8")
    log = caseload.store.exports()[-1]
    assert log.kind == "report-student" and log.students == 1 and not log.deidentified
    assert log.path == str(path.absolute())
    write_report("packet", "md", tmp_path / "packet.md", caseload.store, today=TODAY)
    assert caseload.store.exports()[-1].kind == "report-packet"
    assert caseload.store.exports()[-1].students == 3
    assert not list((tmp_path / "out").glob(".*tmp*"))


def test_bad_requests(caseload: Caseload, tmp_path: Path) -> None:
    with pytest.raises(ReportError):
        write_report("student", "pdf", tmp_path / "x.pdf", caseload.store, today=TODAY)
    with pytest.raises(ReportError):
        build_document("student", caseload.store, today=TODAY)
    with pytest.raises(ReportError):
        build_document("summary", caseload.store, today=TODAY)


def test_default_filename(caseload: Caseload) -> None:
    student = caseload.store.student(caseload.ava)
    assert default_filename("letter", "html", TODAY, student) == "letter-AS-2026-11-25.html"
    zoe = caseload.store.student(caseload.zoe)
    assert default_filename("student", "md", TODAY, zoe) == "student-ZO-2026-11-25.md"
    assert default_filename("packet", "text", TODAY) == "packet-2026-11-25.txt"


def test_demo_caseload_reports(tmp_path: Path) -> None:
    """Every report on the demo caseload renders, and the letters stay jargon-free."""
    from store.demo import build_demo

    with Store.open(tmp_path / "demo", clock=FakeClock()) as store:
        build_demo(store, TODAY)
        for fmt in FORMATS:
            assert "Meeting packet" in meeting_packet(store, today=TODAY, fmt=fmt)
        for s in store.students():
            assert _jargon(family_letter(store, s.id, today=TODAY, fmt="text")) == []
        first = store.students()[0]
        assert first.name in student_report(store, first.id, today=TODAY, fmt="html")


def _unescape(text: str, fmt: str) -> str:
    """The report's words as a reader sees them, on one line (for substring checks)."""
    import html

    if fmt == "html":
        text = html.unescape(re.sub(r"<[^>]+>", " ", text))
    elif fmt == "md":
        text = re.sub(r"\\(.)", r"\1", text)
    return " ".join(text.split())
