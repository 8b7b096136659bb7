"""One definition of "needs a decision" (issue 12 item 10): Today's attention pane, the caseload
review, the group screen, the student screen and the meeting packet show the same decision
words and the same counts line for the same data, and all agree with ``store.caseload``
(Pilot, small store)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from textual.widgets import DataTable, OptionList, Static

from store.caseload import CaseloadRow, attention_summary
from store.db import Store
from store.model import Attendance, Group, Membership, SchoolCalendar
from store.vocabulary import KINDS, OVERDUE, words
from tests.conftest import FakeClock, log_delivered
from tests.tui.screen import pause_until, screen_text
from tests.tui.test_today import wait_for_attention
from tui.app import InterventionApp
from tui.config import AppConfig
from tui.documents import meeting_packet
from tui.screens.caseload import CaseloadScreen
from tui.screens.group import GroupScreen
from tui.screens.student import DECISION_STYLE, DECISION_WORDS, StudentScreen
from tui.screens.today import TodayScreen
from tui.tones import TONE_MARK, TONE_STYLE, decision_words, row_words, tone_mark
from tui.views.attention import caseload_rows

NOW = datetime(2026, 11, 25, 10, 0)  # Wednesday; the group meets at 13:00
TODAY = NOW.date()
YEAR_START = date(2026, 8, 24)
GROUP_START = date(2026, 9, 2)  # a Wednesday
WEEKS = 12  # weekly sessions Sep 2 … Nov 18


def wednesdays(first: date, n: int) -> list[date]:
    return [first + timedelta(weeks=i) for i in range(n)]


def build_small(store: Store) -> dict[str, str]:
    """Four students in one weekly ORF group, every session logged (all present, full minutes):

    * ``change`` — goal 40 → 70 over 21 weeks, 11 weekly scores flat at 38–40, far below the
      aim line for 11 weeks: every published rule says change the intervention;
    * ``raise`` — goal 40 → 60 over 38 weeks, scores climbing about 1.5/week from 44: above the line;
    * ``few`` — two scores: too few to judge;
    * ``overdue`` — scores on the aim line until Oct 21, none since: a probe overdue.
    """
    store.set_calendar(SchoolCalendar(YEAR_START, date(2027, 6, 11)))
    ids = {
        key: store.add_student(given, family, "3").id
        for key, given, family in (
            ("change", "Ava", "Change"),
            ("raise", "Ben", "Raise"),
            ("few", "Cara", "Few"),
            ("overdue", "Dan", "Overdue"),
        )
    }
    group = store.add_group(
        Group(
            "",
            "Reading A",
            program="Read Naturally",
            start_time="13:00",
            duration_minutes=30,
            rrule="FREQ=WEEKLY;BYDAY=WE",
            start_date=GROUP_START,
            measures=["ORF"],
            memberships=[Membership(sid, GROUP_START) for sid in ids.values()],
        )
    )
    for day in wednesdays(GROUP_START, WEEKS):
        everyone = [Attendance(sid, "present", minutes=30) for sid in ids.values()]
        log_delivered(store, group.id, day, everyone)
    goal_day = {"change": date(2027, 1, 27), "raise": date(2027, 5, 26)}
    for who, goal, by in (
        ("change", 70, "change"),
        ("raise", 60, "raise"),
        ("overdue", 70, "change"),
    ):
        store.set_goal(
            ids[who],
            "ORF",
            baseline_value=40,
            baseline_date=GROUP_START,
            goal_value=goal,
            goal_date=goal_day[by],
        )
    scored = wednesdays(GROUP_START + timedelta(weeks=1), WEEKS - 1)  # Sep 9 … Nov 18
    for i, day in enumerate(scored):
        store.record_score(ids["change"], "ORF", 38 + i % 3, day)
        store.record_score(ids["raise"], "ORF", 44 + 3 * i // 2, day)
    for day in scored[-2:]:  # recent: not overdue
        store.record_score(ids["few"], "ORF", 41, day)
    slope = 30 / ((goal_day["change"] - GROUP_START).days / 7)
    for i, day in enumerate(scored[:7]):  # on the aim line, ±1
        on_line = 40 + slope * (day - GROUP_START).days / 7
        store.record_score(ids["overdue"], "ORF", round(on_line + (1 if i % 2 else -1)), day)
    return ids


@pytest.fixture
def small_dir(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    folder = tmp_path / "small"
    with Store.open(folder, clock=FakeClock(NOW)) as store:
        ids = build_small(store)
    return folder, ids


@pytest.fixture
def small_app(small_dir: tuple[Path, dict[str, str]]) -> Iterator[InterventionApp]:
    folder, _ = small_dir
    clock = FakeClock(NOW)
    store = Store.open(folder, clock=clock)
    try:
        yield InterventionApp(store, clock, AppConfig(demo_dir=folder.parent / "demo"))
    finally:
        store.close()


def expected_rows(folder: Path) -> list[CaseloadRow]:
    with Store.open(folder, readonly=True) as store:
        return caseload_rows(store, TODAY, AppConfig())


# --------------------------------------------------------------------------- the data
def test_the_small_store_forces_the_kinds_it_is_built_for(
    small_dir: tuple[Path, dict[str, str]],
) -> None:
    folder, ids = small_dir
    rows = {r.student.id: r for r in expected_rows(folder)}
    assert rows[ids["change"]].decision.kind == "change"
    assert rows[ids["few"]].decision.kind == "insufficient-data"
    assert rows[ids["overdue"]].probe_overdue
    assert not rows[ids["change"]].probe_overdue
    assert rows[ids["raise"]].needs_decision  # raise-goal (or goal-met, were it reached)
    assert rows[ids["change"]].needs_attention and not rows[ids["few"]].needs_attention


def test_the_tones_cover_every_kind_with_a_style_and_a_mark() -> None:
    for kind, w in (*KINDS.items(), ("overdue", OVERDUE)):
        assert TONE_STYLE[w.tone] and TONE_MARK[w.tone].strip(), kind
    assert len(set(TONE_MARK.values())) == len(TONE_MARK)  # tells the tones apart unstyled
    for kind, w in KINDS.items():  # the student screen's words and styles are the vocabulary's
        assert DECISION_WORDS[kind] == f"{tone_mark(w.tone)} {w.label}"
        assert DECISION_STYLE[kind] == TONE_STYLE[w.tone]


# --------------------------------------------------------------------------- the screens
async def load_today(app: InterventionApp, pilot) -> TodayScreen:  # noqa: ANN001
    screen = app.screen
    assert isinstance(screen, TodayScreen)
    await wait_for_attention(pilot, screen, tries=300)
    return screen


async def load_caseload(app: InterventionApp, pilot) -> CaseloadScreen:  # noqa: ANN001
    screen = CaseloadScreen(TODAY)
    app.push_screen(screen)
    await pause_until(pilot, lambda _app: screen.entries is not None, tries=300)
    await pilot.pause()
    assert screen.entries is not None, "the caseload never loaded"
    return screen


def plain(widget: Static) -> str:
    return str(widget.render())


async def test_today_caseload_student_and_packet_say_the_same(
    small_app: InterventionApp, small_dir: tuple[Path, dict[str, str]]
) -> None:
    folder, ids = small_dir
    rows = expected_rows(folder)
    summary = attention_summary(rows)
    assert "1 to change" in summary and "1 probe overdue" in summary
    kinds = {(r.student.id, r.measure.code): r.decision.kind for r in rows}
    app = small_app
    async with app.run_test(size=(140, 44)) as pilot:
        # Today: every row that needs attention, in the same order, with the same words
        today = await load_today(app, pilot)
        attention = [line.extra["row"] for line in today.attention]
        assert [(r.student.id, r.measure.code) for r in attention] == [
            (r.student.id, r.measure.code) for r in rows if r.needs_attention
        ]
        options = today.query_one("#attention", OptionList)
        for i, row in enumerate(attention):
            assert kinds[(row.student.id, row.measure.code)] == row.decision.kind
            prompt = str(options.get_option_at_index(i).prompt)
            assert f"{tone_mark(row_words(row).tone)} {row_words(row).label}" in prompt
            assert row.student.name in prompt
        assert summary in plain(today.query_one("#attention-title", Static))

        # the caseload review: same rows, same order, same short words, same counts line
        caseload = await load_caseload(app, pilot)
        entries = caseload.entries or []
        assert [(e.row.student.id, e.row.measure.code) for e in entries] == list(kinds)
        table = caseload.query_one("#cl-table", DataTable)
        column = table.get_column_index("decision")
        for i, entry in enumerate(entries):
            assert entry.row.decision.kind == kinds[(entry.row.student.id, entry.row.measure.code)]
            cell = str(table.get_row_at(i)[column])
            assert (
                cell
                == f"{tone_mark(row_words(entry.row).tone)} {decision_words(entry.row, short=True)}"
            )
        title = plain(caseload.query_one("#cl-title", Static))
        assert summary in title
        await pilot.press("escape")
        await pilot.pause()

        # the group screen's decision column: the same short words and marks
        group = app.store.groups()[0]
        app.push_screen(GroupScreen(group.id, TODAY))
        await pilot.pause()
        await pilot.pause()
        members = app.screen.query_one("#gr-members", DataTable)
        cells = [str(members.get_row_at(i)[-1]) for i in range(members.row_count)]
        by_name = {r.student.name: r for r in rows}
        names = [str(members.get_row_at(i)[0]) for i in range(members.row_count)]
        assert sorted(names) == sorted(by_name)
        for name, cell in zip(names, cells, strict=True):
            row = by_name[name]
            assert cell == f"{tone_mark(row_words(row).tone)} {decision_words(row, short=True)}"
        await pilot.press("escape")
        await pilot.pause()

        # the student screen: the decision's words for each student
        for row in rows:
            student = StudentScreen(row.student.id, TODAY, row.measure.code)
            app.push_screen(student)
            await pilot.pause()
            await pilot.pause()
            current = student.current()
            assert current is not None and current[0].decision.kind == row.decision.kind
            flat = " ".join(screen_text(app).split())
            assert DECISION_WORDS[row.decision.kind] in flat
            assert words(row.decision.kind).label in flat
            await pilot.press("escape")
            await pilot.pause()

    # the meeting packet: the same counts line and words; a page per student needing a decision
    with Store.open(folder, readonly=True) as store:
        packet = meeting_packet(store, today=TODAY, fmt="text")
    first, *pages = packet.split("\f")
    assert summary in " ".join(first.split())
    for row in rows:
        assert decision_words(row, short=True) in first
    needing = {r.student.name for r in rows if r.needs_decision}
    assert len(pages) == len(needing)
    assert {next(n for n in needing if n in p) for p in pages} == needing
