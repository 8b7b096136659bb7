"""The student screen (Pilot): goal setting, phase changes, score edit/delete/undo, 80×24."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import date
from pathlib import Path
from typing import Any

from textual.widgets import Input, Select

from store.db import Store
from store.model import BUILTIN_MEASURES
from store.progress import (
    goal_from_benchmark,
    goal_from_growth,
    goal_statement,
    ht_norm,
    weeks_between,
)
from tests.conftest import FakeClock, data_files
from tests.tui.screen import press_to, push, screen_text, started
from tui.app import InterventionApp
from tui.screens.confirm import ConfirmScreen
from tui.screens.goal_form import GoalForm, season_of
from tui.screens.phase_form import NoteForm, PhaseForm, ScoreEditForm, append_note
from tui.screens.student import DECISION_WORDS, ProgressChartView, StudentScreen, roi_text

DAY = date(2026, 11, 25)
FLAT = "st-demo17"  # the demo's "flat" ORF student: the 4-point rule says change


async def open_student(app: InterventionApp, pilot, measure: str = "ORF") -> StudentScreen:  # noqa: ANN001
    return await push(pilot, StudentScreen(FLAT, DAY, measure))


async def open_goal_form(app: InterventionApp, pilot) -> GoalForm:  # noqa: ANN001
    """Press g on the student screen; the goal form it opens."""
    form = await press_to(pilot, GoalForm, "g")
    return form


@asynccontextmanager
async def flat_student(
    open_app: Callable[..., InterventionApp],
    size: tuple[int, int] = (120, 36),
    measure: str = "ORF",
) -> AsyncIterator[tuple[InterventionApp, Any, StudentScreen]]:
    """The demo app with the flat ORF student's screen open: (app, pilot, screen)."""
    app = open_app()
    async with app.run_test(size=size) as pilot:
        yield app, pilot, await open_student(app, pilot, measure)


def messages(app: InterventionApp) -> list[str]:
    """The notifications (toasts) shown so far."""
    return [n.message for n in app._notifications]


def progress(screen: StudentScreen):  # noqa: ANN201
    current = screen.current()
    assert current is not None
    return current[0]


async def test_goal_form_previews_the_aim_line_and_saving_changes_the_decision(
    open_app, demo_dir: Path, demo_clock: FakeClock
) -> None:
    async with flat_student(open_app, size=(140, 44)) as (app, pilot, screen):
        assert progress(screen).decision.kind == "change"
        form = await open_goal_form(app, pilot)
        name = screen.view.student.given_name  # type: ignore[union-attr]
        text = screen_text(app)
        # the goal in force is the starting point: Fuchs ambitious growth, grade 3
        assert "proposed aim line" in text
        # the dated statement of the saved value (the demo has no whole no-school week, so its
        # 26 calendar weeks from the baseline to the goal are 26 weeks of school)
        end = progress(screen).goal.goal_date  # type: ignore[union-attr]
        dated = f"By {end:%B} {end.day}, {end.year} (26 weeks of school), {name}"
        assert form.proposed is not None
        assert form.proposed.statement == f"{dated} will read 89 words correct per minute."
        assert dated in text
        # a custom goal from a lower baseline (45 → 60): this flat student is no longer far below
        # the line, so the verdict leaves "change" for "continue" (never "raise the goal" for a
        # student who is not growing)
        form.query_one("#g-method", Select).value = "custom"
        form.query_one("#g-baseline", Input).value = "45"
        form.query_one("#g-target", Input).value = "60"
        await pilot.pause()
        text = screen_text(app)
        assert f"Goal 60 by {end:%b} {end.day}, {end.year}" in text
        assert form.proposed.statement == f"{dated} will read 60 words correct per minute."
        assert f"{name} will read 60 words" in text
        assert f"With this goal: {DECISION_WORDS['continue']}" in text
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is screen
        assert progress(screen).decision.kind == "continue"
        assert DECISION_WORDS["continue"] in screen_text(app)
    app.store.close()
    with Store.open(demo_dir, clock=demo_clock) as fresh:
        goal = fresh.goal(FLAT, "ORF")
        assert goal is not None
        assert (goal.baseline_value, goal.goal_value, goal.method) == (45, 60, "custom")


