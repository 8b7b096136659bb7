"""Roster import from the app: welcome → path → preview → import → Today (Pilot tests)."""

from __future__ import annotations

import shutil
from pathlib import Path

from textual.widgets import Button, Select

from store.db import Store
from store.model import Group
from store.schedule import UNSCHEDULED_RRULE
from tests.conftest import SAMPLES, data_files
from tests.tui.first_start import first_start
from tests.tui.imports import ProgressSeen, type_path
from tests.tui.screen import screen_text, settle
from tui.screens.import_roster import NEW_GROUP, ImportRosterScreen
from tui.screens.today import TodayScreen
from tui.screens.welcome import WelcomeScreen

SIZE = (120, 40)


async def test_import_from_the_welcome_screen(empty_app) -> None:  # noqa: ANN001
    app, folder, clock = empty_app
    async with first_start(empty_app, SIZE, "i") as pilot:
        assert isinstance(app.screen, ImportRosterScreen)
        await type_path(pilot, app, SAMPLES / "roster.csv")
        text = screen_text(app)
        assert "6 new, 0 updated, 0 unchanged students; 2 new groups" in text
        assert "Mateo García (grade 3, SIS 100235)" in text
        assert "Reading Group A (4 students)" in text
        assert "Ready to import" in text
        # the preview alone writes nothing
        with Store.open(folder, readonly=True, clock=clock) as peek:
            assert peek.is_empty()
        assert app.screen.query_one("#im-apply", Button).has_focus
        await pilot.press("enter")  # the Import button
        await settle(pilot)
        assert isinstance(app.screen, TodayScreen)
    app.store.close()
    with Store.open(folder, clock=clock) as again:
        names = sorted(s.name for s in again.students())
        assert names == [
            "Ava Jones",
            "Ethan Kowalski",
            "Lily Nguyen",
            "Mateo García",
            "Noah Okafor",
            "Zoe O'Brien, Jr.",
        ]
        groups = {g.name: len(g.members_on(clock().date())) for g in again.groups()}
        assert groups == {"Reading Group A": 4, "Math Facts 4": 2}


async def test_a_broken_csv_lists_the_problem_and_writes_nothing(empty_app, tmp_path: Path) -> None:  # noqa: ANN001
    app, folder, _clock = empty_app
    broken = tmp_path / "broken.csv"
    broken.write_text("student_id,given_name,grade\n1,Ann,3\n", encoding="utf-8")
    async with first_start(empty_app, SIZE, "i") as pilot:
        before = data_files(folder)  # the school year is saved; the import writes nothing
        await type_path(pilot, app, broken)
        text = screen_text(app)
        assert "1 problem in broken.csv: nothing will be written" in text
        assert "broken.csv line 1: missing required column family_name" in text
        assert app.screen.query_one("#im-apply", Button).disabled
        await pilot.press("ctrl+s")  # refused: the plan has problems
        await settle(pilot)
        assert isinstance(app.screen, ImportRosterScreen)
        # a path that does not exist is an inline error under the field
        await type_path(pilot, app, tmp_path / "nope.csv")
        assert "nope.csv does not exist" in screen_text(app)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, WelcomeScreen)
    assert data_files(folder) == before


async def test_importing_the_same_file_again_changes_nothing(
    open_app, demo_dir: Path, tmp_path: Path
) -> None:  # noqa: ANN001
    roster = tmp_path / "roster.csv"
    shutil.copy(SAMPLES / "roster.csv", roster)
    app = open_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await app.push_screen(ImportRosterScreen(roster))
        await settle(pilot)
        assert "6 new" in screen_text(app)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, TodayScreen)
        before = data_files(demo_dir)
        await app.push_screen(ImportRosterScreen(roster))
        await settle(pilot)
        text = screen_text(app)
        assert "0 new, 0 updated, 6 unchanged students" in text
        assert "Nothing to change: your data already matches this roster." in text
        assert app.screen.query_one("#im-apply", Button).disabled
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ImportRosterScreen)
        assert data_files(demo_dir) == before


