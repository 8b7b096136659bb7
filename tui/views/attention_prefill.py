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

The Today screen shows that pane after its first paint (:meth:`Prefill.pane`), then reads the
whole book off the UI thread (from the file the child wrote: :meth:`Prefill.finish` waits for
it) for what needs the rows: the caseload review, recomputing after a save. Anything that goes
wrong in the child (an error, a kill, no fork) leaves the Today screen to compute the list
itself, as without this. The pane is the one a book gives (:func:`pane_of`), so the two ways
show the same lines.
"""

from __future__ import annotations

import contextlib
import os
import pickle
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
    """The forked child filling one day's pane, seen from the app."""

    def __init__(self, pid: int, fd: int, day: date) -> None:
        self.pid = pid
        self.day = day
        self._fd: int | None = fd
        self._reaped = False

    def pane(self) -> Pane | None:
        """The child's pane, once it has sent it (this blocks: call it off the UI thread);
        None if the child failed or was stopped before sending it. Once only."""
        fd, self._fd = self._fd, None
        if fd is None:
            return None
        chunks: list[bytes] = []
        try:
            while chunk := os.read(fd, 1 << 16):
                chunks.append(chunk)
        except OSError:
            return None
        finally:
            os.close(fd)
        try:  # from our own child, through a pipe only it and this process hold
            pane = pickle.loads(b"".join(chunks))
        except Exception:  # nothing, or half of it: the child died while sending
            return None
        return pane if isinstance(pane, Pane) and pane.day == self.day else None

    def finish(self) -> None:
        """Wait until the child has exited (it has written the kept rows, or failed to)."""
        if not self._reaped:
            self._reaped = True
            with contextlib.suppress(ChildProcessError, OSError):
                os.waitpid(self.pid, 0)

    def close(self) -> None:
        """The app is done with it: stop listening (a child still sending gets a broken pipe
        and goes on to keep the rows) and reap the child if it has exited."""
        fd, self._fd = self._fd, None
        if fd is not None:
            with contextlib.suppress(OSError):
                os.close(fd)
        if not self._reaped:
            with contextlib.suppress(ChildProcessError, OSError):
                if os.waitpid(self.pid, os.WNOHANG)[0]:
                    self._reaped = True


def start(
    store: Store, clock: Callable[[], datetime], config: AppConfig, day: date
) -> Prefill | None:
    """Fork a child that fills ``day``'s pane (None where it cannot: no fork, threads already
    running, the kept rows turned off, an empty folder — the welcome screen shows)."""
    if not config.attention_cache or not hasattr(os, "fork") or threading.active_count() > 1:
        return None
    if store.is_empty():
        return None
    read_fd, write_fd = os.pipe()
    try:
        pid = os.fork()
    except OSError:
        os.close(read_fd)
        os.close(write_fd)
        return None
    if pid == 0:  # the child: never returns, never runs the parent's exit handlers
        code = 1
        try:
            os.close(read_fd)
            _fill(write_fd, store, clock, config, day)
            code = 0
        except BaseException:  # noqa: BLE001 - the app computes the list itself
            pass
        finally:
            os._exit(code)
    os.close(write_fd)
    return Prefill(pid, read_fd, day)


def _fill(
    fd: int, store: Store, clock: Callable[[], datetime], config: AppConfig, day: date
) -> None:
    """In the child: fill the book from a read-only store, send the pane, keep the rows."""
    from tui.views.attention import AttentionBook

    writable = not store.readonly
    mine = Store.open(store.data_dir, clock=clock, readonly=True)
    book = AttentionBook(day)
    book.fill(mine, config, writable=writable)
    data = memoryview(pickle.dumps(pane_of(mine, book), protocol=pickle.HIGHEST_PROTOCOL))
    try:
        while data:
            data = data[os.write(fd, data) :]
    except OSError:  # the app stopped listening (it quit, or computes itself)
        pass
    finally:
        os.close(fd)
    book.keep()
