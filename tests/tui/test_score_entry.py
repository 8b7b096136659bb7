"""Rapid-fire score entry, driven by keystrokes, checked against a freshly opened Store."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import date
from pathlib import Path

from textual.message import Message
from textual.pilot import Pilot
from textual.widgets import Input

from store.db import Store
from tests.conftest import FakeClock, log_delivered, read_tree
from tests.tui.screen import press_to, screen_text, settle, started
from tui.app import InterventionApp
from tui.screens.confirm import ConfirmScreen
from tui.screens.score_entry import SaveFailed, ScoreEntryScreen, ScoreSaved
from tui.screens.session_log import SessionLogScreen
from tui.screens.today import TodayScreen

DAY = date(2026, 11, 25)


async def open_entry(app: InterventionApp, pilot) -> ScoreEntryScreen:  # noqa: ANN001
    """From Today (Fluency 3 selected mid-group), Enter opens its score entry."""
    await pilot.pause()
    assert isinstance(app.screen, TodayScreen)
    screen = await press_to(pilot, ScoreEntryScreen, "enter")
    assert screen.group.name == "Fluency 3"
    return screen


async def type_55_then_keep_editing(pilot: Pilot, screen: ScoreEntryScreen, key: str) -> None:
    """Type 55, then ``key`` (leave or quit): a question shows the typed text first; n keeps
    editing, back on the entry with 55 still in the field."""
    await press_to(pilot, ConfirmScreen, "5", "5", key)
    assert "55" in screen_text(pilot.app)
    await pilot.press("n")  # keep editing
    await pilot.pause()
    assert pilot.app.screen is screen
    assert screen.query_one("#entry-input", Input).value == "55"


@asynccontextmanager
async def entry(
    open_app: Callable[..., InterventionApp],
) -> AsyncIterator[tuple[InterventionApp, Pilot, ScoreEntryScreen]]:
    """The demo app at 120×36 with Fluency 3's score entry open: (app, pilot, screen)."""
    app = open_app()
    async with app.run_test(size=(120, 36)) as pilot:
        yield app, pilot, await open_entry(app, pilot)


def reopen(demo_dir: Path, clock: FakeClock) -> Store:
    return Store.open(demo_dir, clock=clock)


async def test_whole_group_by_keystrokes_then_read_back(open_app, demo_dir, demo_clock) -> None:
    async with entry(open_app) as (app, pilot, screen):
        rows = [(r.line.student.id, r.line.measure.code) for r in screen.rows]
        assert len(rows) == 5  # 5 students × ORF, all due this week
        typed = ["62", "48", "71", "55", "90"]
        for value in typed:  # only the digits plus one Enter per student
            await pilot.press(*value, "enter")
        await settle(pilot, screen)
        assert [r.state for r in screen.rows] == ["saved"] * 5
        # score entry's last word stays in view on the session log that opens on top
        assert "Saved ORF 90" in screen_text(app)
        # after the last row the session log opens, minutes default to the scheduled 30
        assert isinstance(app.screen, SessionLogScreen)
        assert app.screen.query_one("#sl-minutes", Input).value == "30"
        await pilot.press("enter")  # accept the session log
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, TodayScreen)
        assert {r.group.name: r.status for r in app.screen.rows}["Fluency 3"] == "done ✓"
    app.store.close()
    with reopen(demo_dir, demo_clock) as fresh:
        for (sid, code), value in zip(rows, typed, strict=True):
            saved = fresh.score_on(sid, code, DAY)
            assert saved is not None and saved.value == float(value)
        session = fresh.session_on("demo-fluency-3", DAY)
        assert (
            session is not None
            and session.status == "delivered"
            and session.minutes_delivered == 30
        )
        assert {a.status for a in session.attendance} == {"present"}


async def test_score_with_errors_shows_accuracy(open_app, demo_dir, demo_clock) -> None:
    async with entry(open_app) as (app, pilot, screen):
        first = screen.rows[0].line.student
        await pilot.press("6", "2", "/", "3", "enter")
        await settle(pilot, screen)
        assert screen.rows[0].saved is not None
        assert "62/3 (95%)" in screen_text(app)  # 62 / (62 + 3) = 95.4 %
    app.store.close()
    with reopen(demo_dir, demo_clock) as fresh:
        saved = fresh.score_on(first.id, "ORF", DAY)
        assert saved is not None and (saved.value, saved.errors) == (62, 3)


