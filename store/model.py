"""The records an interventionist keeps, as plain dataclasses.

Every record converts to and from a JSON-safe dict (``to_doc`` / ``from_doc``): dates are ISO
strings in the document and ``date`` objects in Python. The validation helpers
(:mod:`store.validation`, re-exported here) raise :class:`store.errors.ValidationError` with a
message naming the field, the value and what is allowed; the Store calls them before anything
is written.

Vocabulary and built-in measures follow ``shared/DOMAIN.md``.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Hashable, Iterable
from dataclasses import asdict, field, fields, is_dataclass, replace
from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Self, cast

from store.errors import ValidationError
from store.records import mutable_record
from store.validation import (
    MAX_TEXT,
    _choice,
    check_after,
    check_id,
    check_int,
    check_number,
    check_text,
    check_unique,
    fmt_number,
    parse_date,
    parse_optional_date,
    parse_time,
    time_of,
)

GRADES: tuple[str, ...] = ("K", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12")
TIERS: tuple[int, ...] = (2, 3)
SESSION_STATUSES: tuple[str, ...] = ("delivered", "cancelled")
CANCEL_REASONS: dict[str, str] = {
    "student-activity": "student activity",
    "interventionist-pulled": "interventionist pulled for other duty",
    "assembly": "assembly",
    "testing": "testing",
    "interventionist-absent": "interventionist absent",
    "no-school": "no school",
    "other": "other",
}
# Ed-Fi StudentInterventionAttendanceEvent: present/absent with a reason and a duration.
ATTENDANCE_STATUSES: dict[str, str] = {
    "present": "present",
    "absent": "absent",
    "late": "late",
    "left-early": "left early",
}
ABSENCE_REASONS: dict[str, str] = {
    "absent": "absent from school",
    "school-activity": "school activity",
    "interventionist-pulled": "interventionist pulled",
    "refused": "refused / did not come",
    "other": "other",
}
GOAL_METHODS: dict[str, str] = {
    "norms-realistic": "norms, realistic growth (Fuchs 1993)",
    "norms-ambitious": "norms, ambitious growth (Fuchs 1993)",
    "benchmark": "benchmark target",
    "roi": "rate of improvement",
    "custom": "custom",
}
WEEKDAYS: tuple[str, ...] = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")

_CODE_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,15}$")


# --------------------------------------------------------------------------- grades
def check_grade(value: Any) -> str:
    text = str(value).strip().upper() if value is not None else ""
    if text in ("0", "KG", "KINDERGARTEN"):
        text = "K"
    text = text.lstrip("0") or text
    if text not in GRADES:
        raise ValidationError(
            f"grade {value!r} is not a school grade (allowed: K, 1–12)", field="grade", value=value
        )
    return text


def grade_number(grade: str) -> int:
    """K → 0, '3' → 3."""
    return 0 if grade == "K" else int(grade)


@functools.cache
def _field_names(cls: Hashable) -> frozenset[str]:
    """The dataclass's field names (``fields()`` is slow; every record read asks). Typed as
    Hashable: a record class hashes as any class does, its instances' ``__hash__`` aside."""
    return frozenset(f.name for f in fields(cast(type, cls)))


class Record:
    """Mixin: dict round trip for the dataclasses below."""

    def to_doc(self) -> dict[str, Any]:
        """The stored document: fields in declaration order, dates as ISO text, nested
        records as documents (what ``_jsonable(asdict(self))`` gives, without asdict's deep
        copy of every value: a backup converts records by the hundred thousand)."""
        names = _field_order(cast(Hashable, type(self)))
        return {name: _jsonable(getattr(self, name)) for name in names}

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> Self:
        """Build from a stored document; lists are copied, so the record never shares
        mutable state with the store's cached document (no deep copy needed)."""
        names = _field_names(cast(Hashable, cls))
        return cls(**_fields_of(doc, names))

    def with_(self, **changes: Any) -> Self:
        # as to_doc: Record's subclasses are dataclasses, the mixin itself is not
        return replace(self, **changes)  # type: ignore[type-var]


@functools.cache
def _field_order(cls: Hashable) -> tuple[str, ...]:
    """The dataclass's field names in declaration order (as ``asdict`` lists them)."""
    return tuple(f.name for f in fields(cast(type, cls)))


