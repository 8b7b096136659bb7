"""The meeting packet (issue 19): an agenda first (students who need a decision, most urgent
first; the group dosage summary; everyone else), pages in the agenda's order, each ending with
the team decision and notes boxes and the attendees line."""

# ruff: noqa: F811 (the caseload fixture is imported from test_reports)
from __future__ import annotations

from store.vocabulary import words
from tests.tui.test_reports import (  # noqa: F401 (the fixture)
    ODD_GROUP,
    TODAY,
    Caseload,
    _row,
    caseload,
)
from tui.documents import meeting_packet
from tui.documents.packet import TEAM_CHOICES


def _section(text: str, start: str, end: str) -> str:
    return text[text.index(start) : text.index(end)]


def test_packet_opens_with_the_agenda_in_urgency_order(caseload: Caseload) -> None:
    rows = {sid: _row(caseload, sid) for sid in (caseload.ava, caseload.ben, caseload.zoe)}
    names = {
        caseload.ava: "Ava Smith",
        caseload.ben: "Ben Ortiz",
        caseload.zoe: "Zoë <b> & [/] O'Neil",
    }
    needing = [sid for sid, r in rows.items() if r.needs_decision]
    others = [sid for sid, r in rows.items() if not r.needs_decision]
    assert caseload.ben in needing and len(needing) >= 1
    text = meeting_packet(caseload.store, today=TODAY, fmt="text")
    summary, *pages = text.split("\f")
    # the agenda's three parts, in this order, before the caseload table
    a = summary.index("1. Students who need a decision")
    b = summary.index("2. Group dosage")
    c = summary.index("3. Everyone else")
    assert a < b < c < summary.index("Caseload\n--------")
    decisions = _section(summary, "1. Students who need a decision", "2. Group dosage")
    expected = sorted(needing, key=lambda sid: (rows[sid].urgency, rows[sid].student.sort_key))
    listed = [sid for sid in expected if names[sid] in decisions]
    assert listed == expected
    positions = [decisions.index(names[sid]) for sid in expected]
    assert positions == sorted(positions)
    for i, sid in enumerate(expected, 1):
        assert f"{i}. {names[sid]} — ORF: {words(rows[sid].decision.kind).short}" in decisions
    html = meeting_packet(caseload.store, today=TODAY, fmt="html")
    assert "<h3>1. Students who need a decision (most urgent first)</h3>\n<ol><li>" in html
    everyone_else = _section(summary, "3. Everyone else", "Caseload\n--------")
    for sid in others:
        assert names[sid] in everyone_else and names[sid] not in decisions
    # pages in the agenda's order
    assert [next(s for s in expected if names[s] in p) for p in pages] == expected


def test_group_dosage_summary(caseload: Caseload) -> None:
    text = meeting_packet(caseload.store, today=TODAY, fmt="text")
    table = _section(text, "2. Group dosage", "3. Everyone else")
    line = next(ln for ln in table.splitlines() if ln.startswith(ODD_GROUP))
    # Sep 7 – Nov 24, Mon–Thu: 46 sessions, all logged and delivered; 3 members,
    # Ava absent 4 times: 134 of 138 student-sessions = 97 %; 30 of 30 minutes each
    cells = line.split()
    assert "3" in cells and "46 of 46" in line and "97 %" in line and "100 %" in line


def test_group_dosage_lists_this_school_years_groups_only(caseload: Caseload) -> None:
    """A group that ended before this school year began is a past year's: not a row of 0 of 0
    (a school with five years of groups had thousands); one that ended this year is."""
    from datetime import date

    from store.model import Group

    year_start = caseload.store.calendar().year_start
    for gid, name, start, end in (
        ("gr-last", "Last year's decoding", date(2025, 9, 8), date(2026, 6, 12)),
        ("gr-done", "Ended this fall", year_start, date(2026, 10, 30)),
        ("gr-edge", "Ended on the first day", date(2026, 6, 1), year_start),
    ):
        caseload.store.add_group(
            Group(gid, name, rrule="FREQ=WEEKLY;BYDAY=MO", start_date=start, end_date=end)
        )
    table = _section(
        meeting_packet(caseload.store, today=TODAY, fmt="text"), "2. Group dosage", "3. Everyone"
    )
    assert "Last year's decoding" not in table
    assert "Ended this fall" in table and "Ended on the first day" in table
    assert ODD_GROUP in table


def test_each_page_ends_with_decision_notes_and_attendees(caseload: Caseload) -> None:
    text = meeting_packet(caseload.store, today=TODAY, fmt="text")
    _, *pages = text.split("\f")
    assert pages
    for page in pages:
        assert "Last team decision: none recorded" in page
        box = page[page.index("Team decision\n") :]
        for choice in TEAM_CHOICES:
            assert f"- [ ] {choice}" in box
        assert box.index("Notes") < box.index("Attendees: ____")
        assert page.rstrip().endswith("_" * 50)  # the attendees line closes the page
    html = meeting_packet(caseload.store, today=TODAY, fmt="html")
    assert html.count("Attendees: ") == len(pages)
    md = meeting_packet(caseload.store, today=TODAY, fmt="md")
    assert md.count("### Team decision") == len(pages)


def test_packet_with_nobody_needing_a_decision(store) -> None:  # type: ignore[no-untyped-def]
    text = meeting_packet(store, today=TODAY, fmt="text")
    assert "No student needs a decision today." in text
    assert "No groups yet." in text
    assert "\f" not in text


def test_page_shows_the_latest_team_decision(caseload: Caseload) -> None:
    from datetime import date

    store = caseload.store
    store.record_team_decision(caseload.ben, "ORF", "raise-goal", on=date(2026, 11, 2))
    store.record_team_decision(
        caseload.ben,
        "ORF",
        "continue",
        note="check attendance first",
        on=date(2026, 11, 16),
        attendees="A. Rivera, J. Moss",
    )
    text = meeting_packet(store, today=TODAY, fmt="text")
    ben_page = next(p for p in text.split("\f") if "Ben Ortiz\n" in p)
    flat = " ".join(ben_page.split())
    assert (
        "Last team decision: Nov 16, 2026 (ORF): continue the intervention — check attendance "
        "first; present: A. Rivera, J. Moss" in flat
    )
    others = [p for p in text.split("\f")[1:] if "Ben Ortiz\n" not in p]
    assert all("Last team decision: none recorded" in p for p in others)
