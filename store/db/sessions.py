"""Logged sessions with attendance, one partition per group per school year."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

from store.db.core import CoreStore, _locked, _Op
from store.db.layout import CORE_FILE, SESSIONS_DIR
from store.errors import ValidationError
from store.model import Attendance, Group, Session, check_id, parse_date, school_year_of
from store.validation import check_date_range


class SessionsMixin(CoreStore):
    """Sessions and attendance."""

    @staticmethod
    def _session_rel(group_id: str, day: date) -> str:
        return f"{SESSIONS_DIR}/{school_year_of(day)}/{group_id}.json"

    def _session_at(self, group_id: str, day: date) -> dict[str, Any] | None:
        iso_day = day.isoformat()
        rel = self._session_rel(group_id, day)
        if not self._storage(rel).may_hold("date", iso_day):  # Today asks every group
            return None
        found = self._find_all(rel, "sessions", "date", iso_day)  # indexed
        return found[0] if found else None

    def _check_attendance_ids(self, group: Group, session: Session) -> None:
        members = set(group.members_on(session.date)) | set(group.member_ids)
        for a in session.attendance:
            if a.student_id not in members:
                self._student(a.student_id)

    @_locked
    def log_session(self, session: Session) -> Session:
        """Save a session; one per group per date (a second one for that date replaces it)."""
        if not isinstance(session, Session):
            raise ValidationError("session must be a Session", field="session", value=session)
        group = self._group(session.group_id)
        s = session.validated(group)
        if s.delivered:
            self._past_date(s.date)
        check_date_range(s.date, "date", self.today())  # a cancellation may be planned ahead
        self._check_attendance_ids(group, s)
        if s.id:
            check_id(s.id, "session id")
        existing = self._session_at(group.id, s.date)
        ops: list[_Op] = []
        if existing is not None:
            new_id = existing["id"]
        elif s.id:
            new_id = s.id
            target = self._session_rel(group.id, s.date)
            for rel in self._partitions_of(SESSIONS_DIR, group.id):
                moved = self._find(rel, "sessions", s.id)
                if moved is not None and rel != target:  # moved to another school year
                    ops.append((rel, "sessions", s.id, None))
        else:
            new_id = self._unused_id(self._session_rel(group.id, s.date), "sessions", "se")
        saved = s.with_(
            id=new_id, group_id=group.id, logged_at=self._clock().replace(microsecond=0)
        )
        ops.insert(0, (self._session_rel(group.id, s.date), "sessions", new_id, saved.to_doc()))
        self._commit(f"{group.name} session on {s.date}", ops)
        return saved

    @_locked
    def mark_attendance(self, group_id: str, on: date, attendance: Attendance) -> Session:
        """Set one student's attendance in the group's session on a date (creating a delivered
        session of the group's usual length if there is none yet)."""
        group = self._group(group_id)
        day = check_date_range(self._past_date(on), "date", self.today())
        if not isinstance(attendance, Attendance):
            raise ValidationError(
                "attendance must be an Attendance", field="attendance", value=attendance
            )
        student = self._student(attendance.student_id)
        doc = self._session_at(group.id, day)
        if doc is None:
            current = Session(
                self._unused_id(self._session_rel(group.id, day), "sessions", "se"),
                group.id,
                day,
                minutes_delivered=group.duration_minutes,
            )
        else:
            current = Session.from_doc(doc)
            if not current.delivered:
                raise ValidationError(
                    f"the {group.name} session on {day} was cancelled; log it as delivered first",
                    field="status",
                    value=current.status,
                )
        entries = [a for a in current.attendance if a.student_id != student.id]
        entries.append(attendance)
        updated = current.with_(
            attendance=entries, logged_at=self._clock().replace(microsecond=0)
        ).validated(group)
        self._check_attendance_ids(group, updated)
        self._commit(
            f"attendance of {student.name} at {group.name} on {day}",
            [(self._session_rel(group.id, day), "sessions", updated.id, updated.to_doc())],
        )
        return updated

    @_locked
    def session_on(self, group_id: str, on: date) -> Session | None:
        doc = self._session_at(group_id, parse_date(on))
        return Session.from_doc(doc) if doc else None

    @_locked
    def sessions(
        self,
        group_id: str | None = None,
        *,
        since: date | None = None,
        until: date | None = None,
    ) -> list[Session]:
        """Logged sessions (of one group or all), sorted by date then group."""
        rels = (
            self._partitions_of(SESSIONS_DIR, group_id, since, until)
            if group_id is not None
            else self._all_partitions(SESSIONS_DIR, since, until)
        )
        lo = since.isoformat() if since else None
        hi = until.isoformat() if until else None
        out = []
        for rel in rels:
            for doc in self._docs(rel, "sessions"):
                if (lo and doc["date"] < lo) or (hi and doc["date"] > hi):
                    continue
                out.append(Session.from_doc(doc))
        return sorted(out, key=lambda s: (s.date, s.group_id))

    def iter_sessions(self) -> Iterator[Session]:
        """Every logged session, a partition at a time: by school year, then group id, each
        group's by date. Memory is bounded by one partition (one group's school year), and
        the partitions are not kept cached (:meth:`_read_once`): what the full backup reads."""
        with self._mutex:
            rels = self._all_partitions(SESSIONS_DIR)  # sessions/<year>/<group>.json
        rels.sort(key=lambda rel: (int(rel.split("/")[1]), rel.rsplit("/", 1)[1][:-5]))
        for rel in rels:
            with self._mutex:
                out = [Session.from_doc(doc) for doc in self._read_once(rel, "sessions")]
            out.sort(key=lambda s: s.date)  # one session per group and date
            yield from out

    @_locked
    def delete_session(self, session_id: str) -> Session:
        rel, doc = self._locate(SESSIONS_DIR, "sessions", session_id)
        session = Session.from_doc(doc)
        doc_group = self._find(CORE_FILE, "groups", session.group_id)
        name = doc_group["name"] if doc_group else session.group_id
        self._commit(
            f"deleted {name} session on {session.date}", [(rel, "sessions", session.id, None)]
        )
        return session
