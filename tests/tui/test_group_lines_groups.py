"""Today's students table reads only its members' groups (``Shared(..., students)``, issue
16): every line is the one computed from all of the caseload's groups."""

from __future__ import annotations

from datetime import date, timedelta

from store.db import Store
from store.demo import build_demo
from store.model import Membership
from tui.config import AppConfig
from tui.views.lines import group_lines, measure_line

DAY = date(2026, 11, 25)


def test_group_lines_match_the_lines_computed_from_every_group(store: Store) -> None:
    build_demo(store, DAY)
    config = AppConfig()
    first = store.groups()[0]
    # the first group's members move to another group a month ago and the first group ends:
    # their dosage reaches the ended group's sessions, which a members-only read must keep
    moved = first.members_on(DAY)
    moved_on = DAY - timedelta(days=30)
    store.end_group(first.id, moved_on)
    target = store.add_group(
        first.with_(
            id="", name="Reading B", memberships=[Membership(sid, moved_on) for sid in moved]
        )
    )
    checked = 0
    for group in store.groups():
        lines = group_lines(store, group, DAY, config)
        assert lines, group.name
        for line in lines:
            alone = measure_line(
                store,
                line.student,
                line.measure,
                DAY,
                config,
                every_weeks=group.probe_every_weeks,
            )
            assert line == alone, (group.name, line.student.name, line.measure.code)
            checked += 1
    target_lines = group_lines(store, store.group(target.id), DAY, config)
    assert {line.student.id for line in target_lines} >= set(moved)
    assert checked >= 10