def _fields_of(doc: dict[str, Any], names: frozenset[str]) -> dict[str, Any]:
    """The document's entries that are fields (``names``), lists copied. One dict
    comprehension per record, no call per value: records are read by the thousand."""
    return {k: list(v) if isinstance(v, list) else v for k, v in doc.items() if k in names}


_PLAIN_VALUES = (str, int, float, type(None))  # a tuple: isinstance is quicker than with a union


def _jsonable(value: Any) -> Any:
    if isinstance(value, _PLAIN_VALUES):
        return value
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, Record):
        return value.to_doc()
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if is_dataclass(value) and not isinstance(value, type):
        return _jsonable(asdict(value))
    return value


# --------------------------------------------------------------------------- records
@mutable_record
class Student(Record):
    id: str
    given_name: str
    family_name: str
    grade: str
    sis_id: str | None = None
    active: bool = True
    notes: str = ""

    @property
    def name(self) -> str:
        return f"{self.given_name} {self.family_name}".strip()

    @property
    def sort_key(self) -> tuple[str, str]:
        return (self.family_name.casefold(), self.given_name.casefold())

    def validated(self) -> Student:
        return replace(
            self,
            id=check_id(self.id, "student id"),
            given_name=check_text(self.given_name, "given name", required=True),
            family_name=check_text(self.family_name, "family name"),
            grade=check_grade(self.grade),
            sis_id=(check_text(self.sis_id, "SIS identifier", limit=64) or None),
            active=bool(self.active),
            notes=check_text(self.notes, "notes", limit=MAX_TEXT),
        )


@mutable_record
class Measure(Record):
    """What a probe yields (DOMAIN.md: ORF, NWF, LNF, Maze, M-COMP, DBR, CICO).

    ``behaviour`` measures (CICO daily %, DBR ratings) are judged against a flat goal line with
    the behaviour rules (CICO-SWIS), not the academic point/trend rules. ``trend_tolerance`` is
    the trend rule's ±band in this measure's units per week (aimsweb's 0.5 is in WCPM); None
    takes a fraction of the needed ROI (``DecisionConfig.trend_tolerance_fraction``)."""

    code: str
    name: str
    unit: str
    min: float
    max: float
    higher_is_better: bool = True
    decimals: int = 0
    records_errors: bool = False
    builtin: bool = False
    active: bool = True
    behaviour: bool = False
    trend_tolerance: float | None = None

    def check_value(self, value: Any) -> float:
        """A probe value on this measure's scale, or a ValidationError like
        ``ORF score 412 is outside 0–300``."""
        number = check_number(value, f"{self.code} score")
        if number < self.min or number > self.max:
            raise ValidationError(
                f"{self.code} score {fmt_number(number)} is outside "
                f"{fmt_number(self.min)}–{fmt_number(self.max)}",
                field="value",
                value=value,
            )
        step = 10 ** (-self.decimals)
        if abs(round(number / step) * step - number) > 1e-9:
            allowed = "whole numbers" if self.decimals == 0 else f"{self.decimals} decimal places"
            raise ValidationError(
                f"{self.code} score {fmt_number(number, 6)} has too many decimals ({allowed})",
                field="value",
                value=value,
            )
        return round(number, self.decimals) if self.decimals else float(int(round(number)))

    def format(self, value: float | None) -> str:
        if value is None:
            return "–"
        return f"{value:.{self.decimals}f}"

    def validated(self) -> Measure:
        if not isinstance(self.code, str) or not _CODE_RE.fullmatch(self.code):
            raise ValidationError(
                f"measure code {self.code!r} must start with a letter and use letters, "
                "digits, - or _ (up to 16)",
                field="code",
                value=self.code,
            )
        lo = check_number(self.min, "minimum")
        hi = check_number(self.max, "maximum")
        message = f"maximum {fmt_number(hi)} must be above minimum {fmt_number(lo)}"
        check_after(lo, hi, message, "max")
        return replace(
            self,
            name=check_text(self.name, "measure name", required=True),
            unit=check_text(self.unit, "unit", required=True),
            min=lo,
            max=hi,
            higher_is_better=bool(self.higher_is_better),
            decimals=check_int(self.decimals, "decimals", lo=0, hi=3),
            records_errors=bool(self.records_errors),
            behaviour=bool(self.behaviour),
            trend_tolerance=(
                None
                if self.trend_tolerance is None
                else check_number(self.trend_tolerance, "trend tolerance", lo=0)
            ),
        )


