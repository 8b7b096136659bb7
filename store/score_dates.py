"""Reading the dates of a score file: ISO, US ``M/D/YYYY`` (``D/M/YYYY`` with ``dmy``),
month names; a date without a year takes the school year's. When every numeric date reads
both ways and the readings differ, the order is worked out from the school year or asked for.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date

from store.model import school_year_of
from store.records import mutable_record

DATE_FORMATS = ("mdy", "dmy")
_MONTHS = {
    name: i
    for i, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        1,
    )
    for name in names
}
_ISO = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})")
_NUMERIC = re.compile(r"(\d{1,2})[/.-](\d{1,2})(?:[/.-](\d{2}|\d{4}))?")
_MONTH_FIRST = re.compile(r"([a-z]{3,9})\.?[\s-]+(\d{1,2})(?:st|nd|rd|th)?(?:,?[\s-]+(\d{4}))?")
_DAY_FIRST = re.compile(r"(\d{1,2})(?:st|nd|rd|th)?[\s-]+([a-z]{3,9})\.?(?:,?[\s-]+(\d{2}|\d{4}))?")
_TIME_SUFFIX = re.compile(r"[ T]\d{1,2}:\d{2}(?::\d{2})?(?:\.\d+)?\s*(?:[ap]\.?m\.?)?$", re.I)


@mutable_record
class DateContext:
    """What reading dates needs: the school year (for dates without a year), the order of
    numeric dates (None: work it out from the file)."""

    year_start: date
    order: str | None = None
    year_end: date | None = None
    today: date | None = None

    def year_for(self, month: int) -> int:
        first = school_year_of(self.year_start)
        return first if month >= 7 else first + 1


def _year(text: str | None, month: int, ctx: DateContext) -> int:
    if not text:
        return ctx.year_for(month)
    year = int(text)
    return 2000 + year if year < 100 else year


def _make(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def date_readings(text: str, ctx: DateContext) -> dict[str, date | None] | None:
    """The ways a date cell can be read: ``{"any": d}`` for ISO and month names,
    ``{"mdy": d1, "dmy": d2}`` for numeric dates (None: impossible that way), None when the
    text is not a date at all."""
    t = _TIME_SUFFIX.sub("", text.strip()).strip().lower()
    if not t:
        return None
    if m := _ISO.fullmatch(t):
        return {"any": _make(int(m[1]), int(m[2]), int(m[3]))}
    if m := _NUMERIC.fullmatch(t):
        a, b = int(m[1]), int(m[2])
        return {
            "mdy": _make(_year(m[3], a, ctx), a, b) if a <= 12 else None,
            "dmy": _make(_year(m[3], b, ctx), b, a) if b <= 12 else None,
        }
    for pattern, month_group, day_group in ((_MONTH_FIRST, 1, 2), (_DAY_FIRST, 2, 1)):
        if m := pattern.fullmatch(t):
            month = _MONTHS.get(m[month_group])
            if month is None:
                return None
            return {"any": _make(_year(m[3], month, ctx), month, int(m[day_group]))}
    return None


def choose_order(
    readings: Sequence[dict[str, date | None]], given: str | None, ctx: DateContext | None = None
) -> str | None:
    """The order of numeric dates: ``given``, else the one every date allows; when both do
    and the readings differ, the only one that puts every date inside this school year up to
    today (``ctx``), else None (ambiguous: ask)."""
    if given:
        return given
    numeric = [r for r in readings if "any" not in r]
    mdy = all(r["mdy"] for r in numeric)
    dmy = all(r["dmy"] for r in numeric)
    if mdy and dmy:
        if all(r["mdy"] == r["dmy"] for r in numeric):
            return "mdy"
        if ctx is not None and ctx.year_end is not None:
            lo, hi = ctx.year_start, min(ctx.year_end, ctx.today or ctx.year_end)
            fits = [
                order
                for order in DATE_FORMATS
                if all(lo <= d <= hi for r in numeric if (d := r[order]) is not None)
            ]
            if len(fits) == 1:
                return fits[0]
        return None
    if dmy:
        return "dmy"
    return "mdy"  # also when neither fits every date: the impossible ones are problems


def resolve_date(reading: dict[str, date | None], order: str) -> date | None:
    return reading["any"] if "any" in reading else reading[order]


def ambiguity(examples: Sequence[str]) -> str:
    shown = ", ".join(examples[:3])
    return (
        f"the dates ({shown}) read both as month/day and as day/month: "
        "choose the date format (mdy for 9/8 = September 8, dmy for 9/8 = 9 August)"
    )
