"""Two and three data folders syncing through one real CouchDB-protocol server (issue 18)."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from datetime import date
from pathlib import Path

import httpx
import pytest

from store.db import Store
from store.db.replica import SYNC_STATE_FILE
from store.errors import StoreError
from store.sync import state as sync_state
from tests.sync.conftest import MEMBERS, ROOT, Server
from tui.cli.main import main

DAY = date(2026, 11, 20)


class Member:
    """One interventionist's data folder, connected to the team with the CLI."""

    def __init__(self, folder: Path, url: str, user: str, capsys: pytest.CaptureFixture[str]):
        self.folder, self.url, self.user, self.capsys = folder, url, user, capsys
        os.environ["INTERVENE_SYNC_PASSWORD"] = MEMBERS[user][0]
        try:
            code, out, err = self.run("sync", "setup", url, "--user", user)
        finally:
            del os.environ["INTERVENE_SYNC_PASSWORD"]
        assert code == 0, err
        self.setup_out = out

    def run(self, *argv: str) -> tuple[int, str, str]:
        self.capsys.readouterr()
        code = main([*argv, "--data-dir", str(self.folder)])
        captured = self.capsys.readouterr()
        return code, captured.out, captured.err

    def sync(self) -> str:
        code, out, err = self.run("sync")
        assert code == 0, err
        return out.strip()

    def store(self) -> Store:
        return Store.open(self.folder)


def _member(tmp_path: Path, team: str, user: str, capsys: pytest.CaptureFixture[str]) -> Member:
    return Member(tmp_path / user, team, user, capsys)


def _orf(store: Store, student_id: str) -> list[float]:
    return [s.value for s in store.scores(student_id, "ORF")]


def _files(folder: Path) -> dict[str, bytes]:
    """The records' files (sync.json keeps the last error for the day bar)."""
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*.json"))
        if "backups" not in p.parts and not p.name.startswith("sync")
    }


def test_a_score_entered_in_a_appears_in_b_and_c(tmp_path, team, capsys):
    a, b, c = (_member(tmp_path, team, u, capsys) for u in ("ava", "ben", "cy"))
    with a.store() as s:
        kid = s.add_student("Mia", "Lopez", "2").id
        s.record_score(kid, "ORF", 62, DAY)
    assert a.sync().startswith("sent ")
    assert b.sync().endswith("conflicts 0")
    assert c.sync().endswith("conflicts 0")
    for member in (b, c):
        with member.store() as s:
            assert [st.name for st in s.students()] == ["Mia Lopez"]
            assert _orf(s, kid) == [62]
    # and back: C's score reaches A
    with c.store() as s:
        s.record_score(kid, "ORF", 70, date(2026, 11, 27))
    assert c.sync() == "sent 1 · received 0 · conflicts 0"
    assert a.sync() == "sent 0 · received 1 · conflicts 0"
    with a.store() as s:
        assert _orf(s, kid) == [62, 70]


def test_setup_says_what_is_shared_and_keeps_the_password_private(tmp_path, team, capsys):
    a = _member(tmp_path, team, "ava", capsys)
    assert "shared with every member of" in a.setup_out
    assert "every score" in a.setup_out
    assert MEMBERS["ava"][0] not in a.setup_out
    secret = a.folder / sync_state.SECRET_FILE
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600
    assert stat.S_IMODE((a.folder / sync_state.STATE_FILE).stat().st_mode) == 0o600
    assert stat.S_IMODE((a.folder / sync_state.LEDGER_FILE).stat().st_mode) == 0o600
    assert MEMBERS["ava"][0] not in (a.folder / sync_state.STATE_FILE).read_text()
    with a.store() as s:
        s.add_student("Mia", "Lopez", "2")
    a.sync()
    log = (a.folder / "exports.log").read_text()
    assert '"kind":"sync"' in log and MEMBERS["ava"][0] not in log
    code, out, _ = a.run("sync", "status")
    assert code == 0 and "ava (writer)" in out and "waiting:       0" in out


def conflicting_scores(
    tmp_path: Path, team: str, capsys: pytest.CaptureFixture[str]
) -> tuple[Member, Member, str]:
    """Ava and Ben, both with Mia Lopez, entered 62 and 58 for her on DAY; Ava has synced
    hers, Ben not yet. Returns them and Mia's id."""
    a, b = _member(tmp_path, team, "ava", capsys), _member(tmp_path, team, "ben", capsys)
    with a.store() as s:
        kid = s.add_student("Mia", "Lopez", "2").id
    a.sync()
    b.sync()
    with a.store() as s:
        s.record_score(kid, "ORF", 62, DAY)
    with b.store() as s:
        s.record_score(kid, "ORF", 58, DAY)
    a.sync()
    return a, b, kid