BUILTIN_MEASURES: tuple[Measure, ...] = (
    # aimsweb's trend-rule band is ±0.5 words correct per minute a week (ORF only).
    Measure(
        "ORF", "Oral reading fluency", "words correct per minute", 0, 300, True, 0, True, True,
        trend_tolerance=0.5,
    ),
    Measure("NWF", "Nonsense word fluency", "correct letter sounds", 0, 200, True, 0, True, True),
    Measure("LNF", "Letter naming fluency", "letters per minute", 0, 120, True, 0, True, True),
    Measure("Maze", "Maze (adjusted)", "adjusted correct", 0, 60, True, 1, False, True),
    Measure("MCOMP", "Math computation", "digits correct per minute", 0, 150, True, 0, False, True),
    Measure(
        "DBR", "Direct behaviour rating", "rating 0–10", 0, 10, True, 1, False, True,
        behaviour=True,
    ),
    # DBR-SIS standard items (Chafouleas et al.): rated 0–10 right after a defined period.
    Measure(
        "DBR-AE", "DBR academic engagement", "rating 0–10", 0, 10, True, 1, False, True,
        behaviour=True,
    ),
    Measure(
        "DBR-RS", "DBR respectful", "rating 0–10", 0, 10, True, 1, False, True, behaviour=True
    ),
    Measure(
        "DBR-DB", "DBR disruptive behaviour", "rating 0–10", 0, 10, False, 1, False, True,
        behaviour=True,
    ),
    Measure(
        "CICO", "Check-In/Check-Out", "% of points", 0, 100, True, 0, False, True, behaviour=True
    ),
)  # fmt: skip


@mutable_record
class Membership(Record):
    """A student's time in a group: joined on ``start``, left on ``end`` (None = still in)."""

    student_id: str
    start: date
    end: date | None = None

    def active_on(self, d: date) -> bool:
        return self.start <= d and (self.end is None or d < self.end)

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> Membership:
        return cls(
            student_id=doc["student_id"],
            start=parse_date(doc["start"], "joined"),
            end=parse_optional_date(doc.get("end"), "left"),
        )


@mutable_record
class Group(Record):
    id: str
    name: str
    program: str = ""
    skill_focus: str = ""
    tier: int = 2
    location: str = ""
    memberships: list[Membership] = field(default_factory=list)
    start_time: str = "08:00"
    duration_minutes: int = 30
    rrule: str = "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"
    start_date: date | None = None
    end_date: date | None = None
    measures: list[str] = field(default_factory=list)
    probe_every_weeks: int = 1
    fidelity_items: list[str] = field(default_factory=list)
    active: bool = True

    @property
    def member_ids(self) -> list[str]:
        """Students currently in the group (open memberships)."""
        return [m.student_id for m in self.memberships if m.end is None]

    def members_on(self, d: date) -> list[str]:
        return [m.student_id for m in self.memberships if m.active_on(d)]

    @property
    def start(self) -> time:
        return time_of(self.start_time)

    @property
    def end_time(self) -> str:
        minutes = self.start.hour * 60 + self.start.minute + self.duration_minutes
        return f"{(minutes // 60) % 24:02d}:{minutes % 60:02d}"

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> Group:
        data = dict(doc)
        data["memberships"] = [Membership.from_doc(m) for m in doc.get("memberships", [])]
        data["start_date"] = parse_optional_date(doc.get("start_date"), "start date")
        data["end_date"] = parse_optional_date(doc.get("end_date"), "end date")
        names = _field_names(cast(Hashable, cls))
        return cls(**_fields_of(data, names))

    def validated(self) -> Group:
        start_date = parse_optional_date(self.start_date, "start date")
        end_date = parse_optional_date(self.end_date, "end date")
        if start_date and end_date and end_date < start_date:
            raise ValidationError(
                f"end date {end_date} is before start date {start_date}",
                field="end_date",
                value=end_date,
            )
        measures = list(self.measures)
        if len(set(measures)) != len(measures):
            raise ValidationError(
                f"measures {measures} lists one twice", field="measures", value=measures
            )
        return replace(
            self,
            id=check_id(self.id, "group id"),
            name=check_text(self.name, "group name", required=True),
            program=check_text(self.program, "program"),
            skill_focus=check_text(self.skill_focus, "skill focus"),
            # _choice is typed for str choices; tier's choices are the ints 2 and 3
            tier=int(_choice(self.tier, "tier", [2, 3])),  # type: ignore[list-item]
            location=check_text(self.location, "location"),
            start_time=parse_time(self.start_time),
            duration_minutes=check_int(self.duration_minutes, "duration (minutes)", lo=5, hi=240),
            rrule=check_text(self.rrule, "recurrence", required=True, limit=500),
            start_date=start_date,
            end_date=end_date,
            measures=measures,
            probe_every_weeks=check_int(
                self.probe_every_weeks, "probe interval (weeks)", lo=1, hi=8
            ),
            fidelity_items=[
                check_text(i, "fidelity item", required=True) for i in self.fidelity_items
            ],
            active=bool(self.active),
        )


