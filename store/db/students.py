"""Students: add, change, archive, and delete one entered by mistake with all their records."""

from __future__ import annotations

from store.db.core import CoreStore, _locked, _Op, _reject_unknown
from store.db.layout import CORE_FILE, SCORES_DIR, SESSIONS_DIR
from store.errors import ValidationError
from store.model import Student


class StudentsMixin(CoreStore):
    """Students."""

    def _check_sis_unique(self, sis_id: str | None, exclude: str | None = None) -> None:
        if not sis_id:
            return
        for doc in self._find_all(CORE_FILE, "students", "sis_id", sis_id):  # indexed
            if doc["id"] != exclude:
                other = Student.from_doc(doc)
                raise ValidationError(
                    f"SIS identifier {sis_id!r} already belongs to {other.name}",
                    field="sis_id",
                    value=sis_id,
                )

    @_locked
    def add_student(
        self,
        given_name: str,
        family_name: str,
        grade: str,
        *,
        sis_id: str | None = None,
        notes: str = "",
        id: str | None = None,
    ) -> Student:
        new_id = id if id is not None else self._unused_core_id("students", "st")
        student = Student(new_id, given_name, family_name, grade, sis_id, True, notes).validated()
        if self._find(CORE_FILE, "students", student.id) is not None:
            raise ValidationError(
                f"student id {student.id!r} is already used", field="id", value=student.id
            )
        self._check_sis_unique(student.sis_id)
        self._save_core(f"added student {student.name}", "students", student)
        return student

    @_locked
    def update_student(self, student_id: str, **changes: object) -> Student:
        current = self._student(student_id)
        _reject_unknown(
            changes, ("given_name", "family_name", "grade", "sis_id", "notes", "active"), "student"
        )
        updated = current.with_(**changes).validated()
        self._check_sis_unique(updated.sis_id, exclude=current.id)
        self._save_core(f"change to student {current.name}", "students", updated)
        return updated

    @_locked
    def archive_student(self, student_id: str) -> Student:
        return self._set_active(student_id, False, "archived")

    @_locked
    def restore_student(self, student_id: str) -> Student:
        return self._set_active(student_id, True, "restored")

    def _set_active(self, student_id: str, active: bool, verb: str) -> Student:
        current = self._student(student_id)
        updated = current.with_(active=active)
        self._save_core(f"{verb} {current.name}", "students", updated)
        return updated

    @_locked
    def student(self, student_id: str) -> Student:
        return self._student(student_id)

    @_locked
    def students(self, *, include_archived: bool = False) -> list[Student]:
        out = self._core_records("students", Student, include_inactive=include_archived)
        return sorted(out, key=lambda s: (*s.sort_key, s.id))

    # ----------------------------------------------------------------- deleting a student (issue 6)
    def _student_records(self, student_id: str) -> list[_Op]:
        """Every change that removes a student and what belongs to them: scores, goals, phase
        changes, group memberships, attendance entries (partition files first, core last)."""
        student = self._student(student_id)
        ops: list[_Op] = []
        for rel in self._partitions_of(SCORES_DIR, student.id):
            ops.extend((rel, "scores", d["id"], None) for d in self._docs(rel, "scores"))
        for rel in self._all_partitions(SESSIONS_DIR):
            for doc in self._docs(rel, "sessions"):
                entries = doc.get("attendance", [])
                if any(a.get("student_id") == student.id for a in entries):
                    kept = [a for a in entries if a.get("student_id") != student.id]
                    ops.append((rel, "sessions", doc["id"], {**doc, "attendance": kept}))
        for table in ("goals", "phase_changes", "team_decisions"):
            ops.extend(
                (CORE_FILE, table, d["id"], None)
                for d in self._docs(CORE_FILE, table)
                if d.get("student_id") == student.id
            )
        for doc in self._docs(CORE_FILE, "groups"):
            members = doc.get("memberships", [])
            if any(m.get("student_id") == student.id for m in members):
                kept = [m for m in members if m.get("student_id") != student.id]
                ops.append((CORE_FILE, "groups", doc["id"], {**doc, "memberships": kept}))
        ops.append((CORE_FILE, "students", student.id, None))
        return ops

    @_locked
    def student_footprint(self, student_id: str) -> dict[str, int]:
        """What :meth:`delete_student` would remove: counts of scores, goals, phase changes,
        group memberships and session attendance entries."""
        counts = {"scores": 0, "goals": 0, "phase_changes": 0, "groups": 0, "sessions": 0}
        for _rel, table, _key, _new in self._student_records(student_id):
            if table in counts:
                counts[table] += 1
        return counts

    @_locked
    def delete_student(self, student_id: str) -> dict[str, int]:
        """Delete a student entered by mistake and everything recorded about them (see
        :meth:`student_footprint`, whose counts are returned). One undo step: ``undo_last``
        puts it all back. Archive (``archive_student``) is the normal way to retire a student."""
        student = self._student(student_id)
        counts = self.student_footprint(student.id)
        ops = self._student_records(student.id)
        self._commit(f"deleted {student.name} permanently", ops)
        return counts
