"""Today's attention pane filled by a child forked at start-up (``tui.views.attention_prefill``,
issue 16): it shows what the app itself computes, the app keeps its writer lock and the child
never holds it, and anything wrong in the child leaves the app to compute the list itself."""

from __future__ import annotations

import contextlib
import os
import threading
import time
from pathlib import Path
from typing import Any, NamedTuple

import pytest
from textual.message import Message
from textual.widgets import OptionList

from store.db import Store
from store.errors import StoreLockedError
from tests.conftest import FakeClock
from tests.tui.screen import settle
from tui.app import InterventionApp
from tui.config import AppConfig
from tui.screens.student import StudentScreen
from tui.screens.today import AttentionList, TodayScreen
from tui.views import attention_prefill
from tui.views.attention import AttentionBook
from tui.views.attention_cache import CACHE_NAME
from tui.views.attention_prefill import Pane, pane_of

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="the prefill forks (POSIX)")
CACHED = AppConfig(attention_cache=True)


@pytest.fixture(autouse=True)
def one_thread() -> None:
    """The child is forked only from a process with one thread (as ``intervene`` is then):
    an earlier test's event loop executor threads are let finish first."""
    for thread in threading.enumerate():
        if thread is not threading.main_thread():
            thread.join(timeout=5)
    assert threading.active_count() == 1, [t.name for t in threading.enumerate()]


def in_process(folder: Path, clock: FakeClock) -> Pane:
    """The pane this process computes itself, with no kept rows."""
    with Store.open(folder, clock=clock, readonly=True) as store:
        book = AttentionBook(clock().date())
        book.fill(store, AppConfig())
        return pane_of(store, book)


def test_the_child_sends_the_pane_the_app_computes_and_keeps_the_rows(
    demo_dir: Path, demo_clock: FakeClock
) -> None:
    expected = in_process(demo_dir, demo_clock)
    assert expected.lines, "the demo has lines that need attention"
    with Store.open(demo_dir, clock=demo_clock) as store:
        prefill = attention_prefill.start(store, demo_clock, CACHED, demo_clock().date())
        assert prefill is not None
        assert prefill.pane() == expected
        prefill.finish()
        assert (demo_dir / CACHE_NAME).is_file()
        book = AttentionBook(demo_clock().date())  # the rows the child kept are current
        book.fill(store, CACHED)
        assert book.computed == 0
        assert pane_of(store, book) == expected


HELD_CHILD = """
import os, signal, sys, time
from datetime import datetime
from store.db import Store
from tui.config import AppConfig
from tui.views import attention_prefill
def held(*args):  # the child waits (sends nothing) until it is stopped
    signal.pause()
attention_prefill._fill = held
now = datetime.fromisoformat(sys.argv[2])
store = Store.open(sys.argv[1], clock=lambda: now)
prefill = attention_prefill.start(store, lambda: now, AppConfig(attention_cache=True), now.date())
print(prefill.pid, flush=True)
signal.pause()  # until killed
"""