@mutable_record
class Goal(Record):
    """Target score by a goal date; the aim line runs from the baseline to it (DOMAIN.md)."""

    id: str
    student_id: str
    measure: str
    baseline_value: float
    baseline_date: date
    goal_value: float
    goal_date: date
    method: str = "custom"
    set_on: date | None = None
    note: str = ""

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> Goal:
        data = dict(doc)
        data["baseline_date"] = parse_date(doc["baseline_date"], "baseline date")
        data["goal_date"] = parse_date(doc["goal_date"], "goal date")
        data["set_on"] = parse_optional_date(doc.get("set_on"), "set on")
        names = _field_names(cast(Hashable, cls))
        return cls(**_fields_of(data, names))

    def validated(self, measure: Measure) -> Goal:
        baseline_date = parse_date(self.baseline_date, "baseline date")
        goal_date = parse_date(self.goal_date, "goal date")
        message = f"goal date {goal_date} must be after the baseline date {baseline_date}"
        check_after(baseline_date, goal_date, message, "goal_date")
        return replace(
            self,
            baseline_value=_measure_value(measure, self.baseline_value, "baseline"),
            baseline_date=baseline_date,
            goal_value=_measure_value(measure, self.goal_value, "goal"),
            goal_date=goal_date,
            method=_choice(self.method, "goal method", GOAL_METHODS),
            set_on=parse_optional_date(self.set_on, "set on"),
            note=check_text(self.note, "note", limit=MAX_TEXT),
        )


def _measure_value(measure: Measure, value: Any, what: str) -> float:
    try:
        return measure.check_value(value)
    except ValidationError as exc:
        raise ValidationError(
            str(exc).replace(f"{measure.code} score", f"{measure.code} {what}"),
            field=what,
            value=value,
        ) from None


@mutable_record
class Score(Record):
    """One day's probe score. With several passages read in one sitting (benchmark ORF:
    DIBELS / Acadience / aimsweb practice) ``value`` is their median and ``passages`` keeps
    each one, in the order read; a single reading has no passages."""

    id: str
    student_id: str
    measure: str
    date: date
    value: float
    errors: int | None = None
    session_id: str | None = None
    entered_at: datetime | None = None
    passages: list[float] = field(default_factory=list)

    def to_doc(self) -> dict[str, Any]:
        doc = super().to_doc()
        if not doc["passages"]:  # files of single readings stay as they were
            del doc["passages"]
        return doc

    @staticmethod
    def median(values: Iterable[float], decimals: int = 0) -> float:
        """The median; an even count takes the midpoint of the two middle values, rounded
        half up to ``decimals`` places (61, 58 → 59.5 → 60 for a whole-number measure)."""
        ordered = sorted(values)
        if not ordered:
            raise ValueError("the median of no values")
        mid = len(ordered) // 2
        if len(ordered) % 2:
            return float(ordered[mid])
        middle = (Decimal(repr(ordered[mid - 1])) + Decimal(repr(ordered[mid]))) / 2
        return float(middle.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP))

    @property
    def accuracy(self) -> float | None:
        """correct / (correct + errors), as a fraction (DOMAIN.md, ORF)."""
        if self.errors is None or self.value + self.errors == 0:
            return None
        return self.value / (self.value + self.errors)

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> Score:
        """Build from a stored document, as ``Record.from_doc`` (lists copied, unknown keys
        ignored), field by field: scores are read by the thousand (issue 16)."""
        get = doc.get
        entered = get("entered_at")
        passages = get("passages", [])
        return cls(
            doc["id"],
            doc["student_id"],
            doc["measure"],
            parse_date(doc["date"]),
            doc["value"],
            get("errors"),
            get("session_id"),
            datetime.fromisoformat(entered) if entered else None,
            list(passages) if isinstance(passages, list) else passages,
        )


