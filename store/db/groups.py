"""Intervention groups and their memberships (who was in a group on which dates)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime

from store.db.core import _locked, _Op, _reject_unknown
from store.db.layout import CORE_FILE
from store.db.measures import MeasuresMixin
from store.errors import ValidationError
from store.model import Group, Membership, Student, parse_date
from store.validation import check_unique


def _ended_before(end_date: object, cutoff: str) -> bool:
    """A stored end date (ISO text) before the ISO date ``cutoff``; anything else (no end
    date, or text that is no date: parsed, and refused, as before) is not."""
    return isinstance(end_date, str) and len(end_date) == 10 and end_date < cutoff


#: The fields update_group and save_group may change (update_group also "active").
_GROUP_FIELDS: tuple[str, ...] = (
    "name",
    "program",
    "skill_focus",
    "tier",
    "location",
    "start_time",
    "duration_minutes",
    "rrule",
    "start_date",
    "end_date",
    "measures",
    "probe_every_weeks",
    "fidelity_items",
)


class GroupsMixin(MeasuresMixin):
    """Groups and memberships (a group's schedule is checked against the calendar)."""

    def _check_rrule(self, group: Group) -> None:
        anchor = group.start_date or self.calendar().year_start
        dtstart = datetime.combine(anchor, group.start)
        check: Callable[[str, datetime], object] | None
        try:
            from store.schedule import parse_rrule as check
        except ImportError:
            check = None
        try:
            if check is not None:
                check(group.rrule, dtstart)
            else:
                from dateutil.rrule import rrulestr

                rrulestr(group.rrule, dtstart=dtstart)
        except ValidationError:
            raise
        except Exception as exc:
            raise ValidationError(
                f"recurrence {group.rrule!r} is not a valid RRULE: {exc}",
                field="rrule",
                value=group.rrule,
            ) from None

    def _validated_group(self, group: Group) -> Group:
        if not isinstance(group, Group):
            raise ValidationError("group must be a Group", field="group", value=group)
        g = group.validated()
        self._check_rrule(g)
        codes = {d["code"] for d in self._docs(CORE_FILE, "measures")}
        for code in g.measures:
            if code not in codes:
                raise ValidationError(
                    f"measure {code!r} is not one of: {', '.join(sorted(codes))}",
                    field="measures",
                    value=code,
                )
        memberships: list[Membership] = []
        open_ids: set[str] = set()
        for m in g.memberships:
            if not isinstance(m, Membership):
                raise ValidationError(
                    "memberships must be Membership records", field="memberships", value=m
                )
            start = parse_date(m.start, "joined")
            end = parse_date(m.end, "left") if m.end is not None else None
            self._student(m.student_id)
            if end is not None and end < start:
                raise ValidationError(
                    f"left {end} is before joined {start}", field="memberships", value=end
                )
            if end is None:
                message = f"student {m.student_id} is listed twice as a current member"
                check_unique(m.student_id, open_ids, message, "memberships")
            memberships.append(Membership(m.student_id, start, end))
        return g.with_(memberships=memberships)

    @_locked
    def add_group(self, group: Group) -> Group:
        if isinstance(group, Group) and not group.id:
            group = group.with_(id=self._unused_core_id("groups", "gr"))
        g = self._validated_group(group)
        if self._find(CORE_FILE, "groups", g.id) is not None:
            raise ValidationError(f"group id {g.id!r} is already used", field="id", value=g.id)
        self._save_core(f"added group {g.name}", "groups", g)
        return g

    @_locked
    def update_group(self, group_id: str, **changes: object) -> Group:
        current = self._group(group_id)
        _reject_unknown(changes, (*_GROUP_FIELDS, "active"), "group")
        updated = self._validated_group(current.with_(**changes))
        self._save_core(f"change to group {current.name}", "groups", updated)
        return updated

    @_locked
    def end_group(self, group_id: str, end_date: date) -> Group:
        current = self._group(group_id)
        end = parse_date(end_date, "end date")
        memberships = [
            m if m.end is not None else m.with_(end=max(m.start, end)) for m in current.memberships
        ]
        updated = self._validated_group(
            current.with_(end_date=end, active=False, memberships=memberships)
        )
        self._save_core(f"ended group {current.name} on {end}", "groups", updated)
        return updated

    def _member_change(
        self, group_id: str, student_id: str, on: date, what: str
    ) -> tuple[Group, Student, date]:
        """The group, the student and the date (``what``: joined, left) of a membership change."""
        return self._group(group_id), self._student(student_id), parse_date(on, what)

    @_locked
    def add_member(self, group_id: str, student_id: str, on: date) -> Group:
        current, student, day = self._member_change(group_id, student_id, on, "joined")
        for m in current.memberships:
            if m.student_id == student.id and (m.end is None or m.end > day):
                raise ValidationError(
                    f"{student.name} is already in {current.name} on {day}",
                    field="student_id",
                    value=student.id,
                )
        updated = current.with_(memberships=[*current.memberships, Membership(student.id, day)])
        self._save_core(f"added {student.name} to {current.name}", "groups", updated)
        return updated

    @_locked
    def remove_member(self, group_id: str, student_id: str, on: date) -> Group:
        current, student, day = self._member_change(group_id, student_id, on, "left")
        index = next(
            (
                i
                for i, m in enumerate(current.memberships)
                if m.student_id == student.id and m.end is None
            ),
            None,
        )
        if index is None:
            raise ValidationError(
                f"{student.name} is not in {current.name}", field="student_id", value=student.id
            )
        membership = current.memberships[index]
        if day < membership.start:
            raise ValidationError(
                f"left {day} is before {student.name} joined {current.name} on {membership.start}",
                field="on",
                value=day,
            )
        memberships = list(current.memberships)
        memberships[index] = membership.with_(end=day)
        updated = current.with_(memberships=memberships)
        self._save_core(f"removed {student.name} from {current.name}", "groups", updated)
        return updated

    @_locked
    def group(self, group_id: str) -> Group:
        return self._group(group_id)

    @_locked
    def groups(self, *, include_inactive: bool = False) -> list[Group]:
        out = self._core_records("groups", Group, include_inactive=include_inactive)
        return sorted(out, key=lambda g: (g.start_time, g.name.casefold(), g.id))

    @_locked
    def groups_open_on(self, day: date) -> list[Group]:
        """The active groups not ended before ``day`` (no end date, or one on or after it),
        in :meth:`groups` order: the only ones that can meet on ``day`` or later (a group's
        meetings stop at its end date, store.schedule). The ended ones are not parsed: past
        school years' groups are most of a school's table (issue 16)."""
        cutoff = parse_date(day).isoformat()
        docs = [
            d
            for d in self._docs(CORE_FILE, "groups")
            if d.get("active", True) and not _ended_before(d.get("end_date"), cutoff)
        ]
        out = [Group.from_doc(d) for d in docs]
        return sorted(out, key=lambda g: (g.start_time, g.name.casefold(), g.id))

    @_locked
    def groups_with(self, student_ids: Iterable[str]) -> list[Group]:
        """Every group (inactive ones too) any of ``student_ids`` was ever a member of, in
        :meth:`groups` order. Only those groups are parsed: Today's first paint needs the
        shown group's members' groups, not every past year's (issue 16)."""
        wanted = set(student_ids)
        docs = [
            d
            for d in self._docs(CORE_FILE, "groups")
            if any(m.get("student_id") in wanted for m in d.get("memberships", ()))
        ]
        out = [Group.from_doc(d) for d in docs]
        return sorted(out, key=lambda g: (g.start_time, g.name.casefold(), g.id))

    @_locked
    def groups_of(self, student_id: str, on: date | None = None) -> list[Group]:
        """Groups the student is in now (open membership, active group) or on a date."""
        if on is None:
            return [g for g in self.groups() if student_id in g.member_ids]
        day = parse_date(on)
        return [g for g in self.groups(include_inactive=True) if student_id in g.members_on(day)]

    # ----------------------------------------------------------------- caseload management (issue 6)
    def _membership_changes(
        self, current: Group, student_ids: list[str], day: date
    ) -> list[Membership]:
        """``current``'s memberships after making ``student_ids`` the members from ``day`` on:
        leavers' open memberships end on ``day``, newcomers join on ``day``."""
        wanted = list(dict.fromkeys(student_ids))
        for sid in wanted:
            self._student(sid)
        memberships = list(current.memberships)
        for i, m in enumerate(memberships):
            if m.end is None and m.student_id not in wanted:
                if day < m.start:
                    name = self._student_name(m.student_id)
                    raise ValidationError(
                        f"left {day} is before {name} joined {current.name} on {m.start}",
                        field="on",
                        value=day,
                    )
                memberships[i] = m.with_(end=day)
        open_ids = {m.student_id for m in memberships if m.end is None}
        for sid in wanted:
            if sid in open_ids:
                continue
            if any(m.student_id == sid and m.end is not None and m.end > day for m in memberships):
                raise ValidationError(
                    f"{self._student_name(sid)} was in {current.name} after {day}; "
                    "choose a later date",
                    field="on",
                    value=day,
                )
            memberships.append(Membership(sid, day))
        return memberships

    @_locked
    def save_group(
        self, group_id: str, student_ids: list[str], on: date, **changes: object
    ) -> Group:
        """Change a group's fields and make ``student_ids`` its members from ``on`` (leavers'
        memberships end that day, newcomers join that day): validated whole, one write, one
        undo step."""
        current = self._group(group_id)
        day = parse_date(on, "changes take effect")
        _reject_unknown(changes, _GROUP_FIELDS, "group")
        memberships = self._membership_changes(current, list(student_ids), day)
        updated = self._validated_group(current.with_(**changes, memberships=memberships))
        self._save_core(f"change to group {current.name}", "groups", updated)
        return updated

    @_locked
    def move_member(
        self, student_id: str, from_group: str, to_group: str, on: date
    ) -> tuple[Group, Group]:
        """Move a student between groups on a date (leaves one, joins the other that day, so
        dosage and history stay right). One undo step."""
        source = self._group(from_group)
        target = self._group(to_group)
        student = self._student(student_id)
        day = parse_date(on, "moved on")
        if source.id == target.id:
            raise ValidationError(
                f"{student.name} is already in {source.name}", field="to_group", value=to_group
            )
        if student.id not in source.member_ids:
            raise ValidationError(
                f"{student.name} is not in {source.name}", field="from_group", value=from_group
            )
        left = source.with_(
            memberships=self._membership_changes(
                source, [s for s in source.member_ids if s != student.id], day
            )
        )
        joined = target.with_(
            memberships=self._membership_changes(target, [*target.member_ids, student.id], day)
        )
        left = self._validated_group(left)
        joined = self._validated_group(joined)
        self._commit(
            f"moved {student.name} from {source.name} to {target.name} on {day}",
            [
                (CORE_FILE, "groups", left.id, left.to_doc()),
                (CORE_FILE, "groups", joined.id, joined.to_doc()),
            ],
        )
        return left, joined

    @_locked
    def archive_and_unenroll(self, student_id: str, on: date) -> tuple[Student, list[Group]]:
        """Archive a student (records kept, hidden from Today and the caseload) and end their
        open group memberships on ``on``, so planned dosage stops there. One undo step;
        ``restore_student`` brings the student back (without rejoining the groups)."""
        student = self._student(student_id)
        day = parse_date(on, "archived on")
        groups: list[Group] = []
        for doc in self._docs(CORE_FILE, "groups"):
            group = Group.from_doc(doc)
            if student.id not in group.member_ids:
                continue
            memberships = [
                m.with_(end=max(m.start, day))
                if m.student_id == student.id and m.end is None
                else m
                for m in group.memberships
            ]
            groups.append(self._validated_group(group.with_(memberships=memberships)))
        archived = student.with_(active=False)
        ops: list[_Op] = [(CORE_FILE, "groups", g.id, g.to_doc()) for g in groups]
        ops.append((CORE_FILE, "students", student.id, archived.to_doc()))
        self._commit(f"archived {student.name}", ops)
        return archived, groups
