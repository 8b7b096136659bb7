"""Today's needs-attention list is computed again only after a save, and then only for the
students the save touched (issue 16): a save that changes a decision changes the list; going
back and forth without saving computes nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from typing import Any

import pytest
from textual.widgets import DataTable, Input, OptionList

import tui.views.attention as attention
from store.caseload import caseload_summary
from tests.tui.screen import in_chunks, row_keys
from tests.tui.test_today import wait_for_attention
from tui.app import InterventionApp
from tui.screens.caseload import CaseloadScreen
from tui.screens.student import StudentScreen
from tui.screens.today import TodayScreen
from tui.views.attention import attention_lines, caseload_rows


def _spy(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """Each caseload computation's student ids, as the attention list asks for them."""
    calls: list[list[str]] = []

    def counted(students: Iterable[Any], *args: Any, **kwargs: Any) -> Any:
        students = list(students)
        calls.append([s.id for s in students])
        return caseload_summary(students, *args, **kwargs)

    monkeypatch.setattr(attention, "caseload_summary", counted)
    return calls


@asynccontextmanager
async def _today(
    open_app: Callable[..., InterventionApp], monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[tuple[Any, InterventionApp, TodayScreen, list[list[str]]]]:
    """The demo app on Today with its attention list loaded, the computations spied on:
    (pilot, app, Today, each computation's student ids)."""
    calls = _spy(monkeypatch)
    app = open_app()
    async with app.run_test(size=(120, 36)) as pilot:
        today = app.screen
        assert isinstance(today, TodayScreen)
        await wait_for_attention(pilot, today)
        await today.loaded()
        yield pilot, app, today, calls


def _shown(screen: TodayScreen) -> list[tuple[str, str, str]]:
    return [(x.student.id, x.measure.code, x.extra["row"].decision.kind) for x in screen.attention]


async def _open_and_leave(pilot: Any, app: InterventionApp, today: TodayScreen, i: int) -> None:
    line = today.attention[i]
    today.open_student(line.student.id, line.measure.code)
    await pilot.pause()
    assert isinstance(app.screen, StudentScreen)
    await app.screen.loaded()


async def test_attention_is_recomputed_only_for_the_student_a_save_touched(
    open_app, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with _today(open_app, monkeypatch) as (pilot, app, today, calls):
        everyone = len(app.store.students())
        assert [len(c) for c in calls] == [everyone]  # the first fill: every student once
        before = _shown(today)

        # a decision to make with no probe overdue: a phase change today ends it
        target = next(
            i
            for i, x in enumerate(today.attention)
            if x.extra["row"].needs_decision and not x.extra["row"].probe_overdue
        )
        sid, code, kind = before[target]

        # open the student and go back without saving: nothing is computed again
        await _open_and_leave(pilot, app, today, target)
        await pilot.press("escape")
        await today.loaded()
        assert app.screen is today
        today.action_go_today()  # the day read again: still nothing to compute
        await today.loaded()
        assert len(calls) == 1
        assert _shown(today) == before

        # a save that changes the decision: only that student is computed again
        await _open_and_leave(pilot, app, today, target)
        student_screen = app.screen
        assert isinstance(student_screen, StudentScreen)
        app.store.add_phase_change(sid, code, app.clock().date(), "New program")
        student_screen.saved("phase change added")
        await pilot.press("escape")
        await today.loaded()
        assert app.screen is today
        assert calls[1:] == [[sid]]
        after = _shown(today)
        assert (sid, code, kind) not in after  # a new phase has no points yet: no decision
        assert [x for x in before if x[0] != sid] == [x for x in after if x[0] != sid]
        # the same list the whole caseload gives
        fresh = attention_lines(app.store, today.day, app.config)
        assert after == [
            (x.student.id, x.measure.code, x.extra["row"].decision.kind) for x in fresh
        ]
        shown = today.query_one("#attention", OptionList)
        assert shown.option_count == len(after)  # the pane shows the new list


async def test_the_caseload_review_opens_on_todays_rows(
    open_app, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with _today(open_app, monkeypatch) as (pilot, app, today, calls):
        assert len(calls) == 1
        today.action_caseload()
        await pilot.pause()
        review = app.screen
        assert isinstance(review, CaseloadScreen)
        await review.loaded()
        assert len(calls) == 1  # no second caseload computation
        expected = caseload_rows(app.store, today.day, app.config)
        assert review.entries is not None
        assert [
            (e.row.student.id, e.row.measure.code, e.row.decision.kind) for e in review.entries
        ] == [(r.student.id, r.measure.code, r.decision.kind) for r in expected]
        assert len(calls) == 2  # (the expected rows above)
        await pilot.press("escape")
        await today.loaded()
        assert app.screen is today
        assert len(calls) == 2  # back without a save: nothing computed again
        review_again = CaseloadScreen(today.day)
        await app.push_screen(review_again)
        await review_again.loaded()
        review_again.action_reload()  # r computes the caseload again
        await review_again.loaded()
        assert len(calls) == 4


async def test_the_caseload_review_adds_a_long_list_in_chunks(
    open_app, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tui.screens.caseload as caseload_screen

    async with in_chunks(
        open_app, (120, 36), monkeypatch, caseload_screen, (5, 7),
        lambda app: CaseloadScreen(app.clock().date()),
    ) as (app, pilot, review):  # fmt: skip
        table = review.query_one("#cl-table", DataTable)
        assert review.entries is not None and len(review.entries) > 12
        assert table.row_count == len(review.shown) == len(review.entries)
        assert row_keys(table) == [str(i) for i in range(len(review.shown))]  # once, in order
        # a filter typed while rows are being added: only its rows end up in the table
        review.query_one("#cl-filter", Input).value = ""
        review.apply_filter()
        assert review.adding and table.row_count == 5
        review.query_one("#cl-filter", Input).value = "tier:3"
        await pilot.pause()
        await review.loaded()
        assert 0 < len(review.shown) < len(review.entries)
        assert table.row_count == len(review.shown)
        assert all("3" in e.tiers for e in review.shown)
