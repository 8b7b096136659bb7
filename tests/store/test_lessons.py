"""Where a group left off: the next lesson from the last logged one, and 'Lesson 42 → 43'."""

from __future__ import annotations

from datetime import date

import pytest

from store.lessons import LeftOff, left_off, next_lesson
from store.model import Session


@pytest.mark.parametrize(
    ("last", "expected"),
    [
        ("SIPPS B lesson 41", "SIPPS B lesson 42"),
        ("Lesson 42", "Lesson 43"),
        ("lesson 9", "lesson 10"),
        ("Lesson 09", "Lesson 10"),
        ("Lesson 007", "Lesson 008"),
        ("Second Step unit 2, lesson 7", "Second Step unit 2, lesson 8"),
        ("Lesson 42 review", "Lesson 43 review"),
        ("Bridges Vol. 5, session 12", "Bridges Vol. 5, session 13"),
        # a school week has five days: day 5 rolls over to the next week
        ("Heggerty week 3, day 5", "Heggerty week 4, day 1"),
        ("Heggerty week 3, day 2", "Heggerty week 3, day 3"),
        ("Week 12 Day 5", "Week 13 Day 1"),
        # no number: the same again
        ("Story review", "Story review"),
        ("  Lesson 5  ", "Lesson 6"),
        ("", ""),
    ],
)
def test_next_lesson(last: str, expected: str) -> None:
    assert next_lesson(last) == expected


def _session(day: date, lesson: str, status: str = "delivered") -> Session:
    return Session("", "g", day, status=status, lesson=lesson)


def test_left_off_takes_the_latest_delivered_lesson_through_the_day() -> None:
    sessions = [
        _session(date(2026, 11, 20), "Lesson 41"),
        _session(date(2026, 11, 23), "Lesson 42"),
        _session(date(2026, 11, 24), "", "delivered"),  # no lesson typed: skipped
        _session(date(2026, 11, 24), "Lesson 99", "cancelled"),
        _session(date(2026, 11, 26), "Lesson 44"),  # after the day
    ]
    got = left_off(sessions, date(2026, 11, 25))
    assert got == LeftOff("Lesson 42", date(2026, 11, 23), "Lesson 43")
    assert got.text == "Lesson 42 → 43"
    assert left_off(sessions, date(2026, 11, 19)) is None
    assert left_off([], date(2026, 11, 25)) is None


def test_left_off_text_shows_the_whole_next_lesson_when_more_than_the_number_changes() -> None:
    assert LeftOff("Heggerty week 3, day 5", date(2026, 11, 23), "Heggerty week 4, day 1").text == (
        "Heggerty week 3, day 5 → week 4, day 1"
    )
    assert LeftOff("Story review", date(2026, 11, 23), "Story review").text == "Story review"
    assert LeftOff("SIPPS B lesson 9", date(2026, 11, 23), "SIPPS B lesson 10").text == (
        "SIPPS B lesson 9 → 10"
    )


def test_group_left_off_reads_recent_sessions_first_then_the_whole_history(store) -> None:  # noqa: ANN001
    from store.lessons import group_left_off
    from store.model import Group

    group = store.add_group(Group("", "Reading A"))
    assert group_left_off(store, group.id, date(2026, 11, 25)) is None
    store.log_session(Session("", group.id, date(2026, 9, 1), lesson="Lesson 3"))
    assert group_left_off(store, group.id, date(2026, 11, 25)).text == "Lesson 3 → 4"
    store.log_session(Session("", group.id, date(2026, 11, 24), lesson="Lesson 9"))
    assert group_left_off(store, group.id, date(2026, 11, 25)).text == "Lesson 9 → 10"
    assert group_left_off(store, group.id, date(2026, 11, 23)).text == "Lesson 3 → 4"
