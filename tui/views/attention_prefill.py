"""Today's needs-attention pane filled by a second process while the app starts (issue 16).

Opening the app keeps its process busy until Today's first paint (Textual's import, compose,
layout: ~250 ms here). The caseload rows behind the attention list take about as long again
to compute at 300 students, or ~30 ms just to read back from the kept rows
(``tui.views.attention_cache``), and the list could only follow them. Where the system can
fork (POSIX), ``intervene`` forks right after opening the store, before importing Textual
(:func:`start`): the child opens the same folder read-only (the writer lock's inherited
descriptors are closed without unlocking: ``store.storage``), fills the day's
``AttentionBook`` as the Today screen would (from the kept rows, computing the students whose
records changed), sends back only what the pane shows (:class:`Pane`: each line's student,
measure and label pieces, the counts line, the damaged files), then keeps the rows for the
next start and exits — on the machine's second core while the first paints.

A thread receives the pane as soon as it is sent; the Today screen shows it in its first
paint when it is here by then (:meth:`Prefill.received`: the child is usually done before
Textual is), else as soon as it comes (:meth:`Prefill.pane`), then reads the whole book off the UI thread (from the file the child wrote: :meth:`Prefill.finish` waits for
it) for what needs the rows: the caseload review, recomputing after a save. Anything that goes
wrong in the child (an error, a kill, no fork) leaves the Today screen to compute the list
itself, as without this. The pane is the one a book gives (:func:`pane_of`), so the two ways
show the same lines.
"""

from __future__ import annotations

import contextlib
import gc
import os
import pickle
import select
import threading
from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING, NamedTuple

from store.db import Store
from tui.config import AppConfig

if TYPE_CHECKING:
    from tui.views.attention import AttentionBook


class PaneLine(NamedTuple):
    """One line of the attention list: whose, which measure, its label's (text, style) pieces."""

    student_id: str
    measure: str
    label: tuple[tuple[str, str], ...]


class Pane(NamedTuple):
    """What the needs-attention pane shows for a day."""

    day: date
    lines: tuple[PaneLine, ...]  # most urgent first
    counts: str  # "5 to change · 3 probes overdue" ('' when nothing needs attention)
    problems: tuple[str, ...]  # the damaged files' lines (``unreadable_files``)


def pane_of(store: Store, book: AttentionBook) -> Pane:
    """The pane a filled book shows."""
    from tui.tones import attention_segments
    from tui.views.attention import attention_title_counts, unreadable_files

    lines = book.lines
    return Pane(
        book.day,
        tuple(
            PaneLine(
                line.student.id,
                line.measure.code,
                # extra is untyped; every attention line carries its CaseloadRow as extra["row"]
                tuple(attention_segments(line.extra["row"])),  # type: ignore[arg-type]
            )
            for line in lines
        ),
        attention_title_counts(lines) if lines else "",
        tuple(unreadable_files(store)),
    )


