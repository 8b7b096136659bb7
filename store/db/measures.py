"""The school calendar and the measures (built-in and the user's own)."""

from __future__ import annotations

from store.db.core import CoreStore, UnknownIdError, _locked, _reject_unknown
from store.db.layout import CORE_FILE
from store.errors import ValidationError
from store.model import Measure, SchoolCalendar, default_calendar
from store.validation import check_date_range


class MeasuresMixin(CoreStore):
    """The school calendar and the measures."""

    @_locked
    def calendar(self) -> SchoolCalendar:
        doc = self._find(CORE_FILE, "calendar", "calendar")
        if doc is None:
            return default_calendar(self.today())
        return SchoolCalendar.from_doc(doc)

    @_locked
    def set_calendar(self, calendar: SchoolCalendar) -> SchoolCalendar:
        if not isinstance(calendar, SchoolCalendar):
            raise ValidationError(
                "calendar must be a SchoolCalendar", field="calendar", value=calendar
            )
        cal = calendar.validated()
        today = self.today()
        check_date_range(cal.year_start, "first day of school", today)
        check_date_range(cal.year_end, "last day of school", today)
        for day in cal.no_school:
            check_date_range(day.start, "no-school start", today)
            check_date_range(day.end or day.start, "no-school end", today)
        doc = {"id": "calendar", **cal.to_doc()}
        self._commit(
            f"school calendar change ({cal.year_start} to {cal.year_end})",
            [(CORE_FILE, "calendar", "calendar", doc)],
        )
        return cal

    @_locked
    def measures(self, *, include_inactive: bool = False) -> list[Measure]:
        return self._core_records("measures", Measure, include_inactive=include_inactive)

    @_locked
    def measure(self, code: str) -> Measure:
        try:
            return self._measure(code)
        except ValidationError:
            raise UnknownIdError("measure", code) from None

    @_locked
    def add_measure(self, measure: Measure) -> Measure:
        if not isinstance(measure, Measure):
            raise ValidationError("measure must be a Measure", field="measure", value=measure)
        m = measure.validated().with_(builtin=False, active=bool(measure.active))
        for doc in self._docs(CORE_FILE, "measures"):
            if doc["code"].casefold() == m.code.casefold():
                raise ValidationError(
                    f"measure code {m.code!r} is already used by {doc['name']}",
                    field="code",
                    value=m.code,
                )
        self._save_core(f"added measure {m.code}", "measures", m)
        return m

    @_locked
    def update_measure(self, code: str, **changes: object) -> Measure:
        current = self.measure(code)
        allowed = (
            ("active",)
            if current.builtin
            else (
                "name",
                "unit",
                "min",
                "max",
                "higher_is_better",
                "decimals",
                "records_errors",
                "active",
            )
        )
        if current.builtin and set(changes) - {"active"}:
            bad = sorted(set(changes) - {"active"})[0]
            raise ValidationError(
                f"{current.code} is a built-in measure; only 'active' can change, not {bad!r}",
                field=bad,
                value=changes[bad],
            )
        _reject_unknown(changes, allowed, "measure")
        updated = current.with_(**changes).validated()
        updated = updated.with_(active=bool(updated.active))
        self._save_core(f"change to measure {current.code}", "measures", updated)
        return updated
