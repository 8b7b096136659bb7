"""A group's dates are read from its rule anchored near the dates asked about (store.schedule
moves the anchor forward by whole periods of a DAILY or WEEKLY rule, so dateutil does not
walk every week since the group started): the dates must be exactly those of the rule at its
own anchor, for every rule shape, anchor and window."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from dateutil.rrule import rrulestr
from hypothesis import given, settings
from hypothesis import strategies as st

from store.model import WEEKDAYS, Group, SchoolCalendar
from store.schedule import _anchor_near, _period_days, meets_on, occurrences

YEAR = SchoolCalendar(date(2026, 8, 24), date(2027, 6, 11), [])


def group(rrule: str, start: date | None) -> Group:
    return Group(
        id="g1",
        name="Reading A",
        rrule=rrule,
        start_time="09:10",
        duration_minutes=30,
        start_date=start,
    )


def by_dateutil(rule: str, anchor: date, lo: date, hi: date) -> list[date]:
    """The school days in [lo, hi] of ``rule`` walked from its own anchor (no shortcut)."""
    parsed = rrulestr(rule.removesuffix("Z"), dtstart=datetime.combine(anchor, datetime.min.time()))
    days = parsed.between(
        datetime.combine(lo, datetime.min.time()),
        datetime.combine(hi, datetime.max.time()),
        inc=True,
    )
    return sorted({d.date() for d in days if YEAR.is_school_day(d.date())})


weekday_sets = st.sets(st.sampled_from(WEEKDAYS), min_size=1).map(
    lambda s: ",".join(d for d in WEEKDAYS if d in s)
)


@st.composite
def rules(draw: st.DrawFn) -> str:
    freq = draw(st.sampled_from(["WEEKLY", "DAILY"]))
    parts = [f"FREQ={freq}"]
    interval = draw(st.integers(1, 5))
    if interval != 1 or draw(st.booleans()):
        parts.append(f"INTERVAL={interval}")
    if draw(st.booleans()):
        parts.append(f"BYDAY={draw(weekday_sets)}")
    if draw(st.booleans()):
        parts.append(f"WKST={draw(st.sampled_from(WEEKDAYS))}")
    ends = draw(st.sampled_from(["", "UNTIL", "COUNT"]))
    if ends == "UNTIL":
        until = YEAR.year_start + timedelta(days=draw(st.integers(0, 300)))
        parts.append(f"UNTIL={until:%Y%m%d}")
    elif ends == "COUNT":  # counted from the anchor: the anchor must stay
        parts.append(f"COUNT={draw(st.integers(1, 60))}")
    if freq == "WEEKLY" and draw(st.integers(0, 5)) == 0:  # each week's first or last: likewise
        parts.append(f"BYSETPOS={draw(st.sampled_from(['1', '-1']))}")
    return ";".join(draw(st.permutations(parts)))


days_in_year = st.integers(0, (YEAR.year_end - YEAR.year_start).days).map(
    lambda n: YEAR.year_start + timedelta(days=n)
)


@settings(max_examples=400, deadline=None)
@given(rules(), st.one_of(st.none(), days_in_year), days_in_year, st.integers(0, 40))
def test_dates_equal_the_rule_walked_from_its_own_anchor(
    rule: str, start: date | None, lo: date, span: int
) -> None:
    g = group(rule, start)
    hi = lo + timedelta(days=span)
    anchor = start or YEAR.year_start
    first = max(lo, anchor)
    expected = by_dateutil(rule, anchor, first, min(hi, YEAR.year_end)) if first <= hi else []
    assert occurrences(g, YEAR, lo, hi) == expected
    assert meets_on(g, YEAR, lo) == (lo in by_dateutil(rule, anchor, lo, lo) and lo >= anchor)


def test_the_anchor_moves_by_whole_periods_and_never_past_the_day() -> None:
    start = date(2026, 9, 7)  # a Monday
    g = group("FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,WE", start)
    near = _anchor_near(g, YEAR, date(2026, 11, 25))
    assert near == date(2026, 11, 16)  # 10 weeks on: still the rule's week, before the day
    assert (near - start).days % 14 == 0
    assert _anchor_near(g, YEAR, date(2026, 9, 1)) == start  # before the anchor: unmoved


def test_rules_that_count_from_the_anchor_keep_it() -> None:
    for rule in (
        "FREQ=WEEKLY;COUNT=10;BYDAY=MO",  # the 10 are counted from the anchor
        "FREQ=WEEKLY;BYDAY=MO,WE;BYSETPOS=1",  # the first of each week's set
        "FREQ=MONTHLY;BYDAY=1MO",
        "FREQ=WEEKLY;BYMONTH=9",
    ):
        assert _period_days(rule) is None
        g = group(rule, date(2026, 9, 7))
        assert _anchor_near(g, YEAR, date(2027, 3, 3)) == date(2026, 9, 7)
    assert _period_days("FREQ=WEEKLY;INTERVAL=3;BYDAY=TU") == 21
    assert _period_days("RRULE:FREQ=DAILY;INTERVAL=2") == 2
