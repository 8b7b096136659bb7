"""Probe scores, one partition per student per school year: scores/<year>/<student>.json."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from store.db.core import CoreStore, _locked, _Op, _reject_unknown
from store.db.layout import SCORES_DIR
from store.errors import ValidationError
from store.model import (
    Measure,
    Score,
    Student,
    check_id,
    check_int,
    fmt_number,
    parse_date,
    school_year_of,
)
from store.validation import check_date_range


class DuplicateScoreError(ValidationError):
    """A score already exists for this student, measure and date; pass replace=True."""

    def __init__(self, message: str, existing: Score) -> None:
        super().__init__(message, field="date", value=existing.date)
        self.existing = existing


class ScoresMixin(CoreStore):
    """Probe scores."""

    @staticmethod
    def _score_rel(student_id: str, day: date) -> str:
        return f"{SCORES_DIR}/{school_year_of(day)}/{student_id}.json"

    def _score_at(self, student_id: str, measure: str, day: date) -> dict[str, Any] | None:
        iso_day = day.isoformat()
        for doc in self._find_all(self._score_rel(student_id, day), "scores", "date", iso_day):
            if doc["measure"] == measure:
                return doc
        return None

    def _check_errors(self, m: Measure, errors: object) -> int | None:
        if errors is None or errors == "":
            return None
        if not m.records_errors:
            raise ValidationError(
                f"{m.code} does not record errors (only the score)", field="errors", value=errors
            )
        return check_int(errors, "errors", lo=0, hi=999)

    @_locked
    def record_score(
        self,
        student_id: str,
        measure: str,
        value: float | str | None,
        on: date,
        *,
        errors: int | None = None,
        session_id: str | None = None,
        replace: bool = False,
        passages: Sequence[float | str] | None = None,
    ) -> Score:
        """Save one probe score. A second score for the same student, measure and date raises
        DuplicateScoreError unless ``replace=True`` (which keeps the existing score's id).

        ``passages``: several readings in one sitting (e.g. 61, 58, 64): each is checked by the
        measure, the day's value is their median (``value`` may then be None; if given it must
        be that median) and the passages are kept on the score."""
        student, m, number, day, n_errors, existing, kept = self._score_inputs(
            student_id, measure, value, on, errors, replace, passages
        )
        sid = check_id(session_id, "session id") if session_id else None
        score = Score(
            existing.id
            if existing
            else self._unused_id(self._score_rel(student.id, day), "scores", "sc"),
            student.id,
            m.code,
            day,
            number,
            n_errors,
            sid,
            self._clock().replace(microsecond=0),
            kept,
        )
        what = f"{m.code} {m.format(number)} for {student.name} on {day}"
        if kept:
            what += f" (median of {', '.join(m.format(p) for p in kept)})"
        if existing is not None:
            what += f" (was {m.format(existing.value)})"
        self._commit(what, [(self._score_rel(student.id, day), "scores", score.id, score.to_doc())])
        return score

    def _score_inputs(
        self,
        student_id: str,
        measure: str,
        value: float | str | None,
        on: date,
        errors: int | None,
        replace: bool,
        passages: Sequence[float | str] | None = None,
    ) -> tuple[Student, Measure, float, date, int | None, Score | None, list[float]]:
        """Every check record_score makes, in its order; raises what record_score raises."""
        student = self._student(student_id)
        m = self._measure(measure, active=True)
        readings = self._check_passages(m, passages)
        kept = readings if len(readings) > 1 else []  # one reading is just the score
        if readings:
            number = Score.median(readings, m.decimals)
            if value is not None and value != "" and m.check_value(value) != number:
                raise ValidationError(
                    f"{m.code} score {value} is not the median of the passages "
                    f"({', '.join(m.format(p) for p in readings)} → {m.format(number)})",
                    field="value",
                    value=value,
                )
        else:
            number = m.check_value(value)
        day = check_date_range(self._past_date(on), "date", self.today())
        n_errors = self._check_errors(m, errors)
        existing_doc = self._score_at(student.id, m.code, day)
        existing = Score.from_doc(existing_doc) if existing_doc else None
        if existing is not None and not replace:
            raise DuplicateScoreError(
                f"{m.code} {m.format(existing.value)} already entered for {student.name} on {day}",
                existing,
            )
        return student, m, number, day, n_errors, existing, kept

    @staticmethod
    def _check_passages(m: Measure, passages: Sequence[float | str] | None) -> list[float]:
        """Each passage on the measure's scale (an empty list without passages)."""
        if passages is None or isinstance(passages, str | bytes):
            if passages:
                raise ValidationError(
                    f"passages {passages!r} must be a list of scores",
                    field="passages",
                    value=passages,
                )
            return []
        values, limit = list(passages), 9
        if len(values) > limit:
            raise ValidationError(
                f"{len(values)} passages: at most {limit} readings in one sitting",
                field="passages",
                value=values,
            )
        return [m.check_value(v) for v in values]

    @_locked
    def check_score(
        self,
        student_id: str,
        measure: str,
        value: float | str | None,
        on: date,
        *,
        errors: int | None = None,
        replace: bool = False,
        passages: Sequence[float | str] | None = None,
    ) -> float:
        """Validate a score exactly as :meth:`record_score` would, without writing anything.

        Returns the value as it would be stored (the median, with passages). The TUI checks on
        the UI thread (cheap, in memory) and then saves on its writer thread, so the next row
        takes keys at once."""
        return self._score_inputs(student_id, measure, value, on, errors, replace, passages)[2]

    @_locked
    def update_score(self, score_id: str, **changes: object) -> Score:
        """Change a score's value, errors, date, measure or session."""
        _reject_unknown(changes, ("value", "errors", "date", "measure", "session_id"), "score")
        rel, doc = self._locate(SCORES_DIR, "scores", score_id)
        current = Score.from_doc(doc)
        student = self._student(current.student_id)
        # changes are **kwargs (object); _measure checks the code and raises on a bad one
        m = self._measure(changes.get("measure", current.measure))  # type: ignore[arg-type]
        number = m.check_value(changes.get("value", current.value))
        day = current.date
        if "date" in changes:
            day = check_date_range(self._past_date(changes["date"]), "date", self.today())
        n_errors = self._check_errors(
            m, changes.get("errors", current.errors if m.records_errors else None)
        )
        # a score moved to another day no longer belongs to the session it was entered in
        moved = day != current.date
        sid = changes.get("session_id", None if moved else current.session_id)
        sid = check_id(sid, "session id") if sid else None
        clash = self._score_at(student.id, m.code, day)
        if clash is not None and clash["id"] != current.id:
            raise DuplicateScoreError(
                f"{m.code} {m.format(clash['value'])} already entered for {student.name} on {day}",
                Score.from_doc(clash),
            )
        updated = current.with_(
            measure=m.code, value=number, date=day, errors=n_errors, session_id=sid
        )
        new_rel = self._score_rel(student.id, day)
        ops: list[_Op] = [(new_rel, "scores", current.id, updated.to_doc())]
        if new_rel != rel:
            ops.append((rel, "scores", current.id, None))
        old_m = self._measure(current.measure)
        self._commit(
            f"change to {old_m.code} {old_m.format(current.value)} for {student.name} "
            f"on {current.date}",
            ops,
        )
        return updated

    @_locked
    def delete_score(self, score_id: str) -> Score:
        rel, doc = self._locate(SCORES_DIR, "scores", score_id)
        score = Score.from_doc(doc)
        name = self._student_name(score.student_id)
        self._commit(
            f"deleted {score.measure} {fmt_number(score.value)} for {name} on {score.date}",
            [(rel, "scores", score.id, None)],
        )
        return score

    @_locked
    def score_on(self, student_id: str, measure: str, on: date) -> Score | None:
        day = parse_date(on)
        doc = self._score_at(student_id, measure, day)
        return Score.from_doc(doc) if doc else None

    @_locked
    def scores(
        self,
        student_id: str,
        measure: str | None = None,
        *,
        since: date | None = None,
        until: date | None = None,
    ) -> list[Score]:
        """One student's scores (optionally one measure, a date range), sorted by date."""
        return self._scores_read(student_id, measure, since, until, self._docs)

    def _scores_read(
        self,
        student_id: str,
        measure: str | None,
        since: date | None,
        until: date | None,
        read: Callable[[str, str], list[dict[str, Any]]],
    ) -> list[Score]:
        """:meth:`scores`, each partition read by ``read`` (``_docs`` or ``_read_once``)."""
        lo = since.isoformat() if since else None
        hi = until.isoformat() if until else None
        out = []
        for rel in self._partitions_of(SCORES_DIR, student_id, since, until):
            for doc in read(rel, "scores"):
                if measure is not None and doc["measure"] != measure:
                    continue
                if (lo and doc["date"] < lo) or (hi and doc["date"] > hi):
                    continue
                out.append(Score.from_doc(doc))
        return sorted(out, key=lambda s: (s.date, s.measure, s.entered_at or datetime.min))

    def iter_scores(
        self, *, since: date | None = None, until: date | None = None
    ) -> Iterator[Score]:
        """Every score in the folder, sorted by (student id, date); reads a student at a time
        and keeps no partition cached (:meth:`_read_once`: the full backup reads them all)."""
        with self._mutex:
            by_student: dict[str, list[str]] = {}
            for rel in self._all_partitions(SCORES_DIR, since, until):
                by_student.setdefault(Path(rel).stem, []).append(rel)
        for student_id in sorted(by_student):
            with self._mutex:
                found = self._scores_read(student_id, None, since, until, self._read_once)
            yield from found
