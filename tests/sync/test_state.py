"""The sync state file and its checkpoint journal (issue 18): no server needed."""

from __future__ import annotations

import stat

from store.sync import mapping
from store.sync import state as sync_state
from store.sync.state import SyncState


def test_checkpoints_replay_over_the_ledger_and_a_torn_last_line_is_ignored(tmp_path):
    st = SyncState(url="http://127.0.0.1:5984/team", user="ava")
    st.mark("student:st-1", ["1-a", "h1"])
    sync_state.save(tmp_path, st)
    st.mark("student:st-1", ["2-b", "h2"])
    st.mark("score:st-1:ORF:2026-11-20", ["1-c", "h3"])
    st.since = 7
    sync_state.checkpoint(tmp_path, st)
    journal = tmp_path / sync_state.JOURNAL_FILE
    assert stat.S_IMODE(journal.stat().st_mode) == 0o600
    with journal.open("ab") as f:
        f.write(b'{"gen": 1, "docs": {"student:st-1": ["3-')  # a kill mid-append
    back = sync_state.load(tmp_path)
    assert back is not None
    assert back.docs == {"student:st-1": ["2-b", "h2"], "score:st-1:ORF:2026-11-20": ["1-c", "h3"]}
    assert back.since == 7
    # a full save starts a new generation: the old journal is gone, nothing is replayed twice
    sync_state.save(tmp_path, back)
    assert not journal.exists()
    assert sync_state.load(tmp_path).docs == back.docs  # type: ignore[union-attr]


def test_the_small_file_holds_no_per_document_entries(tmp_path):
    st = SyncState(url="http://127.0.0.1:5984/team", user="sam", role="viewer")
    for i in range(100):
        st.mark(f"student:st-{i}", ["1-a", "h"])
    sync_state.save(tmp_path, st)
    meta = sync_state.load_meta(tmp_path)
    assert meta is not None and meta.role == "viewer" and meta.docs == {}
    assert len((tmp_path / sync_state.STATE_FILE).read_bytes()) < 400


def test_score_and_session_ids_name_the_day_not_the_random_id():
    score = {"id": "sc-0123456789abcdef", "student_id": "st-1", "measure": "ORF"}
    score["date"] = "2026-11-20"
    assert mapping.doc_id("scores", score) == "score:st-1:ORF:2026-11-20"
    assert mapping.identity("score:st-1:ORF:2026-11-20") == (
        "scores",
        {"student_id": "st-1", "measure": "ORF", "date": "2026-11-20"},
    )
    session = {"id": "se-1", "group_id": "gr-9", "date": "2026-11-20"}
    assert mapping.doc_id("sessions", session) == "session:gr-9:2026-11-20"
    assert mapping.identity("_design/intervene") is None
    # the same content on the same parent is the same revision (a resent batch is no dup)
    assert mapping.next_rev("1-abc", "h") == mapping.next_rev("1-abc", "h")
    assert mapping.next_rev("1-abc", "h")[0].startswith("2-")
