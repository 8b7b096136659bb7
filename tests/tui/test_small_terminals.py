"""Small terminals (issue 13, item 10): at 80×24 Today shows the selected group's students
first (all five of Fluency 3) and the attention list shrinks; at 60 columns score entry
still shows the typed value and the saved / refused status."""

from __future__ import annotations

from tests.tui.screen import press_to, screen_lines, screen_text, settle
from tui.screens.score_entry import ScoreEntryScreen
from tui.screens.today import TodayScreen

FLUENCY_3 = ["Mateo Ahmed", "Kai Davis", "Zoe Kim", "Jayden Thompson", "Camila Washington"]


async def test_today_at_80x24_shows_every_student_of_the_selected_group(open_app) -> None:
    app = open_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, TodayScreen)
        assert screen.shown_group == "demo-fluency-3"
        lines = screen_lines(app)
        assert len(lines) == 24
        text = "\n".join(lines)
        for name in FLUENCY_3:
            assert name in text, name
        # the attention list is still there, just shorter, and the footer too
        titles = [i for i, line in enumerate(lines) if line.lstrip().startswith("Needs attention")]
        assert titles, text
        assert "change the intervention" in "\n".join(lines[titles[0] :])
        assert "Scores" in lines[-1]
        # every student is in the students pane, above the attention list
        for name in FLUENCY_3:
            assert any(line.lstrip().startswith(name) for line in lines[: titles[0]]), name


async def test_today_at_120x40_gives_the_attention_list_the_room_left(open_app) -> None:
    app = open_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        lines = screen_lines(app)
        title = next(i for i, line in enumerate(lines) if "Needs attention" in line)
        attention = [line for line in lines[title + 1 : -1] if line.strip()]
        assert len(attention) >= 10  # not a fixed 7 rows


async def test_score_entry_at_60_columns_shows_the_typed_value_and_the_status(open_app) -> None:
    app = open_app()
    async with app.run_test(size=(60, 24)) as pilot:
        await settle(pilot)
        screen = await press_to(pilot, ScoreEntryScreen, "enter")
        assert "Status" in screen_text(app)
        await pilot.press("6", "2", "enter")
        for _ in range(50):
            await pilot.pause(0.02)
            if screen.rows[0].state == "saved":
                break
        await pilot.pause()
        first = next(line for line in screen_lines(app) if "Mateo Ahmed" in line)
        assert "62" in first and "saved ✓" in first
        await pilot.press("4", "1", "2")
        await pilot.pause()
        assert any("412" in line for line in screen_lines(app)[-5:])  # in the entry field
        await pilot.press("enter")
        await pilot.pause()
        second = next(line for line in screen_lines(app) if "Kai Davis" in line)
        assert "412" in second and "ORF score 412" in second  # refused, in its row
