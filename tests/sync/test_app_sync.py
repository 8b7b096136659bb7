"""The app with sync (issue 18): the day bar's words, the background worker, the conflicts
screen, a viewer's read-only window — and nothing of it without sync."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from datetime import date, datetime, timedelta

from store.db import Store
from store.sync import state as sync_state
from tests.sync.conftest import ROOT
from tests.sync.test_sync import DAY, _member, conflicting_scores
from tui.app import InterventionApp
from tui.config import AppConfig
from tui.syncing import SyncInfo, bar_text


def _bar(app: InterventionApp) -> str:
    return str(app.screen.query_one("#day-bar").render())


async def _until(app: InterventionApp, test, seconds: float = 20.0) -> None:
    for _ in range(int(seconds * 10)):
        if test():
            return
        await asyncio.sleep(0.1)
    texts = [str(w.render()) for w in app.screen.query("Static")]
    raise AssertionError(f"timed out; the screen says: {texts!r}")


def test_the_day_bar_words():
    now = datetime(2026, 12, 1, 10, 0)
    assert bar_text(SyncInfo(last_sync=now - timedelta(minutes=2)), now) == "synced 2 min ago"
    assert bar_text(SyncInfo(last_sync=now), now) == "synced just now"
    offline = SyncInfo(last_sync=now, waiting=5, error="cannot reach")
    assert bar_text(offline, now) == "offline — 5 changes waiting"
    assert bar_text(SyncInfo(last_sync=now, conflicts=3), now) == "synced just now · 3 conflicts"
    assert bar_text(SyncInfo(viewer=True), now) == "viewer: read-only replica"


def test_the_app_syncs_in_the_background_and_says_so(tmp_path, team, capsys):
    a, b, _kid = conflicting_scores(tmp_path, team, capsys)

    async def run() -> None:
        store = Store.open(b.folder)
        app = InterventionApp(store, datetime.now, AppConfig(demo_dir=tmp_path / "demo"))
        async with app.run_test(size=(140, 40)) as pilot:
            assert app.sync_runner is not None
            assert "synced just now" in _bar(app)  # B's sync a moment ago
            await _until(app, lambda: "1 conflict" in _bar(app))  # the worker's own
            app.open_conflicts()
            await pilot.pause()
            await _until(app, lambda: "entered differently" in _note(app))
            table = app.screen.query_one("#conflicts")
            assert table.row_count == 2
            await pilot.press("enter")  # keep the version shown now
            await _until(app, lambda: "No conflicts" in _note(app))
        store.close()

    asyncio.run(run())
    assert a.sync().endswith("conflicts 0")


def _note(app: InterventionApp) -> str:
    return str(app.screen.query_one("#conflicts-note").render())


def test_a_viewer_window_opens_read_only_and_says_so(tmp_path, team, capsys):
    a, v = _member(tmp_path, team, "ava", capsys), _member(tmp_path, team, "sam", capsys)
    with a.store() as s:
        s.add_student("Mia", "Lopez", "2")
    a.sync()
    v.sync()
    import importlib

    cli = importlib.import_module("tui.cli.main")

    seen: dict[str, object] = {}

    def fake_run(self: InterventionApp) -> None:
        seen["readonly"] = self.store.readonly
        seen["view_only"] = self.store.view_only

    original = InterventionApp.run
    InterventionApp.run = fake_run  # type: ignore[method-assign]
    try:
        assert cli.run_app(v.folder, datetime.now, None, is_demo=False) == 0
    finally:
        InterventionApp.run = original  # type: ignore[method-assign]
    # open for writing (the lock held) so sync can apply the team's records; no user saves
    assert seen == {"readonly": False, "view_only": True}

    async def run() -> None:
        store = Store.open(v.folder)
        app = InterventionApp(store, datetime.now, AppConfig(demo_dir=tmp_path / "demo"))
        async with app.run_test(size=(140, 40)):
            await _until(app, lambda: "viewer: read-only replica" in _bar(app))
            assert "READ-ONLY" in _bar(app)
        store.close()

    asyncio.run(run())
    st = sync_state.load(v.folder)
    assert st is not None and st.role == "viewer"


def test_without_sync_the_app_loads_no_sync_code(tmp_path):
    folder = tmp_path / "solo"
    with Store.open(folder) as s:
        s.add_student("Mia", "Lopez", "2")
        s.record_score(s.students()[0].id, "ORF", 62, date(2026, 11, 20))
    code = (
        f"import sys; sys.path.insert(0, {str(ROOT)!r})\n"
        "import tui.app, tui.cli.main, tui.screens.today\n"
        "print(sorted(m for m in sys.modules if m.startswith(('httpx', 'store.sync.engine',"
        " 'tui.syncing', 'store.sync.couch'))))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
    assert not sync_state.is_configured(folder)


def test_a_viewer_window_shows_the_teams_new_score_after_its_background_pull(
    tmp_path, team, capsys
):
    from store.errors import StoreError
    from store.model import Group
    from tui.screens.today import TodayScreen

    a, v = _member(tmp_path, team, "ava", capsys), _member(tmp_path, team, "sam", capsys)
    with a.store() as s:
        kid = s.add_student("Mia", "Lopez", "2").id
        group = s.add_group(Group(id="", name="Reading 2", measures=["ORF"]))
        s.add_member(group.id, kid, DAY - timedelta(days=30))
    a.sync()
    v.sync()

    async def run() -> None:
        store = Store.open(v.folder)  # as run_app opens a viewer's replica
        app = InterventionApp(
            store, datetime.now, AppConfig(demo_dir=tmp_path / "demo"), start_date=DAY
        )
        async with app.run_test(size=(140, 40)) as pilot:
            runner = app.sync_runner
            assert runner is not None
            today = app.screen
            assert isinstance(today, TodayScreen)
            await _until(app, lambda: [ln.last for ln in today.lines] == [None])
            await app.workers.wait_for_complete()  # the runner's first pull: nothing new
            with a.store() as s:  # meanwhile the interventionist enters a score and syncs
                s.record_score(kid, "ORF", 62, DAY)
            a.sync()
            assert [ln.last for ln in today.lines] == [None]
            runner.run()  # the periodic pull, driven now instead of in 3 minutes
            await _until(app, lambda: [ln.last and ln.last.value for ln in today.lines] == [62])
            assert "viewer: read-only replica" in _bar(app)
            assert "READ-ONLY" in _bar(app)
            try:  # the viewer's own saves are still refused at the store boundary
                store.record_score(kid, "ORF", 70, DAY - timedelta(days=1))
            except StoreError as exc:
                assert "read-only replica" in str(exc)
            else:
                raise AssertionError("a viewer's save was accepted")
            await pilot.pause()
        store.close()

    asyncio.run(run())
    with Store.open(v.folder, readonly=True) as s:
        assert [sc.value for sc in s.scores(kid, "ORF")] == [62]


def test_opening_a_synced_window_leaves_httpx_for_the_worker(tmp_path):
    """The day bar's first words come from sync.json alone: the engine (and httpx, ~0.1 s to
    import) is loaded by the worker thread, not on the way to the first paint."""
    folder = tmp_path / "synced"
    Store.open(folder).close()
    sync_state.save(folder, sync_state.SyncState(url="http://127.0.0.1:9/team", user="ava"))
    code = (
        f"import sys; sys.path.insert(0, {str(ROOT)!r})\n"
        "from store.db import Store\n"
        "from tui.syncing import bar_text, read_info\n"
        f"store = Store.open({str(folder)!r}, readonly=True)\n"
        "info = read_info(store, count_waiting=False)\n"
        "from datetime import datetime\n"
        "print(bar_text(info, datetime.now()))\n"
        "print(sorted(m for m in sys.modules if m.startswith(('httpx', 'store.sync.engine'))))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.splitlines() == ["not synced yet", "[]"]
