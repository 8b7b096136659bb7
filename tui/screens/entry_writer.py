"""Score entry's single ordered writer thread and the typed messages it posts back."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable

from textual.message import Message

from store.model import Score, Student
from tui.views.entry import EntryRow
from tui.views.lines import MeasureLine


class Writer:
    """One thread that performs store writes in order; each write's ``reply`` turns its
    result (or the exception it raised) into a typed message, posted back to the screen."""

    def __init__(self, post: Callable[[Message], object]) -> None:
        self._jobs: queue.Queue[tuple[Callable[[], object], Callable[[object], Message]] | None] = (
            queue.Queue()
        )
        self._post = post
        self._thread = threading.Thread(target=self._run, name="score-writer", daemon=True)
        self._thread.start()

    def submit(self, job: Callable[[], object], reply: Callable[[object], Message]) -> None:
        self._jobs.put((job, reply))

    def _run(self) -> None:
        while True:
            item = self._jobs.get()
            if item is None:
                return
            job, reply = item
            try:
                result: object = job()
            except Exception as exc:  # reported on the UI thread, never swallowed
                result = exc
            self._post(reply(result))  # post_message never blocks
            self._jobs.task_done()

    def drain(self) -> None:
        self._jobs.join()

    def stop(self) -> None:
        self._jobs.put(None)


class ScoreSaved(Message):
    """Row ``index``'s score is on disk; ``line`` is its progress recomputed with it. ``seq``
    is the row's save count when it was typed (stale news when the row changed since),
    ``said`` the screen's message count then, ``before`` the row's decision before."""

    bubble = False

    def __init__(
        self,
        row: EntryRow,
        index: int,
        seq: int,
        score: Score,
        line: MeasureLine,
        *,
        said: int,
        before: str | None,
    ) -> None:
        super().__init__()
        self.row, self.index, self.seq = row, index, seq
        self.score, self.line = score, line
        self.said, self.before = said, before


class SaveFailed(Message):
    """Row ``index``'s score was not saved: ``error`` says why; ``typed`` is what was typed."""

    bubble = False

    def __init__(
        self, row: EntryRow, index: int, seq: int, error: Exception, *, typed: str
    ) -> None:
        super().__init__()
        self.row, self.index, self.seq = row, index, seq
        self.error, self.typed = error, typed


class AbsenceSaved(Message):
    """``student``'s absence is on disk (rows ``targets`` were marked absent)."""

    bubble = False

    def __init__(self, student: Student, targets: list[int]) -> None:
        super().__init__()
        self.student, self.targets = student, targets


class AbsenceFailed(Message):
    """``student``'s absence was not saved: ``error`` says why."""

    bubble = False

    def __init__(self, student: Student, targets: list[int], error: Exception) -> None:
        super().__init__()
        self.student, self.targets, self.error = student, targets, error