@mutable_record
class Attendance(Record):
    """One student's attendance at one session (Ed-Fi intervention attendance event)."""

    student_id: str
    status: str = "present"
    reason: str | None = None
    minutes: int | None = None

    @property
    def attended(self) -> bool:
        return self.status != "absent"

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> Attendance:
        """As ``Record.from_doc``, spelled out: a caseload reads attendance by the hundred
        thousand, and the generic field lookup per entry was most of its time (issue 16)."""
        get = doc.get
        return cls(doc["student_id"], get("status", "present"), get("reason"), get("minutes"))

    def validated(self, session_minutes: int | None) -> Attendance:
        status = _choice(self.status, "attendance", ATTENDANCE_STATUSES)
        reason = self.reason or None
        if status == "absent":
            reason = _choice(reason or "absent", "absence reason", ABSENCE_REASONS)
        elif reason is not None:
            reason = check_text(reason, "attendance note")
        minutes = None
        if self.minutes is not None:
            hi = session_minutes if session_minutes is not None else 240
            minutes = check_int(self.minutes, "minutes attended", lo=0, hi=hi)
        return replace(self, status=status, reason=reason, minutes=minutes)


@mutable_record
class Session(Record):
    """One meeting of a group on one date. ``fidelity_pct`` None means fidelity was not
    recorded: a delivered session's % is computed from ``fidelity_done`` only when at least
    one checklist item is ticked (an untouched checklist is "not recorded", never 0 %); to
    record that none of the items was done, pass ``fidelity_pct=0``."""

    id: str
    group_id: str
    date: date
    status: str = "delivered"
    cancel_reason: str | None = None
    minutes_delivered: int = 0
    lesson: str = ""
    attendance: list[Attendance] = field(default_factory=list)
    fidelity_done: list[str] = field(default_factory=list)
    fidelity_pct: float | None = None
    note: str = ""
    logged_at: datetime | None = None

    @property
    def delivered(self) -> bool:
        return self.status == "delivered"

    def attendance_of(self, student_id: str) -> Attendance | None:
        for a in self.attendance:
            if a.student_id == student_id:
                return a
        return None

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> Session:
        """Build from a stored document, as ``Record.from_doc`` (lists copied, unknown keys
        ignored), spelled out field by field: no generic lookup per session (issue 16)."""
        get = doc.get
        logged = get("logged_at")
        attendance = [Attendance.from_doc(a) for a in get("attendance", ())]
        return cls(
            doc["id"],
            doc["group_id"],
            parse_date(doc["date"]),
            get("status", "delivered"),
            get("cancel_reason"),
            get("minutes_delivered", 0),
            get("lesson", ""),
            attendance,
            list(done) if isinstance(done := get("fidelity_done", []), list) else done,
            get("fidelity_pct"),
            get("note", ""),
            datetime.fromisoformat(logged) if logged else None,
        )

    def validated(self, group: Group | None = None) -> Session:
        status = _choice(self.status, "session status", SESSION_STATUSES)
        cancel_reason = None
        minutes = check_int(self.minutes_delivered or 0, "minutes delivered", lo=0, hi=240)
        if status == "cancelled":
            cancel_reason = _choice(self.cancel_reason or "other", "cancel reason", CANCEL_REASONS)
            minutes = 0
        seen: set[str] = set()
        attendance = []
        for a in self.attendance:
            message = f"student {a.student_id} has two attendance entries"
            check_unique(a.student_id, seen, message, "attendance")
            attendance.append(a.validated(minutes if status == "delivered" else None))
        fidelity_pct = self.fidelity_pct
        done = list(self.fidelity_done)
        if group is not None and group.fidelity_items and status == "delivered":
            unknown = [i for i in done if i not in group.fidelity_items]
            if unknown:
                raise ValidationError(
                    f"fidelity item {unknown[0]!r} is not on {group.name}'s checklist",
                    field="fidelity_done",
                    value=unknown[0],
                )
            if fidelity_pct is None and done:
                fidelity_pct = 100.0 * len(set(done)) / len(group.fidelity_items)
        if fidelity_pct is not None:
            fidelity_pct = check_number(fidelity_pct, "fidelity %", lo=0, hi=100)
        return replace(
            self,
            date=parse_date(self.date),
            status=status,
            cancel_reason=cancel_reason,
            minutes_delivered=minutes,
            lesson=check_text(self.lesson, "lesson/unit"),
            attendance=attendance,
            fidelity_done=done,
            fidelity_pct=fidelity_pct,
            note=check_text(self.note, "note", limit=MAX_TEXT),
        )