class Prefill:
    """The forked child filling one day's pane, seen from the app (any thread may call it).

    A thread of its own receives the pane as soon as the child sends it (while the app is
    still composing Today), so Today can show it in its first paint when it is already here
    (``received``) instead of asking for it after that paint."""

    def __init__(self, pid: int, fd: int, day: date) -> None:
        self.pid = pid
        self.day = day
        self._wake_read, self._wake_write = os.pipe()  # ``close`` wakes the receiver
        self._lock = threading.Lock()
        self._exited = threading.Event()
        self._received = threading.Event()
        self._pane: Pane | None = None  # until ``pane`` returns it
        self._on_received: list[Callable[[], None]] = []  # ``when_received``'s
        self._reaping = False
        self.closed = False  # ``close`` was called: the app is done with it (it quits)
        threading.Thread(
            target=self._receive, args=(fd,), name="attention-prefill-receiver", daemon=True
        ).start()

    def received(self) -> bool:
        """The child has sent its pane, or failed, or ``close`` was called: ``pane`` will
        not wait."""
        return self._received.is_set()

    def when_received(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` once ``received`` holds: now (in this thread) if it does, else
        in the receiver thread as soon as the pane is here (or the child failed, or
        ``close`` was called)."""
        with self._lock:
            if not self._received.is_set():
                self._on_received.append(callback)
                return
        callback()

    def pane(self) -> Pane | None:
        """The child's pane, once it has sent it (this blocks until ``received``: call it
        off the UI thread unless ``received`` is true); None if the child failed, or
        ``close`` was called first or meanwhile. Once only."""
        self._received.wait()
        with self._lock:
            pane, self._pane = self._pane, None  # once only
        return None if self.closed else pane

    def _receive(self, fd: int) -> None:
        """In the receiver thread: read the pane until the child closes its end."""
        pane: Pane | None = None
        chunks: list[bytes] = []
        try:
            while True:
                ready, _, _ = select.select([fd, self._wake_read], [], [])
                if self._wake_read in ready:  # the app quits: it no longer waits
                    chunks = []
                    break
                chunk = os.read(fd, 1 << 16)
                if not chunk:
                    break
                chunks.append(chunk)
        except OSError:
            chunks = []
        finally:
            os.close(fd)
            self._close_wake(read_end=True)
            self.reap_later()  # the child goes on to keep the rows, then exits
        if chunks:
            try:  # from our own child, through a pipe only it and this process hold
                sent = pickle.loads(b"".join(chunks))
            except Exception:  # nothing, or half of it: the child died while sending
                sent = None
            if isinstance(sent, Pane) and sent.day == self.day:
                pane = sent
        with self._lock:
            self._pane = pane
            self._received.set()
            callbacks, self._on_received = self._on_received, []
        for callback in callbacks:
            callback()

    def reap_later(self) -> None:
        """Wait for the child's exit in a thread of its own (no zombie stays behind)."""
        with self._lock:
            if self._reaping:
                return
            self._reaping = True
        threading.Thread(target=self._reap, name="attention-prefill-reaper", daemon=True).start()

    def _reap(self) -> None:
        with contextlib.suppress(ChildProcessError, OSError):
            os.waitpid(self.pid, 0)
        self._exited.set()

    def finish(self) -> None:
        """Wait until the child has exited (it has written the kept rows, or failed to)."""
        self.reap_later()
        self._exited.wait()

    def close(self) -> None:
        """The app is done with it: stop listening (a ``pane`` waiting returns None; a child
        still sending gets a broken pipe and goes on to keep the rows); it is reaped when it
        exits."""
        with self._lock:
            self.closed = True
        self._close_wake(read_end=False)  # wakes the receiver, if it still waits
        self.reap_later()

    def _close_wake(self, *, read_end: bool) -> None:
        """Close the wake pipe's write end (the receiver, waiting, reads it as closed) and,
        once the receiver is done with it, its read end; each once."""
        with self._lock:
            ends = [self._wake_write] + ([self._wake_read] if read_end else [])
            self._wake_write = -1
            if read_end:
                self._wake_read = -1
        for end in ends:
            if end >= 0:
                with contextlib.suppress(OSError):
                    os.close(end)


def usable_cpus() -> int:
    """The processors this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def start(
    store: Store, clock: Callable[[], datetime], config: AppConfig, day: date
) -> Prefill | None:
    """Fork a child that fills ``day``'s pane (None where it cannot help: no fork, threads
    already running, a single processor — the child would only slow the first paint — the
    kept rows turned off, an empty folder: the welcome screen shows)."""
    if not config.attention_cache or not hasattr(os, "fork") or threading.active_count() > 1:
        return None
    if usable_cpus() < 2 or store.is_empty():
        return None
    read_fd, write_fd = os.pipe()
    gc.freeze()  # what both processes hold stays out of the collector's sight: never copied
    try:
        pid = os.fork()
    except OSError:
        os.close(read_fd)
        os.close(write_fd)
        return None
    if pid == 0:  # the child: never returns, never runs the parent's exit handlers
        code = 1
        gc.disable()  # a short computation that makes no cycles worth collecting, then exits
        try:
            os.close(read_fd)
            _detach()
            _fill(write_fd, store, clock, config, day)
            code = 0
        except BaseException:  # noqa: BLE001 - the app computes the list itself
            pass
        finally:
            os._exit(code)
    os.close(write_fd)
    return Prefill(pid, read_fd, day)


def _detach() -> None:
    """In the child: nothing to or from the terminal (the app's screen), nor any pipe that
    started the app: standard input and output go to the null device."""
    null = os.open(os.devnull, os.O_RDWR)
    for std in (0, 1, 2):
        os.dup2(null, std)
    os.close(null)


def _fill(
    fd: int, store: Store, clock: Callable[[], datetime], config: AppConfig, day: date
) -> None:
    """In the child: fill the book from a read-only store, send the pane, keep the rows."""
    from tui.views.attention import AttentionBook
    from tui.views.attention_cache import Scan

    writable = not store.readonly
    scan = Scan(store.data_dir)  # before anything is read, core.json too
    mine = Store.open(store.data_dir, clock=clock, readonly=True)
    book = AttentionBook(day)
    book.fill(mine, config, writable=writable, scan=scan)
    data = memoryview(pickle.dumps(pane_of(mine, book), protocol=pickle.HIGHEST_PROTOCOL))
    try:
        while data:
            data = data[os.write(fd, data) :]
    except OSError:  # the app stopped listening (it quit, or computes itself)
        pass
    finally:
        os.close(fd)
    book.keep()
