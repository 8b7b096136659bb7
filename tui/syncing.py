"""Team sync in the app (issue 18): a background worker and the day bar's sync words.

Only used when the data folder syncs (:func:`store.sync.state.is_configured`, one stat);
otherwise nothing here — nor httpx — is imported. The worker syncs a few seconds after the
last save (debounced) and every few minutes; entry never waits for the network. A viewer's
window only pulls, on the same schedule, and its screen is refreshed with what arrived.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from store.db import Store

CHECK_SECONDS = 5.0  # how often the app looks for new saves
QUIET_SECONDS = 8.0  # a save is synced once the user paused this long
EVERY_SECONDS = 180.0  # and the team's changes are fetched this often


@dataclass
class SyncInfo:
    """What the day bar says about sync."""

    last_sync: datetime | None = None
    waiting: int = 0
    conflicts: int = 0
    error: str | None = None
    viewer: bool = False
    running: bool = False


def read_info(store: Store, *, count_waiting: bool) -> SyncInfo:
    """The state as the last sync left it (``count_waiting``: the "changes waiting" of an
    offline folder, which reads the whole ledger and every file changed since the digests
    were cached — a worker thread's job)."""
    from store.sync import state as sync_state  # not the engine (httpx): off start-up

    if count_waiting:  # the whole ledger, giving way to a save under way (see the Store)
        st = sync_state.load(store.data_dir, store.wait_for_saves)
    else:
        st = sync_state.load_meta(store.data_dir)
    if st is None:
        return SyncInfo()
    info = SyncInfo(
        last_sync=datetime.fromisoformat(st.last_sync) if st.last_sync else None,
        conflicts=len(st.conflicts),
        error=st.last_error,
        viewer=st.role == "viewer",
    )
    if count_waiting and not info.viewer and not store.readonly:
        from store.sync import engine

        info.waiting = engine.waiting(store, st)
    return info


def bar_text(info: SyncInfo, now: datetime) -> str:
    """``synced 2 min ago`` / ``offline — 5 changes waiting`` / ``3 conflicts``."""
    if info.viewer:
        head = "viewer: read-only replica"
    elif info.error:
        n = info.waiting
        head = f"offline — {n} change{'s' if n != 1 else ''} waiting" if n else "offline"
    elif info.running and info.last_sync is None:
        head = "syncing…"
    elif info.last_sync is None:
        head = "not synced yet"
    else:
        minutes = int((now - info.last_sync).total_seconds() // 60)
        head = "synced just now" if minutes < 1 else f"synced {minutes} min ago"
    if info.conflicts:
        head += f" · {info.conflicts} conflict{'s' if info.conflicts != 1 else ''}"
    return head


class SyncRunner:
    """Runs sync on a worker thread for an app: after saves (debounced) and periodically."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.store: Store = app.store
        self.info = read_info(self.store, count_waiting=False)
        self._seen = self.store.changes_made
        self._changed_at: float | None = None
        self._last_run = 0.0

    def start(self) -> None:
        if self.store.readonly:  # --read-only: received records could not be applied
            return
        # a viewer's replica runs on the same schedule: it has nothing to send (the engine
        # only pulls for a viewer) and fetches the team's changes every EVERY_SECONDS
        self.app.set_interval(CHECK_SECONDS, self._check)
        self.app.set_timer(2.0, self.run)

    def _check(self) -> None:
        import time

        now = time.monotonic()
        if self.store.changes_made != self._seen:
            self._seen = self.store.changes_made
            self._changed_at = now
        quiet = self._changed_at is not None and now - self._changed_at >= QUIET_SECONDS
        if quiet or now - self._last_run >= EVERY_SECONDS:
            self.run()

    def run(self) -> None:
        import time

        self._changed_at = None
        self._last_run = time.monotonic()
        self.info.running = True
        self.app.run_worker(self._job, thread=True, exclusive=True, group="sync")

    def _job(self) -> None:
        from store.errors import StoreError
        from store.sync import engine

        received = 0
        try:
            received = engine.sync(self.store).received
            failed = False
        except StoreError:  # offline, refused: the state keeps the error for the bar
            failed = True
        except Exception:  # a sync must never stop the day's work
            failed = True
        info = read_info(self.store, count_waiting=failed)
        self.app.call_from_thread(self._done, info, received)

    def _done(self, info: SyncInfo, received: int) -> None:
        self.info = info
        refresh = getattr(self.app.screen, "refresh_after_sync", None)
        if received and refresh is not None:
            refresh()