def test_same_score_entered_differently_is_one_conflict_and_nothing_is_lost(tmp_path, team, capsys):
    a, b, kid = conflicting_scores(tmp_path, team, capsys)
    assert b.sync().endswith("conflicts 1")
    assert a.sync().endswith("conflicts 1")
    code, out, err = b.run("sync", "conflicts", "--json")
    assert code == 0, err
    listed = json.loads(out)
    assert len(listed) == 1
    values = sorted(v["record"]["value"] for v in listed[0]["versions"])
    assert values == [58, 62]
    assert sorted(v["by"] for v in listed[0]["versions"]) == ["ava", "ben"]
    assert listed[0]["title"] == "Mia Lopez · ORF · 2026-11-20"
    code, out, _ = a.run("sync", "conflicts")
    assert "Mia Lopez · ORF · 2026-11-20" in out and " 62 " in out and " 58 " in out
    # both folders show the same (winning) value, one score for the day
    with a.store() as s:
        shown_a = _orf(s, kid)
    with b.store() as s:
        shown_b = _orf(s, kid)
    assert shown_a == shown_b and len(shown_a) == 1
    # B keeps A's 62: the conflict is gone everywhere, 62 is the score
    keep = next(v["rev"] for v in listed[0]["versions"] if v["record"]["value"] == 62)
    code, out, err = b.run("sync", "resolve", listed[0]["id"], "--keep", keep)
    assert code == 0, err
    assert a.sync().endswith("conflicts 0")
    for m in (a, b):
        with m.store() as s:
            assert _orf(s, kid) == [62]
    code, out, _ = a.run("sync", "conflicts")
    assert out.strip() == "no conflicts"


def test_deletes_and_undo_replicate(tmp_path, team, capsys):
    a, b = _member(tmp_path, team, "ava", capsys), _member(tmp_path, team, "ben", capsys)
    with a.store() as s:
        kid = s.add_student("Mia", "Lopez", "2").id
        score = s.record_score(kid, "ORF", 62, DAY)
    a.sync()
    b.sync()
    with a.store() as s:
        s.delete_score(score.id)
        s.record_score(kid, "ORF", 40, date(2026, 11, 23))
        s.undo_last()  # the 40 never happened
    assert a.sync() == "sent 1 · received 0 · conflicts 0"
    b.sync()
    with b.store() as s:
        assert _orf(s, kid) == []
    with a.store() as s:
        s.record_score(kid, "ORF", 66, DAY)
        s.undo_last()
        s.record_score(kid, "ORF", 61, DAY)
    a.sync()
    b.sync()
    with b.store() as s:
        assert _orf(s, kid) == [61]


def test_a_viewer_reads_but_the_server_refuses_its_push(tmp_path, team, capsys, couch_server):
    a, v = _member(tmp_path, team, "ava", capsys), _member(tmp_path, team, "sam", capsys)
    assert "you are a viewer" in v.setup_out
    with a.store() as s:
        kid = s.add_student("Mia", "Lopez", "2").id
        s.record_score(kid, "ORF", 62, DAY)
    a.sync()
    first = v.sync()
    assert first.startswith("sent 0 · received ") and first.endswith("conflicts 0")
    with v.store() as s:
        assert _orf(s, kid) == [62]
        with pytest.raises(StoreError, match="read-only replica"):
            s.record_score(kid, "ORF", 99, date(2026, 11, 23))
    code, out, err = v.run("add-score", kid, "ORF", "99", "--date", "2026-11-23")
    assert code == 1 and "read-only replica" in err
    # a tampered replica that claims to be a writer: the server itself says no
    st = sync_state.load(v.folder)
    assert st is not None and st.role == "viewer"
    st.role = "writer"
    sync_state.save(v.folder, st)
    with v.store() as s:
        s.record_score(kid, "ORF", 99, date(2026, 11, 23))
    code, out, err = v.run("sync")
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and "refused" in err and "viewer" in err
    with couch_server.client() as c:
        db = team.rsplit("/", 1)[1]
        rows = c.get(f"/{db}/_all_docs", params={"include_docs": "true"}).json()["rows"]
    values = [r["doc"]["record"]["value"] for r in rows if r["id"].startswith("score:")]
    assert values == [62]


@pytest.mark.parametrize(
    ("user", "password", "says"),
    [("eve", "eve-pw", "is not a member"), ("ava", "not-Avas-pw-91", "wrong name or password")],
)
def test_a_non_member_or_a_wrong_password_gets_one_line(
    tmp_path, team, capsys, user, password, says
):
    folder = tmp_path / "x"
    with Store.open(folder) as s:
        s.add_student("Mia", "Lopez", "2")
    before = _files(folder)
    os.environ["INTERVENE_SYNC_PASSWORD"] = password
    try:
        code = main(["sync", "setup", team, "--user", user, "--data-dir", str(folder)])
    finally:
        del os.environ["INTERVENE_SYNC_PASSWORD"]
    err = capsys.readouterr().err
    assert code == 1 and says in err and err.count("\n") == 1
    assert password not in err
    assert not (folder / sync_state.STATE_FILE).exists()
    assert _files(folder) == before
    # a member whose password changed on the server later: one line, nothing changes
    a = _member(tmp_path, team, "ava", capsys)
    (a.folder / sync_state.SECRET_FILE).write_text(json.dumps({"password": "changed"}))
    with a.store() as s:
        s.add_student("Noor", "Haddad", "3")
    before = _files(a.folder)
    code, out, err = a.run("sync")
    assert code == 1 and "wrong name or password" in err and err.count("\n") == 1
    assert _files(a.folder) == before


