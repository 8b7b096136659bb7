"""The benchmarks' data builder writes a folder the Store reads as it would its own."""

from __future__ import annotations

import json
import stat
from datetime import date
from pathlib import Path

from bench.scale_data import NOW, build
from store.db import Store
from store.export.backup import export_backup, load_backup
from store.model import Attendance, Group, Membership, Session


def test_built_folder_opens_with_the_expected_counts(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    counts = build(folder, 8)
    assert counts["students"] == 8
    with Store.open(folder, clock=lambda: NOW) as store:
        students = store.students()
        assert len(students) == 8
        groups = store.groups()
        assert len(groups) == counts["groups"] > 0
        # a group a school year for every student: this year's are open, the others ended
        members = sorted(m.student_id for g in groups for m in g.memberships)
        assert members == sorted(s.id for s in students for _ in range(5))
        current = [g for g in groups if g.end_date is None]
        assert sorted(sid for g in current for sid in g.members_on(NOW.date())) == sorted(
            s.id for s in students
        )
        assert len(store.goals()) == 8
        scores = list(store.iter_scores())
        assert len(scores) == counts["scores"]
        # five school years of weekly probes, none in the future
        assert {s.date.year for s in scores} == {2022, 2023, 2024, 2025, 2026}
        assert max(s.date for s in scores) <= NOW.date()
        assert all(store.scores(s.id) for s in students)
        assert len(list(store.iter_sessions())) == counts["sessions"] > 0
        assert len(store.phase_changes(students[0].id)) == 1
        # the Store can keep writing to it: a new score lands next to the built ones
        sid = students[0].id
        measure = store.goals(sid)[0].measure
        store.record_score(sid, measure, 30, date(2026, 11, 23))  # probes are on Tuesdays
        # every record passes the checks a restore makes (values, decimals, ranges, ids)
        export_backup(store, tmp_path / "backup.json")
    load_backup(tmp_path / "backup.json")
    with Store.open(folder, clock=lambda: NOW):
        pass
    for path in folder.rglob("*.json"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700


def test_documents_have_the_shape_the_store_api_writes(tmp_path: Path) -> None:
    """Every table and document the builder writes has the keys the Store API writes."""
    built = tmp_path / "built"
    build(built, 2)
    api = tmp_path / "api"
    with Store.open(api, clock=lambda: NOW) as store:
        s = store.add_student("Ann", "Lee", "3", sis_id="S1")
        g = store.add_group(
            Group("", "G", memberships=[Membership(s.id, date(2026, 9, 7))], measures=["ORF"])
        )
        store.record_score(s.id, "ORF", 40, date(2026, 11, 3), errors=2)
        store.set_goal(
            s.id,
            "ORF",
            baseline_value=40,
            baseline_date=date(2026, 9, 8),
            goal_value=90,
            goal_date=date(2027, 5, 28),
        )
        store.add_phase_change(s.id, "ORF", date(2026, 10, 5), "intensified")
        store.log_session(
            Session(
                "", g.id, date(2026, 11, 3), minutes_delivered=30, attendance=[Attendance(s.id)]
            )
        )

    def shapes(folder: Path) -> dict[str, object]:
        core = json.loads((folder / "core.json").read_text())
        out: dict[str, object] = {
            name: sorted(next(iter(table.values()))) if table else None
            for name, table in core.items()
            if name in ("students", "groups", "goals", "phase_changes")
        }
        out["meta"] = core["meta"]["1"]["version"]
        out["measures"] = sorted(m["code"] for m in core["measures"].values())
        for kind in ("scores", "sessions"):
            (path,) = sorted((folder / kind).glob("2026/*.json"))[:1]
            table = json.loads(path.read_text())
            assert list(table) == [kind] and list(table[kind])[0] == "1"
            out[kind] = sorted(table[kind]["1"])
        return out

    assert shapes(built) == shapes(api)
