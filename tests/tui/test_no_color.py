"""NO_COLOR and monochrome terminals (issue 19): every status reads by text or shape.

The snapshot is the caseload review under ``NO_COLOR`` (Textual's monochrome filter): each
decision carries its mark (! ? ^ ✓ -) and words. Update after an intended change of looks:
`.venv/bin/pytest tests/tui/test_no_color.py --snapshot-update`, then look at the SVG.
"""

from __future__ import annotations

from datetime import date

from textual.app import App, ComposeResult

from tests.tui.screen import screen_text
from tui.screens.caseload import CaseloadScreen
from tui.tones import TONE_MARK
from tui.widgets.marked import Checkbox, SelectionList

SIZE = (120, 36)
DAY = date(2026, 11, 25)


def test_caseload_review_without_colour(snap_compare, open_app, monkeypatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = open_app()
    assert app.no_color

    async def open_caseload(pilot) -> None:  # noqa: ANN001
        await pilot.pause()
        screen = CaseloadScreen(DAY)
        app.push_screen(screen)
        await screen.loaded()
        await pilot.pause()
        text = screen_text(app)
        for mark, words in (("!", "change"), ("?", "low dosage"), ("✓", "continue")):
            assert f"{mark} {words}" in text, (mark, words)

    assert snap_compare(app, terminal_size=SIZE, run_before=open_caseload)


def test_every_tone_has_its_own_mark() -> None:
    assert len(set(TONE_MARK.values())) == len(TONE_MARK)


class _Boxes(App[None]):
    def compose(self) -> ComposeResult:
        yield Checkbox("ticked", True, id="on")
        yield Checkbox("not ticked", False, id="off")
        yield SelectionList[str](("Ana", "a", True), ("Ben", "b", False), id="who")


async def test_check_boxes_show_their_state_without_colour(monkeypatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = _Boxes()
    async with app.run_test(size=(40, 10)) as pilot:
        await pilot.pause()
        text = screen_text(app)
        assert "▐X▌ ticked" in text
        assert "▐ ▌ not ticked" in text
        assert "▐X▌ Ana" in text and "▐ ▌ Ben" in text
        app.query_one("#off", Checkbox).value = True
        await pilot.pause()
        assert "▐X▌ not ticked" in screen_text(app)


def test_sparkline_aim_marks_differ_without_colour(monkeypatch) -> None:
    """Under NO_COLOR a week at the aim line is bold, one below it faint: no colour needed."""
    from tests.tui.test_sparkline import END, GAP, styles, week
    from tui.widgets.sparkline import progress_sparkline

    points = [(week(3), 50.0), (week(2), 60.0), (week(0), 70.0)]
    monkeypatch.setenv("NO_COLOR", "1")
    text = progress_sparkline(points, end=END, weeks=4, hi=100, aim=lambda d: 60.0)
    assert text.plain[2] == GAP
    assert styles(text) == ["dim", "bold", "dim", "bold"]
    assert not any(c in s for s in styles(text) for c in ("green", "yellow", "red"))
