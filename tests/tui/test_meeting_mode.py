"""Meeting mode (issue 19, Pilot): `M` from the caseload review walks the students who need a
decision, most urgent first; the team's decision, a phase change and a note are saved in
one step (one undo), and the next student comes up."""

from __future__ import annotations

from datetime import date

from textual.widgets import Input, Select

from store.caseload import row_order
from store.db import Store
from tests.tui.screen import press_to, screen_text, started
from tui.config import AppConfig
from tui.screens.caseload import CaseloadScreen
from tui.screens.meeting import MeetingScreen
from tui.views.attention import caseload_rows

DAY = date(2026, 11, 25)


async def test_meeting_saves_decision_phase_change_and_note_in_one_step(open_app, demo_dir) -> None:
    with Store.open(demo_dir, readonly=True) as store:
        expected = sorted(
            (r for r in caseload_rows(store, DAY, AppConfig()) if r.needs_decision), key=row_order
        )
    assert len(expected) >= 2
    first = expected[0]
    async with started(open_app, (130, 45)) as (app, pilot):
        caseload = CaseloadScreen(DAY)
        app.push_screen(caseload)
        await caseload.loaded()
        meeting = await press_to(pilot, MeetingScreen, "M")
        await meeting.loaded()
        await pilot.pause()
        text = screen_text(app)
        assert f"student 1 of {len(expected)} who need a decision" in text
        assert first.student.name in text and "The data suggest:" in text
        meeting.query_one("#mt-decision", Select).value = "change"
        meeting.query_one("#mt-note", Input).value = "Team: add 10 minutes a day"
        await pilot.press("ctrl+s")  # no phase named: refused, nothing saved
        await pilot.pause()
        assert app.store.team_decisions() == []
        assert "new phase is required" in screen_text(app)
        meeting.query_one("#mt-phase", Input).value = "SIPPS + 10 min"
        meeting.query_one("#mt-attendees", Input).value = "Rivera, Chen"
        await pilot.press("ctrl+s")
        await pilot.pause()
        saved = app.store.team_decisions(first.student.id)
        assert [(d.decision, d.note, d.attendees) for d in saved] == [
            ("change", "Team: add 10 minutes a day", "Rivera, Chen")
        ]
        phases = app.store.phase_changes(first.student.id, first.measure.code)
        assert phases[-1].label == "SIPPS + 10 min" and phases[-1].id == saved[0].phase_id
        assert saved[0].suggested == first.decision.kind
        assert "student 2 of" in screen_text(app)
        await pilot.press("ctrl+z")  # one undo takes back the decision and the phase change
        await pilot.pause()
        assert app.store.team_decisions() == []
        assert [p.id for p in app.store.phase_changes(first.student.id, first.measure.code)] == [
            p.id for p in phases[:-1]
        ]
        assert "student 1 of" in screen_text(app)
