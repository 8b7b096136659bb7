"""The Store: a typed API over TinyDB tables, with validation, durability and undo.

CONTRACT STUB — the signatures below are the agreed API; bodies are being written.

Layout of a data folder (0700, files 0600):
    core.json                         TinyDB: meta, students, groups, measures, goals,
                                      phase_changes, calendar, exports
    scores/<school year>/<student>.json   TinyDB: one partition per student per school year
    sessions/<school year>/<group>.json   TinyDB: one partition per group per school year
    .lock                             filelock: one writer per folder
    backups/YYYY-MM-DD/...            daily backups (hard links; last 14 kept)

Partitions keep every save small: the cost of a save and of opening does not grow with
history (issue #2 §4).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, datetime
from pathlib import Path

from store.errors import ValidationError
from store.model import (
    Attendance,
    ExportRecord,
    Goal,
    Group,
    Measure,
    PhaseChange,
    SchoolCalendar,
    Score,
    Session,
    Student,
)

SCHEMA_VERSION = 1


class DuplicateScoreError(ValidationError):
    """A score already exists for this student, measure and date; pass replace=True."""

    def __init__(self, message: str, existing: Score) -> None:
        super().__init__(message, field="date", value=existing.date)
        self.existing = existing


class Store:
    data_dir: Path
    readonly: bool

    # ----------------------------------------------------------------- lifecycle
    @classmethod
    def open(
        cls,
        data_dir: Path | str,
        *,
        clock: Callable[[], datetime] = datetime.now,
        readonly: bool = False,
    ) -> Store: ...
    def close(self) -> None: ...
    def __enter__(self) -> Store: ...
    def __exit__(self, *exc: object) -> None: ...
    def is_empty(self) -> bool: ...
    def today(self) -> date: ...

    # ----------------------------------------------------------------- calendar & measures
    def calendar(self) -> SchoolCalendar: ...
    def set_calendar(self, calendar: SchoolCalendar) -> SchoolCalendar: ...
    def measures(self, *, include_inactive: bool = False) -> list[Measure]: ...
    def measure(self, code: str) -> Measure: ...
    def add_measure(self, measure: Measure) -> Measure: ...
    def update_measure(self, code: str, **changes: object) -> Measure: ...

    # ----------------------------------------------------------------- students
    def add_student(
        self,
        given_name: str,
        family_name: str,
        grade: str,
        *,
        sis_id: str | None = None,
        notes: str = "",
        id: str | None = None,
    ) -> Student: ...
    def update_student(self, student_id: str, **changes: object) -> Student: ...
    def archive_student(self, student_id: str) -> Student: ...
    def restore_student(self, student_id: str) -> Student: ...
    def student(self, student_id: str) -> Student: ...
    def students(self, *, include_archived: bool = False) -> list[Student]: ...

    # ----------------------------------------------------------------- groups
    def add_group(self, group: Group) -> Group: ...
    def update_group(self, group_id: str, **changes: object) -> Group: ...
    def end_group(self, group_id: str, end_date: date) -> Group: ...
    def add_member(self, group_id: str, student_id: str, on: date) -> Group: ...
    def remove_member(self, group_id: str, student_id: str, on: date) -> Group: ...
    def group(self, group_id: str) -> Group: ...
    def groups(self, *, include_inactive: bool = False) -> list[Group]: ...
    def groups_of(self, student_id: str, on: date | None = None) -> list[Group]: ...

    # ----------------------------------------------------------------- goals & phases
    def set_goal(
        self,
        student_id: str,
        measure: str,
        *,
        baseline_value: float,
        baseline_date: date,
        goal_value: float,
        goal_date: date,
        method: str = "custom",
        note: str = "",
    ) -> Goal: ...
    def goal(self, student_id: str, measure: str) -> Goal | None: ...
    def goals(self, student_id: str | None = None) -> list[Goal]: ...
    def add_phase_change(
        self, student_id: str, measure: str, on: date, label: str
    ) -> PhaseChange: ...
    def delete_phase_change(self, phase_id: str) -> PhaseChange: ...
    def phase_changes(self, student_id: str, measure: str | None = None) -> list[PhaseChange]: ...

    # ----------------------------------------------------------------- scores
    def record_score(
        self,
        student_id: str,
        measure: str,
        value: float | str,
        on: date,
        *,
        errors: int | None = None,
        session_id: str | None = None,
        replace: bool = False,
    ) -> Score: ...
    def update_score(self, score_id: str, **changes: object) -> Score: ...
    def delete_score(self, score_id: str) -> Score: ...
    def score_on(self, student_id: str, measure: str, on: date) -> Score | None: ...
    def scores(
        self,
        student_id: str,
        measure: str | None = None,
        *,
        since: date | None = None,
        until: date | None = None,
    ) -> list[Score]: ...
    def iter_scores(
        self, *, since: date | None = None, until: date | None = None
    ) -> Iterator[Score]: ...

    # ----------------------------------------------------------------- sessions
    def log_session(self, session: Session) -> Session: ...
    def mark_attendance(self, group_id: str, on: date, attendance: Attendance) -> Session: ...
    def session_on(self, group_id: str, on: date) -> Session | None: ...
    def sessions(
        self,
        group_id: str | None = None,
        *,
        since: date | None = None,
        until: date | None = None,
    ) -> list[Session]: ...
    def delete_session(self, session_id: str) -> Session: ...

    # ----------------------------------------------------------------- undo, backups, exports
    def can_undo(self) -> bool: ...
    def undo_last(self) -> str: ...
    def backup_if_due(self) -> Path | None: ...
    def backups(self) -> list[Path]: ...
    def log_export(
        self, kind: str, path: str, students: int, *, deidentified: bool
    ) -> ExportRecord: ...
    def exports(self) -> list[ExportRecord]: ...
