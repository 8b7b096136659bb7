"""The group screen on a small hand-built store: dosage numbers worked out by hand."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from store.db import Store
from store.model import Attendance, Group, Membership, NoSchool, SchoolCalendar, Session
from tests.conftest import FakeClock
from tests.tui.screen import screen_text
from tui.app import InterventionApp
from tui.config import AppConfig
from tui.screens.group import GroupScreen
from tui.screens.student import StudentScreen

TODAY = date(2026, 11, 25)  # a Wednesday
START = date(2026, 11, 16)  # Monday: first day of school and of the group


def build(folder: Path, clock: FakeClock) -> None:
    """Mon/Wed/Fri group of two from Nov 16, no school Fri Nov 20.

    Planned before today: Mon 16, Wed 18, Mon 23 (Fri 20 no school; today's meeting is
    not logged yet, so not counted) = 3 sessions, 90 minutes; 2 members → 6 student-sessions.
    Mon 16 delivered 30 min (Ana present, Ben absent, fidelity 3 of 4 = 75 %), Wed 18
    cancelled for an assembly, Mon 23 not logged → delivered 1, cancelled 1, not logged 1,
    minutes 30 of 90 (33 %), attendance 1 of 6 (17 %), fidelity 75 %.
    """
    with Store.open(folder, clock=clock) as s:
        s.set_calendar(
            SchoolCalendar(
                START,
                date(2027, 6, 11),
                [NoSchool(date(2026, 11, 20), date(2026, 11, 20), "PD day")],
            )
        )
        ana = s.add_student("Ana", "Reyes", "2", id="st-ana")
        ben = s.add_student("Ben [/]", "Ortiz", "2", id="st-ben")
        s.add_group(
            Group(
                id="gr-test",
                name="Test Group",
                program="Read Naturally",
                memberships=[Membership(ana.id, START), Membership(ben.id, START)],
                start_time="09:00",
                duration_minutes=30,
                rrule="FREQ=WEEKLY;BYDAY=MO,WE,FR",
                start_date=START,
                measures=["ORF"],
                fidelity_items=["a", "b", "c", "d"],
            )
        )
        s.log_session(
            Session(
                "",
                "gr-test",
                date(2026, 11, 16),
                minutes_delivered=30,
                lesson="story 1",
                attendance=[Attendance(ana.id), Attendance(ben.id, "absent", "absent")],
                fidelity_done=["a", "b", "c"],
            )
        )
        s.log_session(
            Session("", "gr-test", date(2026, 11, 18), status="cancelled", cancel_reason="assembly")
        )
        for day, value in ((date(2026, 11, 16), 40), (date(2026, 11, 23), 44)):
            s.record_score(ana.id, "ORF", value, day)


async def test_group_screen_shows_members_sessions_dosage_and_next_meetings(tmp_path: Path) -> None:
    clock = FakeClock(datetime(2026, 11, 25, 8, 0))
    folder = tmp_path / "data"
    build(folder, clock)
    store = Store.open(folder, clock=clock)
    app = InterventionApp(store, clock, AppConfig())
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            screen = GroupScreen("gr-test", TODAY)
            app.push_screen(screen)
            await pilot.pause()
            text = screen_text(app)
            assert "Test Group" in text
            assert "Ana Reyes" in text and "Ben [/] Ortiz" in text
            # dosage, school year to date
            assert "3 planned · 1 delivered · 1 cancelled · 1 not logged" in text
            # over the 2 logged sessions (the unlogged one is not captured): 30 of 2 × 30 = 60
            # minutes (50 %); 2 members × 2 logged = 4 student-sessions, 1 attended (25 %)
            assert "30 of 60 planned in logged sessions (50 %)" in text
            assert "25 % (1 of 4 logged student-sessions)" in text
            assert "75 % average" in text
            assert "cancelled: assembly ×1" in text
            assert "from school ×1" in text  # absent: absent from school (wraps)
            # session history: newest first
            assert "Wed Nov 18  cancelled (assembly)" in text
            assert "Mon Nov 16  delivered" in text and "1/2" in text and "story 1" in text
            # the next five meetings after today
            for day in ("Fri Nov 27", "Mon Nov 30", "Wed Dec 2", "Fri Dec 4", "Mon Dec 7"):
                assert day in text
            # members by family name; Enter on a member opens the student
            await pilot.press("down", "enter")
            await pilot.pause()
            assert isinstance(app.screen, StudentScreen)
            assert app.screen.student_id == "st-ana"
            assert "Ana Reyes" in screen_text(app)
            await pilot.press("escape")
            await pilot.pause()
            assert app.screen is screen
    finally:
        store.close()