def test_the_child_never_keeps_the_folder_locked(demo_dir: Path, demo_clock: FakeClock) -> None:
    """The app is killed (kill -9: nothing unlocks) while its child still runs: the folder
    can be opened at once. flock belongs to the open file, which a child that kept the
    inherited descriptor would hold open, and locked, after the app was gone."""
    import signal
    import subprocess
    import sys

    from tests.conftest import REPO

    app = subprocess.Popen(
        [sys.executable, "-c", HELD_CHILD, str(demo_dir), demo_clock().isoformat()],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert app.stdout is not None
    child = int(app.stdout.readline())
    try:
        with pytest.raises(StoreLockedError):  # the app holds it
            Store.open(demo_dir, clock=demo_clock)
        app.kill()
        app.wait()
        os.kill(child, 0)  # the child is still running...
        Store.open(demo_dir, clock=demo_clock).close()  # ... and holds no lock
    finally:
        app.kill()
        with contextlib.suppress(ProcessLookupError):
            os.kill(child, signal.SIGKILL)


def test_a_read_only_folder_gets_the_pane_and_no_file(
    demo_dir: Path, demo_clock: FakeClock
) -> None:
    expected = in_process(demo_dir, demo_clock)
    with Store.open(demo_dir, clock=demo_clock, readonly=True) as store:
        prefill = attention_prefill.start(store, demo_clock, CACHED, demo_clock().date())
        assert prefill is not None
        assert prefill.pane() == expected
        prefill.finish()
    assert not (demo_dir / CACHE_NAME).exists()


def test_a_damaged_file_is_named_in_the_pane(demo_dir: Path, demo_clock: FakeClock) -> None:
    with Store.open(demo_dir, clock=demo_clock) as store:
        victim = next(iter(store.students()))
    damaged = next((demo_dir / "scores").glob(f"*/{victim.id}.json"))
    damaged.write_bytes(b'{"scores": {"1": ')
    with Store.open(demo_dir, clock=demo_clock) as store:
        prefill = attention_prefill.start(store, demo_clock, CACHED, demo_clock().date())
        assert prefill is not None
        pane = prefill.pane()
        prefill.finish()
    assert pane is not None
    assert [p for p in pane.problems if p.startswith(f"{victim.name}'s scores are left out")]
    assert all(line.student_id != victim.id for line in pane.lines)


def test_no_child_where_it_cannot_help(
    demo_dir: Path, demo_clock: FakeClock, tmp_path: Path
) -> None:
    day = demo_clock().date()
    with Store.open(demo_dir, clock=demo_clock) as store:
        assert attention_prefill.start(store, demo_clock, AppConfig(), day) is None  # no cache
    with Store.open(tmp_path / "empty", clock=demo_clock) as store:  # the welcome screen
        assert attention_prefill.start(store, demo_clock, CACHED, day) is None


def option_texts(screen: TodayScreen) -> list[str]:
    options = screen.query_one("#attention", OptionList)
    return [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]


class Shown(NamedTuple):
    texts: list[str]  # the attention pane's lines, once settled
    ready: list[TodayScreen.AttentionReady]  # the messages that filled it
    panes: list[tuple[Pane, bool]]  # each pane shown, and whether a book was there yet
    painted: list[list[str]]  # the pane's lines at each paint of the list


async def shown(
    folder: Path, clock: FakeClock, prefill: Any = None, *, sent_first: bool = False
) -> Shown:
    """What filled the attention pane in an app on ``folder`` (``sent_first``: the child has
    sent its pane before the app starts)."""
    out = Shown([], [], [], [])

    def hook(message: Message) -> None:
        if isinstance(message, TodayScreen.AttentionReady) and message not in out.ready:
            out.ready.append(message)  # (once: a message is seen again as it bubbles up)

    show_pane = TodayScreen.show_pane
    render_lines = AttentionList.render_lines

    def show(screen: TodayScreen, pane: Pane) -> None:
        out.panes.append((pane, screen.book is not None))
        show_pane(screen, pane)

    def render(options: AttentionList, crop: Any) -> Any:
        out.painted.append(
            [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        )
        return render_lines(options, crop)

    with Store.open(folder, clock=clock) as store, pytest.MonkeyPatch.context() as patch:
        patch.setattr(TodayScreen, "show_pane", show)
        patch.setattr(AttentionList, "render_lines", render)
        if prefill == "start":
            prefill = attention_prefill.start(store, clock, CACHED, clock().date())
            assert prefill is not None, [t.name for t in threading.enumerate()]
            if sent_first:
                deadline = time.monotonic() + 30
                while not prefill.received() and time.monotonic() < deadline:
                    time.sleep(0.005)
                assert prefill.received()
        app = InterventionApp(store, clock, CACHED, prefill=prefill)
        async with app.run_test(size=(120, 36), message_hook=hook) as pilot:
            today = await settle(pilot)
            assert isinstance(today, TodayScreen)
            out.texts.extend(option_texts(today))
            assert today.book is not None  # read after the pane: the caseload review has it
            assert today.attention_keys == [(x.student.id, x.measure.code) for x in today.attention]
            options = today.query_one("#attention", OptionList)
            options.focus()
            options.highlighted = 0
            await pilot.press("enter")  # its first line
            student = await settle(pilot)
            assert isinstance(student, StudentScreen)
            assert (student.student_id, student.measure) == today.attention_keys[0]
    return out


async def test_the_app_shows_the_childs_pane_first_then_reads_the_book(
    demo_dir: Path, demo_clock: FakeClock, tmp_path: Path
) -> None:
    import shutil

    alone = tmp_path / "alone"
    shutil.copytree(demo_dir, alone)
    # first the child's (this test's event loop has no thread yet), then no child's
    child = await shown(demo_dir, demo_clock, "start")
    computed = await shown(alone, demo_clock)  # no child: the app computes the list
    assert child.texts == computed.texts and len(child.texts) > 1
    first, had_book = child.panes[0]
    assert not had_book  # the child's pane alone
    book = child.ready[-1].book  # then the book
    assert book is not None and child.ready[-1].pane == first
    assert book.computed == 0  # read back from the rows the child kept


async def test_a_pane_sent_before_the_app_starts_is_in_todays_first_paint(
    demo_dir: Path, demo_clock: FakeClock
) -> None:
    child = await shown(demo_dir, demo_clock, "start", sent_first=True)
    first = child.painted[0]  # the list's first paint: its lines, not "Checking the caseload…"
    assert first == child.texts[: len(first)] and len(first) > 1, first[:3]
    assert not child.panes[0][1]  # the child's pane, before any book
    assert [m.book is not None for m in child.ready] == [True]  # no wait for it: the book only


async def test_a_pane_sent_after_the_first_paint_is_shown_when_it_comes(
    demo_dir: Path, demo_clock: FakeClock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    alone = tmp_path / "alone"
    shutil.copytree(demo_dir, alone)
    fill = attention_prefill._fill

    def slow(*args: Any) -> None:  # a school's caseload: the child is done after the paint
        time.sleep(0.5)
        fill(*args)

    monkeypatch.setattr(attention_prefill, "_fill", slow)
    child = await shown(demo_dir, demo_clock, "start")
    monkeypatch.setattr(attention_prefill, "_fill", fill)
    computed = await shown(alone, demo_clock)
    assert child.painted[0] == ["Checking the caseload…"]
    assert child.texts == computed.texts
    assert [m.book is not None for m in child.ready] == [False, True]  # its pane, then the book
    assert child.ready[0].pane == child.ready[1].pane and child.panes[0] == (
        child.ready[0].pane,
        False,
    )
    assert child.ready[1].book is not None and child.ready[1].book.computed == 0  # its rows


async def test_a_child_that_fails_leaves_the_app_to_compute(
    demo_dir: Path, demo_clock: FakeClock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    alone = tmp_path / "alone"
    shutil.copytree(demo_dir, alone)

    def fails(*args: Any) -> None:
        raise RuntimeError("the child breaks")

    monkeypatch.setattr(attention_prefill, "_fill", fails)
    child = await shown(demo_dir, demo_clock, "start")
    computed = await shown(alone, demo_clock)
    assert child.texts == computed.texts
    assert len(child.ready) == 1 and child.ready[0].book is not None  # computed here, once
    assert [had_book for _, had_book in child.panes] == [True]  # none from the child: one, computed


def test_one_processor_gets_no_child(
    demo_dir: Path, demo_clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With one processor the child would only slow the first paint (measured: 447 vs
    259 ms with no kept rows): the app computes the list itself."""
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0}, raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: 1)
    with Store.open(demo_dir, clock=demo_clock) as store:
        assert attention_prefill.start(store, demo_clock, CACHED, demo_clock().date()) is None


def gone(pid: int, seconds: float = 10.0) -> bool:
    """The process has exited and been reaped (a zombie still answers signal 0)."""
    import time

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.01)
    return False


def test_a_child_for_another_day_is_reaped(demo_dir: Path, demo_clock: FakeClock) -> None:
    """The day changed before the list was computed (← at start, midnight): the child is not
    used, and not left a zombie for the rest of the session."""
    from datetime import timedelta

    with Store.open(demo_dir, clock=demo_clock) as store:
        prefill = attention_prefill.start(store, demo_clock, CACHED, demo_clock().date())
        assert prefill is not None
        app = InterventionApp(store, demo_clock, CACHED, prefill=prefill)
        assert app.take_prefill(demo_clock().date() + timedelta(days=1)) is None
        assert gone(prefill.pid)


def test_a_child_whose_pane_came_too_late_is_reaped(demo_dir: Path, demo_clock: FakeClock) -> None:
    with Store.open(demo_dir, clock=demo_clock) as store:
        prefill = attention_prefill.start(store, demo_clock, CACHED, demo_clock().date())
        assert prefill is not None
        assert prefill.pane() is not None  # and nobody calls finish (its message was late)
        assert gone(prefill.pid)


def test_closing_wakes_the_receiver_of_a_child_still_filling(
    demo_dir: Path, demo_clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The app is done (it quits) while the child still computes: the thread receiving the
    pane stops at once and its pipes are closed (it waited for the child's exit), no pane is
    given, and a callback still waiting for it is called."""
    import signal

    monkeypatch.setattr(attention_prefill, "_fill", lambda *args: signal.pause())  # held
    with Store.open(demo_dir, clock=demo_clock) as store:
        prefill = attention_prefill.start(store, demo_clock, CACHED, demo_clock().date())
        assert prefill is not None
        try:
            called = threading.Event()
            prefill.when_received(called.set)
            time.sleep(0.05)
            assert not prefill.received() and not called.is_set()
            prefill.close()
            assert called.wait(5) and prefill.received()
            assert prefill.pane() is None
            receiver = [t for t in threading.enumerate() if t.name.endswith("receiver")]
            for thread in receiver:
                thread.join(5)
            assert not any(t.is_alive() for t in receiver)
        finally:
            os.kill(prefill.pid, signal.SIGKILL)
        assert gone(prefill.pid)


QUITS_WHILE_AWAITED = """
import asyncio, os, signal, sys, threading
from datetime import datetime
from pathlib import Path
from tui.cli.main import open_app
from tui.views import attention_prefill
def held(*args):  # a child still computing
    signal.pause()
attention_prefill._fill = held
waiting = threading.Event()
when_received = attention_prefill.Prefill.when_received
def awaited(self, callback):  # Today waits for the pane
    when_received(self, callback)
    waiting.set()
attention_prefill.Prefill.when_received = awaited
now = datetime.fromisoformat(sys.argv[2])
app = open_app(Path(sys.argv[1]), lambda: now, None, is_demo=False)
async def auto(pilot):
    while not waiting.is_set():
        await asyncio.sleep(0.01)
    print(app.screen.attention_day, flush=True)  # None: the pane is awaited
    await pilot.press("ctrl+q")
app.run(headless=True, size=(120, 36), auto_pilot=auto)
app.store.close()
print("exited", flush=True)
"""


def test_quitting_while_the_pane_is_awaited_does_not_wait_for_the_child(
    demo_dir: Path, demo_clock: FakeClock, tmp_path: Path
) -> None:
    """ctrl+q while the child is still filling the pane: the app's process exits (the thread
    receiving the pane is woken, nothing is computed, and the exit does not wait for it) and
    the child finishes on its own."""
    import signal
    import subprocess
    import sys

    from tests.conftest import REPO

    env = dict(os.environ, INTERVENE_SETTINGS=str(tmp_path / "none.toml"))
    app = subprocess.Popen(
        [sys.executable, "-c", QUITS_WHILE_AWAITED, str(demo_dir), demo_clock().isoformat()],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        out, _ = app.communicate(timeout=30)  # a hang detector: the child is held for ever
        assert out.split() == ["None", "exited"] and app.returncode == 0
    finally:
        app.kill()
    children = subprocess.run(  # the held child (its command line is the app's): stop it
        ["pgrep", "-f", str(demo_dir)], capture_output=True, text=True, check=False
    ).stdout.split()
    for pid in children:
        with contextlib.suppress(ProcessLookupError):
            os.kill(int(pid), signal.SIGKILL)