async def test_goal_form_shows_why_a_goal_cannot_be_saved(open_app) -> None:
    async with flat_student(open_app, size=(140, 44)) as (app, pilot, screen):
        form = await open_goal_form(app, pilot)
        form.query_one("#g-method", Select).value = "custom"
        form.query_one("#g-target", Input).value = "412"
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is form  # nothing saved, the form stays open
        assert "ORF goal 412 is outside 0–300" in screen_text(app)


async def test_phase_change_restarts_the_trend(open_app, demo_dir, demo_clock) -> None:
    async with flat_student(open_app) as (app, pilot, screen):
        before = progress(screen)
        assert before.decision.n_points > 6
        await pilot.press("p")
        await pilot.pause()
        assert isinstance(app.screen, PhaseForm)
        date_box = app.screen.query_one("#phase-date", Input)
        date_box.value = "2026-11-12"
        await pilot.press(*"Added 10 minutes, smaller group", "enter")
        await pilot.pause()
        assert app.screen is screen
        after = progress(screen)
        start = date(2026, 11, 12)
        assert after.phase_start == start
        kept = [p for p in before.points if p[0] >= start]
        assert list(after.phase_points) == kept and len(kept) == 3
        assert after.decision.kind == "insufficient-data"  # 3 points: too few to judge again
        assert "since the phase change on 2026-11-12" in after.decision.reason
        text = screen_text(app)
        assert "Added 10 minutes, smaller group" in text
        assert "3 pts" in text
    app.store.close()
    with Store.open(demo_dir, clock=demo_clock) as fresh:
        phases = fresh.phase_changes(FLAT, "ORF")
        assert [(p.date, p.label) for p in phases] == [
            (date(2026, 11, 12), "Added 10 minutes, smaller group")
        ]


async def test_edit_delete_and_undo_a_score(open_app, demo_dir, demo_clock) -> None:
    async with flat_student(open_app) as (app, pilot, screen):
        newest = screen.history[0]
        assert newest.date == date(2026, 11, 23)
        form = await press_to(pilot, ScoreEditForm, "e")
        box = form.query_one("#edit-value", Input)
        box.value = "412"
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is form  # rejected: shown inline, nothing saved
        assert "ORF score 412 is outside 0–300" in screen_text(app)
        assert app.store.score_on(FLAT, "ORF", newest.date).value == newest.value
        box.value = "61"
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is screen
        assert screen.history[0].value == 61
        # delete it, after confirming
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await pilot.pause()
        assert all(s.id != newest.id for s in screen.history)
        with Store.open(demo_dir, clock=demo_clock, readonly=True) as disk:
            assert disk.score_on(FLAT, "ORF", newest.date) is None
        # ctrl+z brings it back and says what it undid
        await pilot.press("ctrl+z")
        await pilot.pause()
        assert screen.history[0].id == newest.id and screen.history[0].value == 61
        assert any(m.startswith("Undid: deleted ORF 61") for m in messages(app))
    app.store.close()
    with Store.open(demo_dir, clock=demo_clock) as fresh:
        saved = fresh.score_on(FLAT, "ORF", newest.date)
        assert saved is not None and saved.value == 61


async def test_note_is_dated_and_appended(open_app, demo_dir, demo_clock) -> None:
    async with flat_student(open_app) as (app, pilot, screen):
        await pilot.press("n")
        await pilot.pause()
        await pilot.press(*"Met with [/] teacher", "enter")
        await pilot.pause()
        assert "2026-11-25: Met with [/] teacher" in screen_text(app)
    app.store.close()
    with Store.open(demo_dir, clock=demo_clock) as fresh:
        assert fresh.student(FLAT).notes.endswith("2026-11-25: Met with [/] teacher")
    assert append_note("old", DAY, " new ") == "old\n2026-11-25: new"


async def test_readable_at_80_by_24(open_app) -> None:
    async with flat_student(open_app, size=(80, 24)) as (app, pilot, screen):
        text = screen_text(app)
        goal = progress(screen).goal
        assert goal is not None
        assert f"{goal.goal_value:g} by {goal.goal_date:%b} {goal.goal_date.day}, 2027" in text
        assert f"{goal.baseline_value:g} on Aug 27" in text
        assert "needed +1.50/wk" in text
        assert DECISION_WORDS["change"] in text  # "! change the intervention"
        assert "Last score" in text and "Dosage" in text
        assert "aim line" in text  # the chart's legend
        # t cycles the trend method; Tab the measure (one measure: says so)
        await pilot.press("t")
        await pilot.pause()
        assert screen.method == "tukey"
        assert "trend: Tukey" in screen_text(app)