def test_offline_entry_then_sync_later(tmp_path, team, capsys, couch_server):
    a, b = _member(tmp_path, team, "ava", capsys), _member(tmp_path, team, "ben", capsys)
    st = sync_state.load(a.folder)
    assert st is not None
    real = st.url
    st.url = "http://127.0.0.1:9/" + real.rsplit("/", 1)[1]  # nothing listens on port 9
    sync_state.save(a.folder, st)
    with a.store() as s:
        kid = s.add_student("Mia", "Lopez", "2").id
        s.record_score(kid, "ORF", 62, DAY)
    before = _files(a.folder)
    code, out, err = a.run("sync")
    assert code == 1 and "cannot reach" in err and err.count("\n") == 1
    assert _files(a.folder) == before
    code, out, _ = a.run("sync", "status")
    assert "waiting:       " in out and "waiting:       0" not in out
    st = sync_state.load(a.folder)
    assert st is not None
    st.url = real
    sync_state.save(a.folder, st)
    a.sync()
    b.sync()
    with b.store() as s:
        assert _orf(s, kid) == [62]


KILLER = """
import os, signal, sys
sys.path.insert(0, {root!r})
from store.db import Store
from store.db.replica import SYNC_STATE_FILE
from store.errors import StoreError
from store.sync import engine
engine.BATCH = 7
count = 0
def after(what):
    global count
    count += 1
    if count == {n}:
        os.kill(os.getpid(), signal.SIGKILL)
store = Store.open({folder!r})
engine.sync(store, after_batch=after)
"""


@pytest.mark.parametrize("kill_at", [2, 5])
def test_kill_9_during_sync_then_sync_again_loses_nothing(tmp_path, team, capsys, kill_at):
    a, b = _member(tmp_path, team, "ava", capsys), _member(tmp_path, team, "ben", capsys)
    with a.store() as s, s.batch("roster"):
        kids = [s.add_student(f"Kid{i}", "Test", "2").id for i in range(12)]
        for i, kid in enumerate(kids):
            s.record_score(kid, "ORF", 40 + i, DAY)
    for m in (a, b):  # A is killed mid-push, B mid-pull
        script = KILLER.format(root=str(ROOT), n=kill_at, folder=str(m.folder))
        done = subprocess.run([sys.executable, "-c", script], capture_output=True)
        assert done.returncode == -9, done.stderr.decode()
        m.sync()
        m.sync()
    with b.store() as s:
        assert sorted(st.id for st in s.students()) == sorted(kids)
        assert [_orf(s, k) for k in kids] == [[40 + i] for i in range(12)]
    code, out, _ = b.run("sync", "conflicts", "--json")
    assert json.loads(out) == []
    assert a.sync() == "sent 0 · received 0 · conflicts 0"


def test_the_store_reads_the_sync_state_file_by_its_name():
    assert SYNC_STATE_FILE == sync_state.STATE_FILE


def test_setup_refuses_plain_http_to_another_host(tmp_path, capsys):
    code = main(
        ["sync", "setup", "http://couch.school.example/team", "--user", "ava"]
        + ["--data-dir", str(tmp_path / "d")]
    )
    err = capsys.readouterr().err
    assert code == 1 and "needs https" in err
    assert not (tmp_path / "d").exists()


def test_the_server_is_a_real_couchdb_protocol_server(couch_server: Server):
    info = httpx.get(couch_server.base + "/", timeout=5).json()
    assert "version" in info


def test_a_received_record_that_fails_the_stores_checks_is_not_taken_in(
    tmp_path, team, capsys, couch_server
):
    a, b = _member(tmp_path, team, "ava", capsys), _member(tmp_path, team, "ben", capsys)
    with a.store() as s:
        kid = s.add_student("Mia", "Lopez", "2").id
    a.sync()
    db = team.rsplit("/", 1)[1]
    bad = {
        "_id": f"score:{kid}:ORF:2026-11-20",
        "kind": "scores",
        "record": {"id": "sc-1", "student_id": kid, "measure": "ORF", "date": "2026-11-20"}
        | {"value": 9999, "errors": None, "session_id": None, "entered_at": None},
        "by": "someone",
        "at": "2026-11-20T10:00:00",
    }
    with couch_server.client() as c:
        assert c.post(f"/{db}", json=bad).status_code == 201
    code, out, err = b.run("sync")
    assert code == 0 and "not taken in" in err and "9999" in err
    with b.store() as s:
        assert _orf(s, kid) == []
        assert [st.name for st in s.students()] == ["Mia Lopez"]
    code, out, _ = b.run("sync", "status")
    assert "refused here:  1" in out
