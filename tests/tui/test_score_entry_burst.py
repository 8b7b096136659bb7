"""Score entry at any typing speed (issue 13): keys that arrive in one burst — a fast typist,
a macro, a paste — are applied in order to the row that was current when they arrived; quitting
never drops a score; a typo is refused whole; several passages keep their median. Every test
reads the saved files back through a freshly opened Store."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from textual import events
from textual.widgets import Input

from store.db import Store
from tests.conftest import FakeClock, data_files
from tests.tui.screen import pause_until, screen_text, settle
from tests.tui.test_score_entry import entry, type_55_then_keep_editing
from tui.app import InterventionApp

DAY = date(2026, 11, 25)


def burst(app: InterventionApp, *keys: str) -> None:
    """Send every key to the app at once, as a terminal delivers a paste or a fast typist's
    keys: nothing is processed between them (Pilot.press waits for idle after each key)."""
    assert app._driver is not None
    for key in keys:
        char = key if len(key) == 1 else (" " if key == "space" else None)
        app._driver.send_message(events.Key(key, char))


def day_scores(folder: Path, clock: FakeClock) -> dict[str, float]:
    """{student id: value} of every ORF score saved for DAY, read from a fresh Store."""
    with Store.open(folder, clock=clock) as fresh:
        out = {}
        for student in fresh.students():
            saved = fresh.score_on(student.id, "ORF", DAY)
            if saved is not None:
                out[student.id] = saved.value
        return out


async def test_burst_41_enter_52_enter_saves_both_in_order(open_app, demo_dir, demo_clock) -> None:
    async with entry(open_app) as (app, pilot, screen):
        first, second = (r.student_id for r in screen.rows[:2])
        burst(app, "4", "1", "enter", "5", "2", "enter")
        await settle(pilot, screen)
        assert [r.state for r in screen.rows[:2]] == ["saved", "saved"]
        assert screen.index == 2
        assert screen.query_one("#entry-input", Input).value == ""
    app.store.close()
    assert day_scores(demo_dir, demo_clock) == {first: 41, second: 52}


async def test_burst_with_arrows_and_absent_keeps_order(open_app, demo_dir, demo_clock) -> None:
    async with entry(open_app) as (app, pilot, screen):
        ids = [r.student_id for r in screen.rows]
        # row 0: 60; row 1 typed then left with ↓ (kept as a draft); row 2 absent; row 3: 70
        burst(app, "6", "0", "enter", "5", "down", "a", "7", "0", "enter")
        await settle(pilot, screen)
        assert screen.rows[1].draft == "5"
        assert screen.rows[2].state == "absent"
    app.store.close()
    assert day_scores(demo_dir, demo_clock) == {ids[0]: 60, ids[3]: 70}


async def test_score_enter_ctrl_q_in_one_burst_is_saved(open_app, demo_dir, demo_clock) -> None:
    for attempt in range(3):
        async with entry(open_app) as (app, pilot, screen):
            first = screen.rows[0].student_id
            burst(app, "6", "1", "enter", "ctrl+q")
            await pause_until(pilot, lambda a: not a.is_running)
        app.store.close()
        assert day_scores(demo_dir, demo_clock).get(first) == 61, f"lost on try {attempt + 1}"
        with Store.open(demo_dir, clock=demo_clock) as s:  # clean up for the next try
            s.delete_score(s.score_on(first, "ORF", DAY).id)


async def test_quit_with_unsaved_text_asks(open_app, demo_dir) -> None:
    before = data_files(demo_dir)
    async with entry(open_app) as (_app, pilot, screen):
        await type_55_then_keep_editing(pilot, screen, "ctrl+q")
    assert data_files(demo_dir) == before


async def test_typo_is_refused_whole_with_feedback(open_app, demo_dir) -> None:
    before = data_files(demo_dir)
    async with entry(open_app) as (app, pilot, screen):
        await pilot.press("2", "o")
        await pilot.pause()
        field = screen.query_one("#entry-input", Input)
        assert field.value == "2o", "the key is shown, never silently dropped"
        assert "not allowed" in screen_text(app)
        await pilot.press("enter")
        await settle(pilot, screen)
        assert screen.rows[0].state == "error" and screen.index == 0
        assert field.value == "2o"
        for typed in ("٣٤", "1_0", "1e2", "6.2.1"):
            field.value = typed
            await pilot.press("enter")
            await settle(pilot, screen)
            assert screen.rows[0].state == "error", typed
            assert screen.index == 0, typed
    assert data_files(demo_dir) == before


async def test_several_passages_keep_the_median(open_app, demo_dir, demo_clock) -> None:
    async with entry(open_app) as (app, pilot, screen):
        first = screen.rows[0].student_id
        await pilot.press(*"61 58 64", "enter")
        await settle(pilot, screen)
        assert screen.rows[0].state == "saved"
        assert "median of 61, 58, 64" in screen_text(app)
    app.store.close()
    with Store.open(demo_dir, clock=demo_clock) as fresh:
        saved = fresh.score_on(first, "ORF", DAY)
        assert saved is not None and (saved.value, saved.passages) == (61, [61, 58, 64])


async def test_sigterm_or_sighup_finishes_the_typed_score_first(
    open_app, demo_dir, demo_clock
) -> None:
    async with entry(open_app) as (app, pilot, screen):
        first = screen.rows[0].student_id
        burst(app, "6", "1", "enter")
        app.exit_on_signal()  # what SIGTERM / SIGHUP (terminal closed) call
        await pause_until(pilot, lambda a: not a.is_running)
    app.store.close()
    assert day_scores(demo_dir, demo_clock) == {first: 61}


async def test_score_enter_escape_in_one_burst_saves_and_leaves(
    open_app, demo_dir, demo_clock
) -> None:
    async with entry(open_app) as (app, pilot, screen):
        first = screen.rows[0].student_id
        burst(app, "6", "3", "enter", "escape")
        await pause_until(pilot, lambda a: a.screen is not screen)
        assert app.screen is not screen, "nothing typed is unsaved: Esc leaves at once"
    app.store.close()
    assert day_scores(demo_dir, demo_clock) == {first: 63}