@mutable_record
class PhaseChange(Record):
    """A dated change of intervention; trend and decisions restart from it (DOMAIN.md)."""

    id: str
    student_id: str
    measure: str
    date: date
    label: str

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> PhaseChange:
        data = dict(doc)
        data["date"] = parse_date(doc["date"])
        names = _field_names(cast(Hashable, cls))
        return cls(**_fields_of(data, names))


@mutable_record
class NoSchool(Record):
    """A day or a range of days without school, e.g. 'Thanksgiving break'."""

    start: date
    end: date
    label: str = ""

    def covers(self, d: date) -> bool:
        return self.start <= d <= self.end

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> NoSchool:
        start = parse_date(doc["start"], "no-school start")
        return cls(
            start=start,
            end=parse_optional_date(doc.get("end"), "no-school end") or start,
            label=doc.get("label", ""),
        )


@mutable_record
class SchoolCalendar(Record):
    year_start: date
    year_end: date
    no_school: list[NoSchool] = field(default_factory=list)

    def is_school_day(self, d: date) -> bool:
        """Weekdays inside the school year that are not no-school days."""
        if d.weekday() >= 5 or d < self.year_start or d > self.year_end:
            return False
        return not any(n.covers(d) for n in self.no_school)

    def no_school_label(self, d: date) -> str | None:
        for n in self.no_school:
            if n.covers(d):
                return n.label or "no school"
        return None

    def no_school_dates(self) -> list[date]:
        out: list[date] = []
        for n in self.no_school:
            d = n.start
            while d <= n.end:
                out.append(d)
                d = date.fromordinal(d.toordinal() + 1)
        return sorted(set(out))

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> SchoolCalendar:
        return cls(
            year_start=parse_date(doc["year_start"], "first day of school"),
            year_end=parse_date(doc["year_end"], "last day of school"),
            no_school=[NoSchool.from_doc(n) for n in doc.get("no_school", [])],
        )

    def validated(self) -> SchoolCalendar:
        start = parse_date(self.year_start, "first day of school")
        end = parse_date(self.year_end, "last day of school")
        message = f"last day of school {end} is not after the first day {start}"
        check_after(start, end, message, "year_end")
        days = []
        for n in self.no_school:
            s = parse_date(n.start, "no-school start")
            e = parse_date(n.end, "no-school end") if n.end else s
            if e < s:
                raise ValidationError(
                    f"no-school range ends {e}, before it starts {s}", field="no_school", value=e
                )
            days.append(NoSchool(s, e, check_text(n.label, "no-school label")))
        return SchoolCalendar(start, end, sorted(days, key=lambda n: n.start))


def school_year_of(d: date) -> int:
    """The school year a date belongs to, named by the calendar year it starts in (July 1)."""
    return d.year if d.month >= 7 else d.year - 1


def default_calendar(today: date) -> SchoolCalendar:
    """A school year from late August to mid June around ``today``, no holidays yet."""
    y = school_year_of(today)
    return SchoolCalendar(date(y, 8, 25), date(y + 1, 6, 12), [])


@mutable_record
class ExportRecord(Record):
    """One export that left the app: when, what, how many students (issue: privacy log)."""

    id: str
    at: datetime
    kind: str
    path: str
    students: int
    deidentified: bool = False

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> ExportRecord:
        data = dict(doc)
        data["at"] = datetime.fromisoformat(doc["at"])
        names = _field_names(cast(Hashable, cls))
        return cls(**_fields_of(data, names))