async def test_absent_marks_attendance_and_moves_on(open_app, demo_dir, demo_clock) -> None:
    async with entry(open_app) as (app, pilot, screen):
        first = screen.rows[0].line.student
        await pilot.press("a")
        await settle(pilot, screen)
        assert screen.rows[0].state == "absent"
        assert screen.index == 1
        assert "marked absent" in screen_text(app)
    app.store.close()
    with reopen(demo_dir, demo_clock) as fresh:
        assert fresh.score_on(first.id, "ORF", DAY) is None
        session = fresh.session_on("demo-fluency-3", DAY)
        assert session is not None
        mark = session.attendance_of(first.id)
        assert mark is not None and (mark.status, mark.reason) == ("absent", "absent")


async def test_invalid_input_is_shown_inline_and_leaves_disk_unchanged(open_app, demo_dir) -> None:
    before = read_tree(demo_dir)
    async with entry(open_app) as (app, pilot, screen):
        await pilot.press("4", "1", "2", "enter")
        await settle(pilot, screen)
        assert "ORF score 412 is outside 0–300" in screen_text(app)
        assert screen.rows[0].state == "error"
        assert screen.index == 0, "focus stays on the row to fix it"
        assert screen.query_one("#entry-input", Input).value == "412", "what was typed is kept"
        await pilot.press("6", "/", "x")  # 'x' is not accepted by the field at all
        await pilot.press("enter")
        await settle(pilot, screen)
        assert "errors" in screen_text(app)  # '4126/' → errors '' is not a whole number
    after = {k: v for k, v in read_tree(demo_dir).items() if not k.startswith("backups")}
    assert after == {k: v for k, v in before.items() if not k.startswith("backups")}


async def test_future_day_cannot_take_scores(open_app, demo_dir) -> None:
    async with started(open_app, (120, 36)) as (app, pilot):
        await pilot.press("right")  # Thursday, tomorrow
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, TodayScreen)


async def test_replace_asks_then_replaces(open_app, demo_dir, demo_clock) -> None:
    async with entry(open_app) as (app, pilot, screen):
        sid = screen.rows[0].line.student.id
        await pilot.press("5", "8", "enter")
        await settle(pilot, screen)
        await pilot.press("up")
        await pilot.pause()
        assert screen.index == 0
        await pilot.press("6", "1", "enter")
        await pilot.pause()
        assert "replace 58 with 61?" in screen_text(app)
        assert app.store.score_on(sid, "ORF", DAY).value == 58  # not yet
        await pilot.press("enter")
        await settle(pilot, screen)
        assert app.store.score_on(sid, "ORF", DAY).value == 61
    app.store.close()
    with reopen(demo_dir, demo_clock) as fresh:
        assert fresh.score_on(sid, "ORF", DAY).value == 61
        assert len([s for s in fresh.scores(sid, "ORF") if s.date == DAY]) == 1


async def test_undo_removes_the_last_save_and_says_so(open_app, demo_dir, demo_clock) -> None:
    async with entry(open_app) as (app, pilot, screen):
        first, second = (r.line.student for r in screen.rows[:2])
        await pilot.press("6", "0", "enter", "4", "4", "enter")
        await settle(pilot, screen)
        await pilot.press("ctrl+z")
        await settle(pilot, screen)
        text = screen_text(app)
        assert "Undid" in text and "ORF 44" in text
        assert screen.rows[1].state == ""
        assert screen.rows[0].state == "saved"
    app.store.close()
    with reopen(demo_dir, demo_clock) as fresh:
        assert fresh.score_on(first.id, "ORF", DAY).value == 60
        assert fresh.score_on(second.id, "ORF", DAY) is None