async def test_a_name_with_markup_does_not_crash(open_app) -> None:
    app = open_app()
    async with app.run_test(size=(120, 36)) as pilot:
        app.store.update_student(FLAT, given_name="Ann [/]", family_name="[bold]x")
        await open_student(app, pilot)
        assert "Ann [/] [bold]x" in screen_text(app)


async def test_palette_lists_the_screen_actions(open_app) -> None:
    async with flat_student(open_app) as (app, pilot, screen):
        titles = [c.title for c in app.get_system_commands(screen)]
        assert {"Set goal", "Add phase change", "Add note", "Undo"} <= set(titles)
        assert all(b.id and b.tooltip for b in StudentScreen.BINDINGS)  # type: ignore[union-attr]


# --------------------------------------------------------------------------- more Pilot tests
MULTI = "st-demo24"  # the demo's Ava: grade 4, scored on ORF, Maze and CICO


def chart_title(screen: StudentScreen) -> str | None:
    return screen.query_one("#st-chart", ProgressChartView).title


async def test_tab_and_m_cycle_the_measures_and_shift_tab_goes_back(open_app) -> None:
    async with started(open_app, (120, 36)) as (app, pilot):
        scored = {s.measure for s in app.store.scores(MULTI)}
        assert len(scored) >= 2
        screen = StudentScreen(MULTI, DAY)
        app.push_screen(screen)
        await pilot.pause()
        assert screen.view is not None
        order = screen.view.measures
        assert set(order) == scored
        # the built-in catalogue's order: reading first, behaviour last
        builtin = [m.code for m in BUILTIN_MEASURES]
        assert order == sorted(scored, key=builtin.index)
        assert screen.measure == order[0]

        def shown() -> tuple[str | None, str | None]:
            progress, _row = screen.current()  # type: ignore[misc]
            assert progress.measure.code == screen.measure
            unit = progress.measure.unit
            title = f"{screen.measure} ({unit})"
            assert chart_title(screen) == title
            text = screen_text(app)
            n = len([s for s in app.store.scores(MULTI) if s.measure == screen.measure])
            assert f"Score history · {screen.measure} · {n} score" in text
            return screen.measure, title

        seen = [shown()]
        for key in ("tab", "m") * len(order):
            await pilot.press(key)
            await pilot.pause()
            seen.append(shown())
        codes = [code for code, _ in seen]
        # in order and wrapping around: order[0], order[1], …, order[0], …
        assert codes == [order[i % len(order)] for i in range(len(codes))]
        assert len({title for _, title in seen}) == len(order)  # the heading changes each time
        # shift+tab goes back, wrapping from the first to the last
        assert screen.measure == order[0]
        await pilot.press("shift+tab")
        await pilot.pause()
        assert shown()[0] == order[-1]
        await pilot.press("shift+tab")
        await pilot.pause()
        assert shown()[0] == order[-2]


async def test_editing_a_score_date_moves_it_and_ctrl_z_moves_it_back(
    open_app, demo_dir: Path, demo_clock: FakeClock
) -> None:
    async with flat_student(open_app) as (app, pilot, screen):
        old = screen.history[0]
        new_day = date(2026, 11, 24)
        assert old.date == date(2026, 11, 23) and old.value != 63
        assert app.store.score_on(FLAT, "ORF", new_day) is None
        form = await press_to(pilot, ScoreEditForm, "e")
        form.query_one("#edit-value", Input).value = "63"
        form.query_one("#edit-date", Input).value = new_day.isoformat()
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is screen
        moved = app.store.score_on(FLAT, "ORF", new_day)
        assert moved is not None and (moved.id, moved.value) == (old.id, 63)
        assert app.store.score_on(FLAT, "ORF", old.date) is None
        assert screen.history[0].date == new_day
        assert "Tue Nov 24 2026" in screen_text(app)
        with Store.open(demo_dir, clock=demo_clock, readonly=True) as disk:
            assert disk.score_on(FLAT, "ORF", old.date) is None
            assert disk.score_on(FLAT, "ORF", new_day).value == 63  # type: ignore[union-attr]
        # ctrl+z: back on its old date with its old value
        await pilot.press("ctrl+z")
        await pilot.pause()
        assert screen.history[0].date == old.date and screen.history[0].value == old.value
        assert app.store.score_on(FLAT, "ORF", new_day) is None
        assert "Mon Nov 23 2026" in screen_text(app)
    app.store.close()
    with Store.open(demo_dir, clock=demo_clock) as fresh:
        assert fresh.score_on(FLAT, "ORF", new_day) is None
        back = fresh.score_on(FLAT, "ORF", old.date)
        assert back is not None and (back.id, back.value) == (old.id, old.value)


