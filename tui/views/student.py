"""The student view: what the student screen shows for one student as of a day, as values."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import field
from datetime import date

from store.caseload import CaseloadRow, StudentProgress, student_progress
from store.db import Store
from store.model import BUILTIN_MEASURES, Score, Student
from store.progress import InsufficientDataError, trend
from store.records import mutable_record
from tui.config import AppConfig
from tui.views.lines import student_rows

_ORDER = {m.code: i for i, m in enumerate(BUILTIN_MEASURES)}


@mutable_record
class StudentView:
    """What the screen shows for one student as of ``day``: a caseload row per measure
    (the very decision the caseload review shows) and the scores."""

    student: Student
    day: date
    rows: dict[str, CaseloadRow]
    scores: dict[str, list[Score]]
    extra: dict[str, StudentProgress] = field(default_factory=dict)

    @property
    def measures(self) -> list[str]:
        codes = set(self.rows) | set(self.extra)
        return sorted(codes, key=lambda c: (_ORDER.get(c, 99), c))

    def progress(self, code: str) -> StudentProgress:
        row = self.rows.get(code)
        return row.progress if row is not None else self.extra[code]


def load_view(
    store: Store, student_id: str, day: date, config: AppConfig, measure: str | None = None
) -> StudentView:
    """Read one student's records and compute their rows (a handful of Store reads)."""
    student = store.student(student_id)
    rows, scores = student_rows(store, student, day, config)
    view = StudentView(student, day, rows, scores)
    if measure is not None and measure not in rows:
        m = store.measure(measure)
        view.extra[m.code] = student_progress(
            student.id,
            m,
            scores=scores.get(m.code, []),
            goal=store.goal(student.id, m.code),
            phase_changes=store.phase_changes(student.id, m.code),
            config=config.decision,
            today=day,
        )
    return view


def fitted_roi(
    progress: StudentProgress, method: str, breaks: Sequence[date] = (), min_points: int = 3
) -> float | None:
    """Actual ROI of the current phase with ``method``, in units per week of school; None
    with fewer than ``min_points`` points (the ROI appears from 3, DecisionConfig)."""
    if len(progress.phase_points) < min_points:
        return None
    try:
        return trend(progress.phase_points, method, breaks=breaks).slope
    except InsufficientDataError:
        return None
