"""Today's marker never gives a verdict from one score (issue 12 item 9): with fewer points
than the rule needs it says how far the data are, as the caseload says "insufficient data"."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from store.db import Store
from tests.conftest import FakeClock
from tests.tui.screen import started
from tui.config import AppConfig
from tui.views.attention import caseload_rows
from tui.widgets.row_table import RowTable


def _new_reader(folder: Path, clock: FakeClock, scores: list[float]) -> str:
    """A new Fluency 3 member (joined three weeks ago) with an ORF goal and ``scores``."""
    today = clock().date()
    with Store.open(folder, clock=clock) as s:
        group = next(g for g in s.groups() if g.name == "Fluency 3")
        st = s.add_student("Quinn", "Aardvark", "3")  # sorts first in the group
        s.add_member(group.id, st.id, today - timedelta(weeks=3))
        base = today - timedelta(weeks=3)
        s.set_goal(
            st.id, "ORF", baseline_value=40, baseline_date=base, goal_value=70,
            goal_date=base + timedelta(weeks=20), method="custom",
        )  # fmt: skip
        for i, value in enumerate(scores, 1):
            s.record_score(st.id, "ORF", value, base + timedelta(weeks=i) - timedelta(days=2))
        return st.id


async def test_two_scores_read_two_of_six_points(demo_dir: Path, demo_clock: FakeClock, open_app):
    # one score far above the aim line, one far below: no on-track / below guess, just the count
    sid = _new_reader(demo_dir, demo_clock, [90, 10])
    async with started(open_app, (120, 36)) as (app, pilot):
        students = app.screen.query_one("#students", RowTable)
        first = [str(c) for c in students.get_row_at(0)]
        assert first[0].startswith("Quinn")
        assert first[5] == "2 of 6 points"
        row = next(
            r
            for r in caseload_rows(app.store, date(2026, 11, 25), AppConfig())
            if r.student.id == sid
        )
        assert row.decision.kind == "insufficient-data"
        assert (row.decision.n_points, row.decision.needed_points) == (2, 6)
