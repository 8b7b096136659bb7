"""Today's caseload rows, computed the fast way (session windows, kept rows between starts:
``tui.views.attention_cache``), are the rows of ``caseload_summary`` over every record of a
realistic folder; a change to what a student's rows are computed from computes that student
again, and only what it can change (issue 16)."""

from __future__ import annotations

import os
import pickle
import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from textual.widgets import OptionList

from bench.scale_data import NOW, build
from store.caseload import CaseloadRow, caseload_summary
from store.config import DecisionConfig
from store.db import Store
from store.model import Attendance
from tests.conftest import FakeClock
from tui.config import AppConfig
from tui.views.attention import AttentionBook, history_start
from tui.views.attention_cache import CACHE_NAME

DAY = NOW.date()
CACHED = AppConfig(attention_cache=True)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """24 students × 5 school years (ended groups with their logs, goals, phase changes),
    plus a student with no goal in last year's and this year's groups (her dosage window
    reaches last year's log) and an archived student."""
    folder = tmp_path_factory.mktemp("attention") / "data"
    build(folder, 24)
    with Store.open(folder, clock=lambda: NOW) as store:
        groups = store.groups(include_inactive=True)
        old = next(g for g in groups if g.end_date is not None)
        new = next(g for g in groups if g.end_date is None)
        nogoal = store.add_student("Nora", "Nogoal", "3")
        store.add_member(old.id, nogoal.id, old.start_date)
        store.remove_member(old.id, nogoal.id, old.end_date)
        store.add_member(new.id, nogoal.id, DAY)
        store.record_score(nogoal.id, "ORF", 40, DAY - timedelta(days=1))
        gone = store.add_student("Otto", "Archived", "4")
        store.record_score(gone.id, "ORF", 50, DAY - timedelta(days=2))
        store.archive_student(gone.id)
    return folder


@pytest.fixture
def folder(built: Path, tmp_path: Path) -> Path:
    """A copy of the built folder this test may change."""
    dest = tmp_path / "data"
    shutil.copytree(built, dest)  # modes kept (copy2)
    (dest / CACHE_NAME).unlink(missing_ok=True)
    return dest


def _plain(store: Store) -> list[CaseloadRow]:
    """``caseload_summary`` over every record: every group (ended ones too) and every
    session of every year, each student's scores from the history start as the app reads."""
    goals = store.goals()
    since = history_start(store, goals)
    students = store.students()
    return caseload_summary(
        students,
        store.groups(include_inactive=True),
        store.measures(include_inactive=True),
        goals,
        [s for st in students for s in store.scores(st.id, since=since, until=DAY)],
        [p for st in students for p in store.phase_changes(st.id)],
        store.sessions(until=DAY),
        store.calendar(),
        DAY,
        DecisionConfig(),
    )


def _facts(rows: list[CaseloadRow]) -> list[tuple[object, ...]]:
    return [
        (
            r.student.id,
            r.measure.code,
            tuple(g.id for g in r.groups),
            r.goal,
            r.status,
            r.decision,
            r.dosage,
            r.probe_overdue,
            r.probe_due,
            r.urgency,
            r.progress.points,
        )
        for r in rows
    ]


def _attention(rows: list[CaseloadRow]) -> list[tuple[str, str, str]]:
    return [(r.student.id, r.measure.code, r.decision.kind) for r in rows if r.needs_attention]


def _book(store: Store, config: AppConfig = CACHED) -> AttentionBook:
    book = AttentionBook(DAY)
    book.fill(store, config)
    book.keep()
    return book


def _lines(book: AttentionBook) -> list[tuple[str, str, str]]:
    return [(ln.student.id, ln.measure.code, ln.extra["row"].decision.kind) for ln in book.lines]  # type: ignore[attr-defined]


def test_rows_the_fast_way_are_the_rows_over_every_record(folder: Path) -> None:
    with Store.open(folder, clock=lambda: NOW) as store:
        plain = _plain(store)
        assert len({r.student.id for r in plain}) == 25  # the archived student is not there
        assert any(r.dosage and r.dosage.sessions_extra for r in plain)  # last year's log
        assert _attention(plain)
        uncached = _book(store, AppConfig())
        cold = _book(store)
        assert uncached.computed == cold.computed == 25
        for book in (uncached, cold):
            assert _facts(book.rows) == _facts(plain)
            assert _lines(book) == _attention(plain)
    assert (folder / CACHE_NAME).stat().st_mode & 0o777 == 0o600
    with Store.open(folder, clock=lambda: NOW) as store:  # the next start: nothing computed
        warm = _book(store)
        assert warm.computed == 0
        assert _facts(warm.rows) == _facts(_plain(store))
        assert _lines(warm) == _attention(plain)


def _reopened(folder: Path) -> tuple[AttentionBook, list[CaseloadRow]]:
    with Store.open(folder, clock=lambda: NOW) as store:
        return _book(store), _plain(store)


