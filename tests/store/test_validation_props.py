"""Property tests: bad input is rejected with ValidationError and changes no byte on disk."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from store.db import Store
from store.errors import ValidationError
from store.model import Attendance, Group, Session

NOW = datetime(2026, 11, 25, 10, 0)
TODAY = NOW.date()
PROPS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def files(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name != ".lock"
    }


def seeded(tmp_path: Path) -> tuple[Store, str, str]:
    store = Store.open(tmp_path / "d", clock=lambda: NOW)
    ava = store.add_student("Ava", "Jones", "3", sis_id="S1")
    group = store.add_group(Group("", "Reading A", measures=["ORF"], fidelity_items=["a", "b"]))
    store.record_score(ava.id, "ORF", 50, TODAY)
    store.log_session(Session("", group.id, TODAY, minutes_delivered=30))
    return store, ava.id, group.id


def assert_refused(store: Store, before: dict[str, bytes], call: Callable[[], object]) -> None:
    """``call`` raises ValidationError and the data folder is still byte for byte ``before``."""
    with pytest.raises(ValidationError):
        call()
    assert files(store.data_dir) == before


junk = st.one_of(
    st.none(),
    st.booleans(),
    st.text(max_size=12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(10**6), max_value=10**6),
    st.lists(st.integers(), max_size=2),
)
bad_scores = st.one_of(
    st.integers(min_value=301, max_value=10**9),
    st.integers(max_value=-1),
    st.floats(min_value=0.01, max_value=299).filter(lambda x: x != int(x)),
    st.sampled_from([float("nan"), float("inf"), "", "fifty", None, True, [], {}]),
)


def long_text(n: int) -> st.SearchStrategy[str]:
    """Text that stays longer than ``n`` characters after stripping."""
    return st.text(alphabet=st.characters(categories=["L", "N"]), min_size=n, max_size=n + 20)


future_days = st.integers(min_value=1, max_value=4000).map(lambda n: TODAY + timedelta(days=n))


def test_bad_scores_change_nothing(tmp_path: Path) -> None:
    store, ava, _ = seeded(tmp_path)
    before = files(store.data_dir)

    @PROPS
    @given(
        value=st.one_of(bad_scores, st.integers(0, 300)),
        on=st.one_of(future_days, st.just(TODAY), junk),
        errors=st.one_of(st.none(), st.integers(-5, -1), junk),
        student=st.one_of(st.just("nobody"), junk),
        measure=st.one_of(st.sampled_from(["ORF", "XYZ", "Maze"]), junk),
    )
    def check(value, on, errors, student, measure) -> None:  # type: ignore[no-untyped-def]
        # the strategies always include a bad student, so every call must be refused
        assert_refused(
            store, before, lambda: store.record_score(student, measure, value, on, errors=errors)
        )

    check()
    store.close()


def test_any_score_input_either_saves_or_changes_nothing(tmp_path: Path) -> None:
    store, ava, _ = seeded(tmp_path)

    @PROPS
    @given(
        value=st.one_of(bad_scores, st.integers(0, 300), st.text(max_size=5)),
        days_ago=st.integers(-3, 400),
        errors=st.one_of(st.none(), st.integers(-3, 30), junk),
        measure=st.sampled_from(["ORF", "NWF", "Maze", "DBR", "CICO", "XYZ"]),
    )
    def check(value, days_ago, errors, measure) -> None:  # type: ignore[no-untyped-def]
        before = files(store.data_dir)
        on = TODAY - timedelta(days=days_ago)
        try:
            saved = store.record_score(ava, measure, value, on, errors=errors, replace=True)
        except ValidationError as exc:
            assert str(exc)
            assert files(store.data_dir) == before
        else:
            assert store.score_on(ava, saved.measure, on) == saved
            m = store.measure(saved.measure)
            assert m.min <= saved.value <= m.max and on <= TODAY

    check()
    store.close()


def test_bad_students_groups_sessions_change_nothing(tmp_path: Path) -> None:
    store, ava, group = seeded(tmp_path)
    before = files(store.data_dir)

    @PROPS
    @given(
        given_name=st.one_of(st.sampled_from(["", "   ", None, 3, True, ["Ava"]]), long_text(81)),
        grade=st.one_of(
            st.sampled_from(["13", "-1", "P", "", "3rd", None, True, 2.5, [3]]),
            st.integers(min_value=13),
            st.integers(max_value=-1),
        ),
        sis=st.one_of(st.just("S1"), long_text(65)),
        duration=st.one_of(
            st.integers(max_value=4),
            st.integers(min_value=241),
            st.sampled_from([None, True, "abc", 4.5, float("nan"), "30 min"]),
        ),
        rrule=st.sampled_from(["", "FREQ=SOMETIMES", "BYDAY=XX", "FREQ=WEEKLY;BYDAY=ZZ"]),
        minutes=st.one_of(st.integers(min_value=241), st.integers(max_value=-1)),
        status=st.text(max_size=8).filter(
            lambda s: s not in ("present", "absent", "late", "left-early")
        ),
    )
    def check(given_name, grade, sis, duration, rrule, minutes, status) -> None:  # type: ignore[no-untyped-def]
        calls = [
            lambda: store.add_student(given_name, "X", "3"),
            lambda: store.add_student("Ok", "X", grade),
            lambda: store.add_student("Ok", "X", "3", sis_id=sis),
            lambda: store.add_group(Group("", "G", duration_minutes=duration)),
            lambda: store.add_group(Group("", "G", rrule=rrule)),
            lambda: store.update_group(group, duration_minutes=duration),
            lambda: store.log_session(Session("", group, TODAY, minutes_delivered=minutes)),
            lambda: store.mark_attendance(group, TODAY, Attendance(ava, status)),
            lambda: store.mark_attendance(group, TODAY, Attendance(ava, minutes=minutes)),
            lambda: store.update_student(ava, grade=grade),
        ]
        for call in calls:
            assert_refused(store, before, call)

    check()
    store.close()


def test_date_strings_are_parsed_or_rejected(tmp_path: Path) -> None:
    store, ava, _ = seeded(tmp_path)

    @settings(max_examples=100, deadline=None)
    @given(d=st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 1, 1)))
    def check(d: date) -> None:
        before = files(store.data_dir)
        try:
            s = store.record_score(ava, "NWF", 10, d.isoformat(), replace=True)
        except ValidationError as exc:
            assert d > TODAY and str(exc) == f"date {d} is in the future"
            assert files(store.data_dir) == before
        else:
            assert d <= TODAY and s.date == d

    check()
    store.close()
