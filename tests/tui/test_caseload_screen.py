"""Caseload review (Pilot): urgency order, `/` filter, Enter opens the student, and no Store
access while filtering (the rows are computed once, in a worker)."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

from textual.widgets import DataTable

from store.caseload import attention_summary
from store.db import Store
from store.vocabulary import words
from tests.tui.screen import pause_until, press_to, screen_text, started
from tui.app import InterventionApp
from tui.screens.caseload import CaseloadFilter, CaseloadScreen
from tui.screens.student import StudentScreen
from tui.tones import tone_mark

DAY = date(2026, 11, 25)


class CountingStore:
    """Wraps a Store and counts every method call (thread-safe enough for counting)."""

    def __init__(self, inner: Store) -> None:
        self._inner = inner
        self.calls: Counter[str] = Counter()

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._inner, name)
        if not callable(attr):
            return attr

        def counted(*args: Any, **kwargs: Any) -> Any:
            self.calls[name] += 1
            return attr(*args, **kwargs)

        return counted


async def open_caseload(app: InterventionApp, pilot) -> CaseloadScreen:  # noqa: ANN001
    await pilot.pause()
    screen = CaseloadScreen(DAY)
    app.push_screen(screen)
    await pilot.pause()
    assert "Loading the caseload…" in screen_text(app) or screen.entries is not None
    await pause_until(pilot, lambda _app: screen.entries is not None, tries=300)
    await pilot.pause()
    assert screen.entries is not None, "the caseload never loaded"
    return screen


async def test_rows_are_sorted_by_urgency(open_app) -> None:
    app = open_app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_caseload(app, pilot)
        urgencies = [e.row.urgency for e in screen.shown]
        assert urgencies == sorted(urgencies)
        assert screen.shown[0].row.decision.kind == "change"
        assert {e.row.student.id for e in screen.shown} >= {"st-demo17"}
        # every active student with each monitored measure is there
        assert len({e.row.student.id for e in screen.shown}) == len(app.store.students())
        text = screen_text(app)
        # the decision's mark and short words (store.vocabulary via tui.tones), and the counts
        assert f"{tone_mark('bad')} {words('change').short}" in text
        assert attention_summary(e.row for e in screen.entries) in text


async def test_slash_filters_as_you_type_and_enter_opens_the_student(open_app) -> None:
    app = open_app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_caseload(app, pilot)
        total = len(screen.shown)
        await pilot.press("slash")
        await pilot.press(*"tier:3")
        await pilot.pause()
        assert 0 < len(screen.shown) < total
        assert all("3" in e.tiers for e in screen.shown)
        await pilot.press(*" status:change")
        await pilot.pause()
        assert screen.shown and all(e.row.decision.kind == "change" for e in screen.shown)
        assert all("3" in e.tiers for e in screen.shown)
        # free text: one student's name
        target = screen.shown[-1].row
        box = screen.query_one("#cl-filter")
        box.value = target.student.given_name  # type: ignore[attr-defined]
        await pilot.pause()
        assert {e.row.student.id for e in screen.shown} == {target.student.id}
        await pilot.press(*f" measure:{target.measure.code}")
        await pilot.pause()
        assert len(screen.shown) == 1
        student = await press_to(
            pilot, StudentScreen, "enter"
        )  # Enter in the filter opens the first match (issue 19)
        assert (student.student_id, student.measure) == (target.student.id, target.measure.code)
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen
        assert isinstance(screen.focused, DataTable)  # back on the table, filter kept
        assert len(screen.shown) == 1


async def test_filtering_never_touches_the_store(open_app) -> None:
    async with started(open_app, (120, 36)) as (app, pilot):
        await app.workers.wait_for_complete()  # Today's own caseload check is not counted
        counting = CountingStore(app.store)
        app.store = counting  # type: ignore[assignment]
        screen = await open_caseload(app, pilot)
        students = len(counting._inner.students())
        # computed once: one read of each student's scores, not one per row or per keystroke
        assert counting.calls["scores"] <= students
        assert counting.calls["students"] == 1
        counting.calls.clear()
        await pilot.press("slash", *"group:fluency status:below", "backspace", "backspace")
        await pilot.pause()
        await pilot.press("escape", "escape")  # clear the filter, back to the table
        await pilot.pause()
        counting.calls.pop("backup_if_due", None)  # the app's daily backup timer, not the screen
        assert counting.calls == Counter()
        assert len(screen.shown) == len(screen.entries or [])
        app.store = counting._inner  # type: ignore[assignment]


def test_filter_tokens() -> None:
    f = CaseloadFilter.parse('ava tier:3 group:"Fluency 3" measure:ORF status:below')
    assert f.words == ("ava",)
    assert f.fields == (
        ("tier", "3"),
        ("group", "fluency 3"),
        ("measure", "orf"),
        ("status", "below"),
    )
    assert CaseloadFilter.parse('group:"unclosed').fields == (("group", "unclosed"),)


async def test_group_and_measure_filters_keep_exactly_the_matching_rows(open_app) -> None:
    app = open_app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_caseload(app, pilot)
        entries = list(screen.entries or [])
        table = screen.query_one("#cl-table", DataTable)
        assert len(screen.shown) == len(entries) == table.row_count
        group = app.store.group("demo-comprehension-45")
        members = {m.student_id for m in group.memberships if m.active_on(DAY)}
        # group:comprehension (Comprehension 4–5): that group's members' rows, nothing else
        expected = [e for e in entries if any(g.id == group.id for g in e.row.groups)]
        assert 0 < len(expected) < len(entries)
        assert {e.row.student.id for e in expected} == members
        await pilot.press("slash", *"group:comprehension")
        await pilot.pause()
        assert screen.shown == expected
        assert table.row_count == len(expected)
        assert all(group.name in e.row.group_names for e in screen.shown)
        text = screen_text(app)
        assert f"showing {len(expected)}" in text
        others = {e.row.student.name for e in entries} - {e.row.student.name for e in expected}
        assert not any(name in text for name in others)
        # and measure:Maze on top of it: that group's Maze rows only
        await pilot.press(*" measure:maze")
        await pilot.pause()
        both = [e for e in expected if e.row.measure.code == "Maze"]
        assert 0 < len(both) < len(expected)
        assert screen.shown == both and table.row_count == len(both)
        # measure alone: every student scored on Maze, whatever their group
        box = screen.query_one("#cl-filter")
        box.value = "measure:Maze"  # type: ignore[attr-defined]
        await pilot.pause()
        maze = [e for e in entries if e.row.measure.code == "Maze"]
        assert screen.shown == maze and table.row_count == len(maze)
        assert all(e.row.measure.code == "Maze" for e in screen.shown)
        scored = {st.id for st in app.store.students() if app.store.scores(st.id, "Maze")}
        assert {e.row.student.id for e in screen.shown} == scored
        assert f"showing {len(maze)}" in screen_text(app)