def test_a_save_computes_again_only_the_students_it_can_change(folder: Path) -> None:
    with Store.open(folder, clock=lambda: NOW) as store:
        _book(store)
        student = store.students()[3]
        code = next(g.measure for g in store.goals() if g.student_id == student.id)
        # three low scores in a row: that student's decision changes
        for days in (1, 2, 3):
            store.record_score(student.id, code, 1, DAY - timedelta(days=days), replace=True)
        group = next(g for g in store.groups() if student.id in g.members_on(DAY))
    book, plain = _reopened(folder)
    assert book.computed == 1
    assert _facts(book.rows) == _facts(plain)
    assert _lines(book) == _attention(plain)
    with Store.open(folder, clock=lambda: NOW) as store:  # a session log: its members
        store.mark_attendance(
            group.id, DAY - timedelta(days=8), Attendance(student.id, "absent", "refused")
        )
    book, plain = _reopened(folder)
    assert book.computed == len(group.members_on(DAY))
    assert _facts(book.rows) == _facts(plain)
    book, _ = _reopened(folder)
    assert book.computed == 0


def test_core_records_the_day_or_the_settings_compute_everyone(folder: Path) -> None:
    with Store.open(folder, clock=lambda: NOW) as store:
        _book(store)
        goal = store.goals()[0]
        store.set_goal(
            goal.student_id,
            goal.measure,
            baseline_value=goal.baseline_value,
            baseline_date=goal.baseline_date,
            goal_value=goal.goal_value + 20,
            goal_date=goal.goal_date,
        )
    book, plain = _reopened(folder)
    assert book.computed == 25
    assert _facts(book.rows) == _facts(plain)
    with Store.open(folder, clock=lambda: NOW) as store:
        assert _book(store).computed == 0
        stricter = AppConfig(attention_cache=True, decision=DecisionConfig(point_n=3))
        assert _book(store, stricter).computed == 25
        later = AttentionBook(DAY + timedelta(days=1))
        later.fill(store, CACHED)
        later.keep()
        assert later.computed == 25


def test_a_refresh_keeps_the_file_current(folder: Path) -> None:
    """After a save the app computes the saved-for student again (``refreshed``) and writes
    the kept rows: the next start computes nobody, and its rows are the plain ones."""
    with Store.open(folder, clock=lambda: NOW) as store:
        book = _book(store)
        student = store.students()[5]
        code = next(g.measure for g in store.goals() if g.student_id == student.id)
        store.record_score(student.id, code, 1, DAY, replace=True)
        book = book.refreshed(store, CACHED, {student.id})
        assert book.computed == 26
        book.keep()
    book, plain = _reopened(folder)
    assert book.computed == 0
    assert _facts(book.rows) == _facts(plain)


class _Boom:
    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.system, ("touch pwned",))


def test_a_foreign_or_open_cache_file_is_never_read(folder: Path) -> None:
    with Store.open(folder, clock=lambda: NOW) as store:
        _book(store)
    path = folder / CACHE_NAME
    path.chmod(0o644)  # others could have written it: not read
    book, _ = _reopened(folder)
    assert book.computed == 25
    assert path.stat().st_mode & 0o777 == 0o600  # written again, private
    path.write_bytes(pickle.dumps({"key": _Boom()}))
    book, plain = _reopened(folder)
    assert book.computed == 25  # refused: not a record class
    assert not (folder / "pwned").exists() and not Path("pwned").exists()
    assert _facts(book.rows) == _facts(plain)
    path.write_bytes(b"not a pickle")
    assert _reopened(folder)[0].computed == 25


async def test_the_app_started_again_shows_the_same_list_computing_nobody(
    demo_dir: Path, demo_clock: FakeClock
) -> None:
    """Two starts of the app as ``intervene`` starts it (``attention_cache``): the second
    fills Today's list from the kept rows; both show the list the plain computation gives."""
    from tests.tui.screen import settle
    from tests.tui.test_today import wait_for_attention
    from tui.app import InterventionApp
    from tui.screens.today import TodayScreen
    from tui.views.attention import attention_lines

    config = AppConfig(demo_dir=demo_dir.parent / "demo-built", attention_cache=True)
    shown: list[tuple[list[tuple[str, str, str]], list[str], int]] = []
    for _ in range(2):
        with Store.open(demo_dir, clock=demo_clock) as store:
            app = InterventionApp(store, demo_clock, config)
            async with app.run_test(size=(120, 36)) as pilot:
                today = app.screen
                assert isinstance(today, TodayScreen)
                await wait_for_attention(pilot, today)
                await settle(pilot)  # the unlogged line, and the rows kept (its worker)
                lines = [
                    (x.student.id, x.measure.code, x.extra["row"].decision.kind)  # type: ignore[attr-defined]
                    for x in today.attention
                ]
                options = today.query_one("#attention", OptionList)
                texts = [
                    str(options.get_option_at_index(i).prompt) for i in range(options.option_count)
                ]
                assert today.book is not None
                shown.append((lines, texts, today.book.computed))
            plain = attention_lines(store, today.day, AppConfig())
    (first, first_texts, computed), (again, again_texts, recomputed) = shown
    assert computed > 0 and recomputed == 0
    assert (
        first
        == again
        == [
            (x.student.id, x.measure.code, x.extra["row"].decision.kind)  # type: ignore[attr-defined]
            for x in plain
        ]
    )
    assert first_texts == again_texts and len(first_texts) == len(first) > 0


