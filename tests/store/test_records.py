"""store.records: @mutable_record / @frozen_record behave like @dataclass / @dataclass(frozen=True)."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from store.records import frozen_record, mutable_record


@frozen_record
class Point:
    day: date
    value: float
    note: str = ""


@dataclasses.dataclass(frozen=True)
class StdPoint:
    day: date
    value: float
    note: str = ""


@mutable_record
class Tally:
    name: str
    items: list[int] = dataclasses.field(default_factory=list)


@mutable_record
class Node:
    label: str
    child: object = None


@frozen_record
class Empty:
    pass


@frozen_record
class One:
    x: int


def test_repr_matches_the_dataclass_one() -> None:
    p = Point(date(2026, 11, 25), 62.0, "ok")
    std = StdPoint(date(2026, 11, 25), 62.0, "ok")
    assert repr(p) == repr(std).replace("StdPoint", "Point")
    assert repr(Tally("a", [1, 2])) == "Tally(name='a', items=[1, 2])"
    assert repr(Empty()) == "Empty()"
    assert repr(One(3)) == "One(x=3)"


def test_recursive_repr_does_not_loop() -> None:
    n = Node("a")
    n.child = n
    assert repr(n) == "Node(label='a', child=...)"


@given(
    st.tuples(st.integers(0, 3), st.floats(allow_nan=True), st.sampled_from(["", "x"])),
    st.tuples(st.integers(0, 3), st.floats(allow_nan=True), st.sampled_from(["", "x"])),
)
def test_equality_and_hash_match_the_dataclass_ones(a: tuple, b: tuple) -> None:  # type: ignore[type-arg]
    days = [date(2026, 9, d + 1) for d in range(4)]
    ours = Point(days[a[0]], a[1], a[2]), Point(days[b[0]], b[1], b[2])
    theirs = StdPoint(days[a[0]], a[1], a[2]), StdPoint(days[b[0]], b[1], b[2])
    assert (ours[0] == ours[1]) == (theirs[0] == theirs[1])
    assert (ours[0] == ours[0]) == (theirs[0] == theirs[0])  # NaN: same object is equal
    if ours[0] == ours[1]:
        assert hash(ours[0]) == hash(ours[1])
    assert hash(ours[0]) == hash((days[a[0]], a[1], a[2]))


def test_only_the_same_class_is_equal() -> None:
    p = Point(date(2026, 11, 25), 62.0)
    assert p != StdPoint(date(2026, 11, 25), 62.0)
    assert p != (date(2026, 11, 25), 62.0, "")
    assert One(1) == One(1) and One(1) != One(2)
    assert Empty() == Empty()


def test_frozen_records_are_immutable_and_mutable_ones_unhashable() -> None:
    p = Point(date(2026, 11, 25), 62.0)
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.value = 1.0  # type: ignore[misc]
    assert {p: 1}[Point(date(2026, 11, 25), 62.0)] == 1
    t = Tally("a")
    t.items.append(1)
    assert t == Tally("a", [1])
    with pytest.raises(TypeError):
        hash(t)


def test_dataclass_helpers_still_work() -> None:
    p = Point(date(2026, 11, 25), 62.0)
    assert dataclasses.replace(p, value=70.0) == Point(date(2026, 11, 25), 70.0)
    assert dataclasses.asdict(Tally("a", [1])) == {"name": "a", "items": [1]}
    assert [f.name for f in dataclasses.fields(Point)] == ["day", "value", "note"]


def test_a_field_left_out_of_comparison_is_refused() -> None:
    with pytest.raises(TypeError, match="every field is compared"):

        @frozen_record
        class Bad:
            a: int
            b: int = dataclasses.field(default=0, compare=False)


def test_methods_the_class_defines_itself_are_kept() -> None:
    @frozen_record
    class Meeting:
        group: list[str]  # unhashable, so the class hashes by what it chooses
        start: int

        def __hash__(self) -> int:
            return hash((tuple(self.group), self.start))

    @mutable_record
    class Named:
        name: str

        def __repr__(self) -> str:
            return f"<{self.name}>"

    assert hash(Meeting(["a"], 1)) == hash((("a",), 1))
    assert Meeting(["a"], 1) == Meeting(["a"], 1)
    assert repr(Named("x")) == "<x>"
    assert Named("x") == Named("x")


def test_a_bad_tier_is_a_clear_validation_error() -> None:
    # the choices are the ints 2 and 3: the message lists them (it raised TypeError before)
    import pytest

    from store.errors import ValidationError
    from store.model import Group

    with pytest.raises(ValidationError, match=r"tier 4 is not one of: 2, 3"):
        Group("g1", "G", tier=4).validated()
