"""Score entry (issue 13 items 4–8): implausible jumps ask first, a pasted column fills rows,
the decision shows on the row, undo goes back to the row, anyone in the group can be scored.
Each test reads the saved files back through a freshly opened Store."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

from textual import events
from textual.widgets import Input

from store.db import Store
from store.model import Group
from store.vocabulary import words
from tests.conftest import FakeClock
from tests.tui.screen import press_to, screen_text, settle
from tests.tui.test_score_entry import entry, near_a_decision
from tui.app import InterventionApp
from tui.config import AppConfig
from tui.screens.score_entry import AddRowScreen, ScoreEntryScreen

DAY = date(2026, 11, 25)


def saved_on(folder: Path, clock: FakeClock, sid: str, code: str = "ORF") -> float | None:
    with Store.open(folder, clock=clock) as fresh:
        score = fresh.score_on(sid, code, DAY)
        return None if score is None else score.value


# ------------------------------------------------------------------ 4. implausible jumps
async def test_implausible_jump_asks_then_saves_on_second_enter(
    open_app, demo_dir, demo_clock
) -> None:
    async with entry(open_app) as (app, pilot, screen):
        line = screen.rows[0].line
        recent = [s.value for s in line.scores if s.date < DAY][-3:]
        shown = f"{min(recent):.0f}–{max(recent):.0f}"
        await pilot.press("2", "enter")
        await settle(pilot, screen)
        text = screen_text(app)
        expected = f"2 is far below {line.student.given_name}'s last scores ({shown})"
        assert expected in text and "Enter again to save it" in text
        assert screen.index == 0 and screen.rows[0].state == "confirm"
        assert app.store.score_on(line.student.id, "ORF", DAY) is None  # not yet
        await pilot.press("enter")
        await settle(pilot, screen)
        assert screen.rows[0].state == "saved"
        assert screen.index == 1
    app.store.close()
    assert saved_on(demo_dir, demo_clock, line.student.id) == 2


async def test_editing_after_the_warning_checks_again(open_app, demo_dir, demo_clock) -> None:
    async with entry(open_app) as (app, pilot, screen):
        sid = screen.rows[0].student_id
        await pilot.press("2", "enter")  # warned
        await pilot.press("backspace", "6", "2", "enter")  # fixed to a normal 62: saved at once
        await settle(pilot, screen)
        assert screen.rows[0].state == "saved"
    app.store.close()
    assert saved_on(demo_dir, demo_clock, sid) == 62


# ------------------------------------------------------------------ 5. paste a column
async def test_paste_a_column_fills_consecutive_rows(open_app, demo_dir, demo_clock) -> None:
    async with entry(open_app) as (app, pilot, screen):
        ids = [r.student_id for r in screen.rows]
        app.screen.query_one("#entry-input", Input).post_message(events.Paste("61\r\n58\n64\n"))
        await settle(pilot, screen)
        assert "pasted 3 scores: 61, 58, 64" in screen_text(app)
        assert screen.index == 3
    app.store.close()
    assert [saved_on(demo_dir, demo_clock, sid) for sid in ids] == [61, 58, 64, None, None]


async def test_paste_stops_at_the_first_invalid_line(open_app, demo_dir, demo_clock) -> None:
    async with entry(open_app) as (app, pilot, screen):
        ids = [r.student_id for r in screen.rows]
        app.screen.query_one("#entry-input", Input).post_message(events.Paste("61\n5o\n64\n"))
        await settle(pilot, screen)
        text = screen_text(app)
        assert "pasted 1 score: 61" in text and "line 2" in text and "5o" in text
        assert screen.index == 1 and screen.rows[1].state == "error"
        assert screen.query_one("#entry-input", Input).value == "5o"
    app.store.close()
    assert [saved_on(demo_dir, demo_clock, sid) for sid in ids] == [61, None, None, None, None]


# ------------------------------------------------------------------ 6. the decision on the row
async def test_decision_shows_on_the_row(tmp_path: Path) -> None:
    store, clock = near_a_decision(tmp_path / "d")
    (ava,) = store.students()
    app = InterventionApp(store, clock, AppConfig())
    async with app.run_test(size=(160, 36)) as pilot:
        await pilot.pause()
        screen = await press_to(pilot, ScoreEntryScreen, "enter")
        await pilot.press("5", "0", "enter")
        await settle(pilot, screen)
        kind = screen.rows[0].line.decision_kind
        assert kind == "change"
        status = screen.status_of(0)
        assert status.startswith("saved ✓ · ")
        assert "below the aim line" in status and status.endswith(f"→ {words(kind).short}")
        assert "(48, 50" not in status, "the numbers stay in the reason, not the row"
    store.close()
    with Store.open(tmp_path / "d", clock=clock) as fresh:
        assert fresh.score_on(ava.id, "ORF", DAY).value == 50


# ------------------------------------------------------------------ 7. undo goes back
async def test_undo_returns_to_the_row_with_the_old_value(open_app, demo_dir, demo_clock) -> None:
    async with entry(open_app) as (app, pilot, screen):
        second = screen.rows[1].student_id
        await pilot.press("6", "0", "enter", "4", "4", "enter", "5", "5", "enter")
        await settle(pilot, screen)
        assert screen.index == 3
        await pilot.press("ctrl+z")
        await settle(pilot, screen)
        await pilot.press("ctrl+z")
        await settle(pilot, screen)
        assert screen.index == 1, "focus is back on the row undone"
        field = screen.query_one("#entry-input", Input)
        assert field.value == "44" and app.focused is field
        await pilot.press("backspace", "7", "enter")  # fix it: 47
        await settle(pilot, screen)
    app.store.close()
    assert saved_on(demo_dir, demo_clock, second) == 47


# ------------------------------------------------------------------ 8. anyone can be scored
async def test_plus_adds_another_measure_for_a_member(open_app, demo_dir, demo_clock) -> None:
    async with entry(open_app) as (app, pilot, screen):
        count = len(screen.rows)
        await press_to(pilot, AddRowScreen, "plus")
        first = screen.rows[0].line.student
        await pilot.press(*f"{first.given_name} NWF".lower())
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is screen
        assert len(screen.rows) == count + 1
        added = screen.rows[screen.index]
        assert (added.student_id, added.line.measure.code) == (first.id, "NWF")
        await pilot.press("3", "3", "enter")
        await settle(pilot, screen)
    app.store.close()
    assert saved_on(demo_dir, demo_clock, first.id, "NWF") == 33


async def test_palette_offers_adding_a_row(open_app) -> None:
    async with entry(open_app) as (app, pilot, screen):
        titles = [c.title for c in screen.palette_commands()]
        assert any("Add a student" in t for t in titles)
        binding = next(b for b in ScoreEntryScreen.BINDINGS if b.action == "add_row")
        assert binding.id and binding.tooltip


async def test_group_with_nobody_due_says_how(tmp_path: Path) -> None:
    clock = FakeClock(datetime(2026, 11, 25, 9, 5))
    store = Store.open(tmp_path / "d", clock=clock)
    ava = store.add_student("Ava", "Jones", "3")
    store.add_group(
        Group(id="g1", name="Fluency", start_time="09:00", duration_minutes=30, measures=["ORF"])
    )
    store.add_member("g1", ava.id, DAY - timedelta(weeks=4))
    store.record_score(ava.id, "ORF", 50, DAY - timedelta(days=1))  # probed this week
    app = InterventionApp(store, clock, AppConfig())
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        await press_to(pilot, ScoreEntryScreen, "enter")
        assert "No probes due today" in screen_text(app)
        assert "press + to add" in screen_text(app)
    store.close()


async def test_a_one_line_paste_is_typed_once(open_app, demo_dir, demo_clock) -> None:
    async with entry(open_app) as (app, pilot, screen):
        field = screen.query_one("#entry-input", Input)
        field.post_message(events.Paste("61 58 64"))
        await pilot.pause()
        assert field.value == "61 58 64"
        field.post_message(events.Paste("x"))
        await pilot.pause()
        assert field.value == "61 58 64x" and "not allowed" in screen_text(app)


async def test_paste_longer_than_the_rows_stops_at_the_log(open_app, demo_dir, demo_clock) -> None:
    async with entry(open_app) as (app, pilot, screen):
        ids = [r.student_id for r in screen.rows]
        values = [60, 61, 62, 63, 64, 65, 66]
        screen.query_one("#entry-input", Input).post_message(
            events.Paste("\n".join(map(str, values)))
        )
        await settle(pilot, screen)
        assert screen.log_requested
    app.store.close()
    assert [saved_on(demo_dir, demo_clock, sid) for sid in ids] == values[: len(ids)]