async def test_the_pane_adds_a_paneful_first_then_the_rest_in_order(
    demo_dir: Path, demo_clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Today's list goes into the pane a few lines at once and the rest after each paint
    (``FIRST_OPTIONS``, ``MORE_OPTIONS``): once loaded, every line is there, in order."""
    import tui.screens.today as today_module
    from tests.tui.screen import settle
    from tui.app import InterventionApp
    from tui.screens.today import TodayScreen
    from tui.widgets.measure_cells import attention_label

    monkeypatch.setattr(today_module, "FIRST_OPTIONS", 2)
    monkeypatch.setattr(today_module, "MORE_OPTIONS", 3)
    with Store.open(demo_dir, clock=demo_clock) as store:
        app = InterventionApp(store, demo_clock, AppConfig())
        async with app.run_test(size=(120, 36)) as pilot:
            today = await settle(pilot)
            assert isinstance(today, TodayScreen) and today.is_loaded()
            options = today.query_one("#attention", OptionList)
            assert len(today.attention) > 5  # more than one chunk
            assert [options.get_option_at_index(i).id for i in range(options.option_count)] == [
                str(i) for i in range(len(today.attention))
            ]
            prompts = [str(options.get_option_at_index(i).prompt) for i in range(5)]
            assert prompts == [str(attention_label(x.extra["row"])) for x in today.attention[:5]]


async def test_the_pane_paints_its_first_lines_before_the_rest_are_added(
    demo_dir: Path, demo_clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The lines after the first paneful are added once that paneful is drawn, a chunk per
    paint: each paint of the pane shows at most one more chunk than the one before (lines
    added with call_after_refresh were all measured before the pane's first paint)."""
    import tui.screens.today as today_module
    from tests.tui.screen import settle
    from tui.app import InterventionApp
    from tui.screens.today import AttentionList, TodayScreen

    monkeypatch.setattr(today_module, "FIRST_OPTIONS", 0)
    monkeypatch.setattr(today_module, "MORE_OPTIONS", 2)
    painted: list[tuple[int, int]] = []  # the pane's lines and height at each of its paints
    render_lines = AttentionList.render_lines

    def counting(self: AttentionList, crop):  # type: ignore[no-untyped-def]
        if not painted or painted[-1][0] != self.option_count:
            painted.append((self.option_count, self.size.height))
        return render_lines(self, crop)

    monkeypatch.setattr(AttentionList, "render_lines", counting)
    with Store.open(demo_dir, clock=demo_clock) as store:
        app = InterventionApp(store, demo_clock, AppConfig())
        async with app.run_test(size=(100, 24)) as pilot:
            today = await settle(pilot)
            assert isinstance(today, TodayScreen) and today.is_loaded()
            total = len(today.attention)
            lines = [(n, h) for n, h in painted if n > 1]  # past "Checking the caseload…"
            first, height = lines[0]
            assert first == height and total > height + 4  # the paneful alone, then chunks
            shown = [n for n, _ in lines]
            assert shown[-1] == total
            assert all(0 < b - a <= 2 for a, b in zip(shown, shown[1:], strict=False))


async def test_a_list_that_comes_while_today_is_covered_waits_for_its_return(
    demo_dir: Path, demo_clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After a save the new list may come while score entry covers Today: its first paneful
    is added, the rest only once Today is back (adding them meanwhile stalled the entries:
    150 lines are ~16 ms of measuring on the UI thread), then all of it."""
    import tui.screens.today as today_module
    from tests.tui.screen import push, settle
    from tui.app import InterventionApp
    from tui.screens.score_entry import ScoreEntryScreen
    from tui.screens.today import AttentionList, TodayScreen

    monkeypatch.setattr(today_module, "FIRST_OPTIONS", 0)
    monkeypatch.setattr(today_module, "MORE_OPTIONS", 2)
    monkeypatch.setattr(today_module, "PAINT_WAIT", 0.02)
    with Store.open(demo_dir, clock=demo_clock) as store:
        app = InterventionApp(store, demo_clock, AppConfig())
        async with app.run_test(size=(100, 24)) as pilot:
            today = await settle(pilot)
            assert isinstance(today, TodayScreen)
            pane, options = today.shown_pane, today.query_one("#attention", AttentionList)
            total = options.option_count
            assert pane is not None and total > options.size.height + 2
            cover = await push(pilot, ScoreEntryScreen(today.rows[0].group, today.day))
            await settle(pilot, cover)
            assert app.screen is cover
            today.shown_pane = None  # a list that differs from the one shown (a save's)
            today.show_pane(pane)
            await pilot.pause(0.3)  # many PAINT_WAITs
            assert options.option_count == options.size.height and today.attention_adding
            cover.dismiss()
            await settle(pilot, today)
            assert app.screen is today and options.option_count == total
            assert not today.attention_adding
