"""Checks and conversions for values typed by people or read from files.

Each raises :class:`store.errors.ValidationError` with a message naming the field, the value
and what is allowed. The records in :mod:`store.model` (which re-exports these) and the Store
call them before anything is written.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from datetime import date, datetime, time
from typing import Any, TypeVar

from store.errors import ValidationError

_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
_TIME_RE = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
#: A number as typed: ASCII digits with at most one '.', an optional leading minus.
_DECIMAL_RE = re.compile(r"-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)", re.ASCII)

MAX_NAME = 80
MAX_TEXT = 2000


# --------------------------------------------------------------------------- conversions
def iso(d: date | None) -> str | None:
    """A date as an ISO string (``None`` stays ``None``)."""
    return None if d is None else d.isoformat()


def parse_date(value: Any, field_name: str = "date") -> date:
    """Accept a ``date`` or an ISO ``YYYY-MM-DD`` string; anything else is a ValidationError."""
    if type(value) is str and len(value) == 10:  # a stored date: the common case, first
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ValidationError(
        f"{field_name} {value!r} is not a date (use YYYY-MM-DD)", field=field_name, value=value
    )


#: The earliest date the store takes: anything before is a typo (1926 for 2026), not data.
EARLIEST_DATE = date(1990, 1, 1)


def latest_date(today: date) -> date:
    """The latest date the store takes: a year after ``today`` (28 Feb for 29 Feb)."""
    try:
        return today.replace(year=today.year + 1)
    except ValueError:
        return today.replace(year=today.year + 1, day=28)


def check_date_range(day: date, field_name: str, today: date) -> date:
    """``day`` if it lies within 1990-01-01 … a year after ``today``, else ValidationError."""
    last = latest_date(today)
    if not EARLIEST_DATE <= day <= last:
        raise ValidationError(
            f"{field_name} {day.isoformat()} is outside {EARLIEST_DATE.isoformat()} … "
            f"{last.isoformat()} (a typo in the year?)",
            field=field_name,
            value=day,
        )
    return day


def parse_optional_date(value: Any, field_name: str) -> date | None:
    if value is None or value == "":
        return None
    return parse_date(value, field_name)


def parse_time(value: Any, field_name: str = "start time") -> str:
    """Accept ``H:MM`` / ``HH:MM`` (24 h) or a ``time``; return ``HH:MM``."""
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, str):
        text = value.strip()
        if re.fullmatch(r"\d:\d\d", text):
            text = "0" + text
        if _TIME_RE.fullmatch(text):
            return text
    raise ValidationError(
        f"{field_name} {value!r} is not a time of day (use HH:MM, 24-hour)",
        field=field_name,
        value=value,
    )


def time_of(hhmm: str) -> time:
    h, m = hhmm.split(":")
    return time(int(h), int(m))


def check_text(
    value: Any, field_name: str, *, required: bool = False, limit: int = MAX_NAME
) -> str:
    """A user-typed string: stripped, within ``limit`` characters, no control characters."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValidationError(f"{field_name} {value!r} is not text", field=field_name, value=value)
    text = value.strip()
    if required and not text:
        raise ValidationError(f"{field_name} is required", field=field_name, value=value)
    if len(text) > limit:
        raise ValidationError(
            f"{field_name} is {len(text)} characters long; at most {limit} are allowed",
            field=field_name,
            value=value,
        )
    if any(ord(c) < 32 and c not in "\n\t" for c in text):
        raise ValidationError(
            f"{field_name} {text!r} contains control characters", field=field_name, value=value
        )
    return text


def check_id(value: Any, field_name: str = "id") -> str:
    if not isinstance(value, str) or not _ID_RE.fullmatch(value):
        raise ValidationError(
            f"{field_name} {value!r} is not a valid id (letters, digits, . _ -; up to 64)",
            field=field_name,
            value=value,
        )
    return value


def check_number(
    value: Any, field_name: str, *, lo: float | None = None, hi: float | None = None
) -> float:
    """A finite number (bool is not a number here), optionally within lo..hi."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        if isinstance(value, str):
            # float() would take '٣٤', '1_0', '1e2', 'inf': only plain ASCII decimals here
            if not _DECIMAL_RE.fullmatch(value.strip()):
                raise ValidationError(
                    f"{field_name} {value!r} is not a number (digits and one '.')",
                    field=field_name,
                    value=value,
                )
            value = float(value.strip())
        else:
            raise ValidationError(
                f"{field_name} {value!r} is not a number", field=field_name, value=value
            )
    if not math.isfinite(value):
        raise ValidationError(
            f"{field_name} {value!r} is not a number", field=field_name, value=value
        )
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        raise ValidationError(
            f"{field_name} {fmt_number(value)} is outside {fmt_number(lo)}–{fmt_number(hi)}",
            field=field_name,
            value=value,
        )
    return value


def check_int(value: Any, field_name: str, *, lo: int | None = None, hi: int | None = None) -> int:
    number = check_number(value, field_name, lo=lo, hi=hi)
    if number != int(number):
        raise ValidationError(
            f"{field_name} {fmt_number(number)} is not a whole number",
            field=field_name,
            value=value,
        )
    return int(number)


def fmt_number(value: float | int | None, decimals: int = 2) -> str:
    """12.0 → '12', 12.5 → '12.5' (no trailing zeros)."""
    if value is None:
        return "?"
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.{decimals}f}".rstrip("0").rstrip(".")


_Ordered = TypeVar("_Ordered", date, float)


def check_after(first: _Ordered, then: _Ordered, message: str, field_name: str) -> None:
    """Refuse ``then`` unless it comes after ``first`` (ValidationError ``message`` on
    ``field_name``): a measure's maximum above its minimum, a goal date after its baseline."""
    if then <= first:
        raise ValidationError(message, field=field_name, value=then)


def check_unique(key: str, seen: set[str], message: str, field_name: str) -> None:
    """Refuse a second entry for ``key`` (ValidationError ``message`` on ``field_name``);
    a new key is added to ``seen``."""
    if key in seen:
        raise ValidationError(message, field=field_name, value=key)
    seen.add(key)


def _choice(value: Any, field_name: str, allowed: Iterable[str]) -> str:
    allowed = list(allowed)
    if value not in allowed:
        raise ValidationError(
            f"{field_name} {value!r} is not one of: {', '.join(str(a) for a in allowed)}",
            field=field_name,
            value=value,
        )
    return value
