"""Score import from the app: i → Scores → path → preview → import (or confirm conflicts)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from textual.widgets import Button, Input

from tests.conftest import data_files
from tests.tui.imports import ProgressSeen, type_path
from tests.tui.screen import press_to, screen_text, settle
from tui.screens.confirm import ConfirmScreen
from tui.screens.import_scores import ImportChoiceScreen, ImportScoresScreen
from tui.screens.today import TodayScreen

SIZE = (120, 40)


async def open_scores(pilot, app) -> ImportScoresScreen:  # noqa: ANN001
    await settle(pilot)
    await press_to(pilot, ImportChoiceScreen, "i")
    await press_to(pilot, ImportScoresScreen, "s")
    return app.screen


async def preview(pilot, app, path: Path, measure: str = "") -> None:  # noqa: ANN001
    app.screen.query_one("#is-measure", Input).value = measure
    await type_path(pilot, app, path)


async def test_preview_then_import_a_wide_file(open_app, demo_dir: Path, tmp_path: Path) -> None:  # noqa: ANN001
    app = open_app()
    a, b = sorted(app.store.students(), key=lambda s: s.name)[:2]
    wide = tmp_path / "wide.csv"
    wide.write_text(
        f'Student,9/1/2026,9/2/2026\n"{a.family_name}, {a.given_name}",3,4\n'
        f"{b.name.upper()},,5\nNobody Atall,1,2\n",
        encoding="utf-8",
    )
    async with app.run_test(size=SIZE) as pilot:
        await open_scores(pilot, app)
        before = data_files(demo_dir)
        await preview(pilot, app, wide, "DBR")
        text = screen_text(app)
        assert "1 problem in wide.csv: nothing will be written" in text
        assert "wide.csv line 4: no student matches 'Nobody Atall'" in text
        assert app.screen.query_one("#im-apply", Button).disabled
        await pilot.press("ctrl+s")  # refused
        await settle(pilot)
        assert isinstance(app.screen, ImportScoresScreen)
        assert data_files(demo_dir) == before
        # fixed: the preview, then Import
        wide.write_text(wide.read_text().replace("Nobody Atall,1,2\n", ""), encoding="utf-8")
        await pilot.press("f5")
        await settle(pilot)
        text = screen_text(app)
        assert "3 new, 0 unchanged, 0 conflicts, 0 problems" in text
        assert f"{a.name}: DBR 3.0 on 2026-09-01" in text
        assert "Ready to import: 3 scores." in text
        assert data_files(demo_dir) == before  # the preview alone writes nothing
        assert app.screen.query_one("#im-apply", Button).has_focus
        await pilot.press("enter")  # the Import button
        await settle(pilot)
        assert isinstance(app.screen, TodayScreen)
        assert app.store.score_on(b.id, "DBR", date(2026, 9, 2)).value == 5
        # the same file again: nothing to change
        await open_scores(pilot, app)
        await preview(pilot, app, wide, "DBR")
        assert "Nothing to change" in screen_text(app)
        assert app.screen.query_one("#im-apply", Button).disabled


async def test_conflicts_are_listed_and_need_a_yes(
    open_app, demo_dir: Path, tmp_path: Path
) -> None:  # noqa: ANN001
    app = open_app()
    score = next(iter(app.store.iter_scores()))
    student = app.store.student(score.student_id)
    m = app.store.measure(score.measure)
    other = m.max if score.value != m.max else m.min
    f = tmp_path / "long.csv"
    f.write_text(
        f"sis_id,measure,date,score\n{student.sis_id},{m.code},{score.date.isoformat()},"
        f"{m.format(other)}\n",
        encoding="utf-8",
    )
    async with app.run_test(size=SIZE) as pilot:
        await open_scores(pilot, app)
        await preview(pilot, app, f)
        text = screen_text(app)
        assert "0 new, 0 unchanged, 1 conflict, 0 problems" in text
        saved = (
            f"{student.name}: {m.code} on {score.date.isoformat()}: saved {m.format(score.value)}"
        )
        assert saved in text and f"file {m.format(other)}" in text  # both values
        before = data_files(demo_dir)
        await press_to(pilot, ConfirmScreen, "ctrl+s")
        await pilot.press("n")  # keep the saved score
        await settle(pilot)
        assert isinstance(app.screen, ImportScoresScreen)
        assert data_files(demo_dir) == before
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, TodayScreen)
        saved = app.store.score_on(student.id, m.code, score.date)
        assert saved is not None and saved.value == other


async def test_a_large_file_shows_progress(open_app, tmp_path: Path) -> None:  # noqa: ANN001
    app = open_app()
    students = app.store.students()
    rows = [
        f"{s.sis_id},CICO,2025-{month:02d}-{day:02d},{(day * 7) % 100}"
        for s in students
        for month in (9, 10, 11, 12)
        for day in range(1, 29)
    ]
    big = tmp_path / "big.csv"
    big.write_text("sis_id,measure,date,score\n" + "\n".join(rows) + "\n", encoding="utf-8")
    progress = ProgressSeen(app)
    async with app.run_test(size=SIZE, message_hook=progress) as pilot:
        await open_scores(pilot, app)
        await preview(pilot, app, big)
        assert f"{len(rows)} new" in screen_text(app)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, TodayScreen)
    seen = progress.seen
    assert seen and seen[-1] == (len(rows), len(rows)) and all(progress.shown)
    assert len(seen) < 400  # throttled
    assert len(list(app.store.iter_scores(until=date(2026, 6, 30)))) >= len(rows)


async def test_the_choice_opens_the_roster_import_too(open_app) -> None:  # noqa: ANN001
    from tui.screens.import_roster import ImportRosterScreen

    app = open_app()
    async with app.run_test(size=SIZE) as pilot:
        today = await settle(pilot)
        await pilot.press("i")
        await pilot.pause()
        assert "What do you want to import?" in screen_text(app)
        await press_to(pilot, ImportRosterScreen, "r")
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is today
        await pilot.press("i")
        await pilot.pause()
        await pilot.press("escape")  # import nothing
        await pilot.pause()
        assert app.screen is today