async def test_a_oneroster_folder_with_groups(empty_app) -> None:  # noqa: ANN001
    app, folder, clock = empty_app
    async with first_start(empty_app, (120, 60), "i") as pilot:
        await pilot.click("#im-groups")
        await type_path(pilot, app, SAMPLES / "oneroster")
        text = screen_text(app)
        assert "oneroster (OneRoster folder)" in text
        assert "8 new, 0 updated, 0 unchanged students; 2 new groups" in text
        assert "Sara Ahmed (grade K, SIS 100304)" in text
        assert "Riley Lee (grade 1, SIS u-s-009)" in text  # no identifier: the sourcedId
        assert "Math Facts, Grade 4 (2 students)" in text
        assert "users.csv line 13: Theo Brown: grade 'PK' is not K–12" in text  # skipped
        assert "Jordan Smith" not in text  # enabledUser false
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, TodayScreen)
    app.store.close()
    with Store.open(folder, clock=clock) as again:
        names = {s.name for s in again.students()}
        assert len(names) == 8 and "Riley Lee" in names and "Jordan Smith" not in names
        day = clock().date()
        groups = {g.name: len(g.members_on(day)) for g in again.groups()}
        assert groups["Math Facts, Grade 4"] == 2


async def test_a_large_file_shows_progress_while_it_is_written(empty_app, tmp_path: Path) -> None:  # noqa: ANN001
    app, folder, clock = empty_app
    big = tmp_path / "big.csv"
    rows = [f"{500000 + i},Student{i},Family{i},{i % 5 + 1},Group {i % 7}" for i in range(600)]
    big.write_text("student_id,given_name,family_name,grade,group\n" + "\n".join(rows) + "\n")
    progress = ProgressSeen(app)
    async with first_start(empty_app, SIZE, "i", message_hook=progress) as pilot:
        await type_path(pilot, app, big)
        assert "600 new" in screen_text(app)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, TodayScreen)
    total = 600 + 7 + 600  # students, groups, memberships
    seen = progress.seen
    assert seen[0] == (0, total) and seen[-1] == (total, total)
    assert 10 < len(seen) <= 102  # throttled, not one message per write
    assert all(progress.shown)  # the progress bar is on screen while the import is written
    app.store.close()
    with Store.open(folder, clock=clock) as again:
        assert len(again.students()) == 600


async def test_a_oneroster_class_mapped_to_an_existing_group(empty_app) -> None:  # noqa: ANN001
    """Issue 19: a class that would become a new group can go into a current group instead."""
    app, folder, clock = empty_app
    existing = app.store.add_group(
        Group("", "Tuesday Readers", rrule=UNSCHEDULED_RRULE, memberships=[])
    )
    async with app.run_test(size=(120, 60)) as pilot:
        await pilot.pause()
        await app.push_screen(ImportRosterScreen())
        await settle(pilot)
        await pilot.click("#im-groups")
        await type_path(pilot, app, SAMPLES / "oneroster")
        text = screen_text(app)
        assert "2 new groups" in text
        assert "homeroom class 'Homeroom 2B' is not made a group" in text  # still skipped
        screen = app.screen
        assert isinstance(screen, ImportRosterScreen)
        assert screen.map_classes == ("Reading Intervention Gr 3", "Math Facts, Grade 4")
        select = screen.query_one("#im-map-0", Select)
        assert select.value == NEW_GROUP
        select.focus()
        await pilot.pause()
        await pilot.press("enter", "down", "enter")  # Reading Intervention Gr 3 → Tuesday Readers
        assert select.value == existing.id
        await settle(pilot)
        text = screen_text(app)
        assert "1 new group;" in text
        assert "Reading Intervention Gr 3 (" not in text  # no longer a new group
        assert "→ Tuesday Readers" in text
        assert screen.plan is not None and screen.plan_key == screen._key()
        assert select.has_focus, app.focused  # the keyboard stays on the mapping
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, TodayScreen)
    app.store.close()
    with Store.open(folder, clock=clock) as again:
        day = clock().date()
        groups = {g.name: g for g in again.groups()}
        assert set(groups) == {"Tuesday Readers", "Math Facts, Grade 4"}
        readers = {again.student(i).sis_id for i in groups["Tuesday Readers"].members_on(day)}
        reading_class = {"100234", "100235", "100236"}
        assert readers == reading_class


async def test_no_mapping_is_offered_without_a_current_group(empty_app) -> None:  # noqa: ANN001
    app = empty_app[0]
    async with first_start(empty_app, (120, 60), "i") as pilot:
        await pilot.click("#im-groups")
        await type_path(pilot, app, SAMPLES / "oneroster")
        assert "2 new groups" in screen_text(app)
        assert not app.screen.query(".im-map")