async def test_escape_with_unsaved_text_asks_first(open_app, demo_dir) -> None:
    async with entry(open_app) as (app, pilot, screen):
        await type_55_then_keep_editing(pilot, screen, "escape")
        await pilot.press("escape", "y")  # discard and leave
        await pilot.pause()
        assert isinstance(app.screen, TodayScreen)


async def test_escape_with_nothing_typed_leaves_at_once(open_app) -> None:
    app = open_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await open_entry(app, pilot)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, TodayScreen)


def near_a_decision(folder: Path) -> tuple[Store, FakeClock]:
    """Ava in Fluency (ORF), 8 weeks of sessions all attended; three scores below the aim
    line, so one more below fires the four-point rule today."""
    from datetime import datetime, timedelta

    from store.model import Attendance, Group
    from store.schedule import occurrences

    clock = FakeClock(datetime(2026, 11, 25, 9, 5))
    store = Store.open(folder, clock=clock)
    ava = store.add_student("Ava", "Jones", "3")
    start = DAY - timedelta(weeks=8)
    store.add_group(
        Group(
            id="g1",
            name="Fluency",
            start_time="09:00",
            duration_minutes=30,
            measures=["ORF"],
            start_date=start,
        )
    )
    store.add_member("g1", ava.id, start)
    # aim line 40 → 56 over 8 weeks = 2/week; aim at week w = 40 + 2w
    store.set_goal(
        ava.id, "ORF", baseline_value=40, baseline_date=start, goal_value=56, goal_date=DAY
    )
    # weeks 1..7: 43 (above 42), 45 (above 44), 47 (above 46), 49 (above 48), then
    # 48 (below 50), 50 (below 52), 52 (below 54): three below; a fourth below fires the rule
    for week, value in enumerate([43, 45, 47, 49, 48, 50, 52], start=1):
        store.record_score(ava.id, "ORF", value, start + timedelta(weeks=week))
    # every planned session delivered and attended, so dosage is not the explanation
    group = store.group("g1")
    for d in occurrences(group, store.calendar(), start, DAY - timedelta(days=1)):
        log_delivered(store, "g1", d, [Attendance(ava.id)])
    return store, clock


async def test_decision_firing_on_a_new_score_is_announced(tmp_path: Path) -> None:
    from tui.config import AppConfig

    store, clock = near_a_decision(tmp_path / "d")
    app = InterventionApp(store, clock, AppConfig())
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        screen = await press_to(pilot, ScoreEntryScreen, "enter")
        assert screen.rows[0].line.decision_kind == "continue"
        await pilot.press("5", "0", "enter")  # 50 < 56 on the aim line today
        await settle(pilot, screen)
        assert screen.rows[0].line.decision_kind == "change"
        text = screen_text(app)
        assert "4 consecutive scores below the aim line (48, 50, 52, 50)" in text
    store.close()


async def test_the_writer_answers_with_typed_messages(open_app, monkeypatch) -> None:  # noqa: ANN001
    """Each save comes back as ScoreSaved (the score as stored) or SaveFailed (the store's
    error), captured here the Harlequin way, with run_test(message_hook=...)."""
    from store.errors import StoreError

    app = open_app()
    heard: list[Message] = []

    def hook(message: Message) -> None:
        # the hook may see a message more than once (posted, then handled)
        if isinstance(message, (ScoreSaved, SaveFailed)) and all(m is not message for m in heard):
            heard.append(message)

    async with app.run_test(size=(120, 36), message_hook=hook) as pilot:
        screen = await open_entry(app, pilot)
        await pilot.press("6", "2", "enter")
        await settle(pilot, screen)
        saved = [m for m in heard if isinstance(m, ScoreSaved)]
        assert len(saved) == 1 and saved[0].score.value == 62 and saved[0].index == 0

        def broken(*args: object, **kwargs: object) -> None:
            raise StoreError("the disk is full")

        monkeypatch.setattr(app.store, "record_score", broken)
        await pilot.press("5", "0", "enter")
        await settle(pilot, screen)
        failed = [m for m in heard if isinstance(m, SaveFailed)]
        assert len(failed) == 1 and failed[0].index == 1 and failed[0].typed == "50"
        assert "NOT SAVED" in screen.rows[1].message and "disk is full" in screen.rows[1].message