async def test_goal_form_norms_and_benchmark_choices_preview_the_engine_goal(
    open_app, demo_dir: Path, demo_clock: FakeClock
) -> None:
    async with flat_student(open_app, size=(140, 44)) as (app, pilot, screen):
        student = screen.view.student  # type: ignore[union-attr]
        m = progress(screen).measure
        form = await open_goal_form(app, pilot)
        baseline = float(form.query_one("#g-baseline", Input).value)
        start = date.fromisoformat(form.query_one("#g-bdate", Input).value)
        end = date.fromisoformat(form.query_one("#g-gdate", Input).value)
        weeks = weeks_between(start, end)
        name = student.given_name
        target = ht_norm(student.grade, season_of(end), 50)
        expected = {
            "norms-realistic": goal_from_growth(
                baseline, weeks, student.grade, False, name=name, measure=m
            ),
            "norms-ambitious": goal_from_growth(
                baseline, weeks, student.grade, True, name=name, measure=m
            ),
            "benchmark": goal_from_benchmark(
                target, baseline=baseline, weeks=weeks, name=name, measure=m
            ),
        }
        values = {k: s.value_for(m) for k, s in expected.items()}
        assert len(set(values.values())) == 3, values  # three different goals to tell apart
        previews = {}
        for method in expected:
            form.query_one("#g-method", Select).value = method
            if method == "benchmark":
                form.query_one("#g-target", Input).value = str(target)
            await pilot.pause()
            assert form.proposed is not None
            assert form.proposed.suggestion.method == method
            assert form.proposed.goal_value == values[method]
            text = screen_text(app)
            assert f"Goal {m.format(values[method])} by {end:%b %-d, %Y}" in text
            needed = (values[method] - baseline) / weeks
            assert f"needed {roi_text(needed)}" in text
            statement = goal_statement(name, m, values[method], weeks, goal_date=end)
            assert form.proposed.statement == statement
            assert statement[:60] in text
            previews[method] = text
        assert len(set(previews.values())) == 3
        # save the realistic one
        form.query_one("#g-method", Select).value = "norms-realistic"
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is screen
        goal = progress(screen).goal
        assert goal is not None and goal.method == "norms-realistic"
        assert goal.goal_value == values["norms-realistic"]
        assert f"{m.format(values['norms-realistic'])} by {end:%b %-d, %Y}" in screen_text(app)
    app.store.close()
    with Store.open(demo_dir, clock=demo_clock) as fresh:
        saved = fresh.goal(FLAT, "ORF")
        assert saved is not None
        assert (saved.method, saved.baseline_value, saved.goal_value) == (
            "norms-realistic",
            baseline,
            values["norms-realistic"],
        )
        assert (saved.baseline_date, saved.goal_date) == (start, end)


async def test_phase_and_note_forms_reject_bad_input_inline_and_write_nothing(
    open_app, demo_dir: Path
) -> None:
    async with flat_student(open_app) as (app, pilot, screen):
        await app.workers.wait_for_complete()  # the daily backup: before any byte comparison
        before = data_files(demo_dir)
        # phase change: no label
        form = await press_to(pilot, PhaseForm, "p")
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is form
        assert "phase label is required" in screen_text(app)
        # phase change: a label but a date that is not a date
        form.query_one("#phase-date", Input).value = "11/12/2026"
        await pilot.press(*"Smaller group", "enter")
        await pilot.pause()
        assert app.screen is form
        assert "is not a date" in screen_text(app) and "11/12/2026" in screen_text(app)
        assert app.store.phase_changes(FLAT, "ORF") == []
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen
        # note: blank (spaces only)
        notes = app.store.student(FLAT).notes
        note = await press_to(pilot, NoteForm, "n")
        await pilot.press("space", "space", "enter")
        await pilot.pause()
        assert app.screen is note
        assert "note is required" in screen_text(app)
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen
        assert app.store.student(FLAT).notes == notes
        assert not screen.changed
        await app.workers.wait_for_complete()
        assert data_files(demo_dir) == before
