"""The sync state file and its checkpoint journal (issue 18): no server needed."""

from __future__ import annotations

import json
import stat

import pytest

from store.errors import StoreError
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


def _state(n: int) -> SyncState:
    st = SyncState(url="http://127.0.0.1:5984/team", user="ava")
    for i in range(n):
        st.mark(f"score:st-{i}:ORF:2026-11-20", ["1-a", f"h{i}"])
    return st


def test_the_ledger_is_written_a_chunk_to_a_line_and_a_format_1_ledger_still_reads(tmp_path):
    st = _state(3 * sync_state.LEDGER_CHUNK + 5)
    st.pending_push = {"student:st-1": ["2-b", "h"]}
    sync_state.save(tmp_path, st)
    ledger = tmp_path / sync_state.LEDGER_FILE
    lines = ledger.read_bytes().splitlines()
    assert len(lines) == 1 + 4  # the header, then four chunks of entries
    back = sync_state.load(tmp_path)
    assert back is not None
    assert (back.docs, back.pending_push, back.gen) == (st.docs, st.pending_push, st.gen)
    # a ledger written before (one JSON value) reads the same, and a sync's end upgrades it
    old = {"format": 1, "gen": back.gen, "docs": st.docs, "pending_push": {}, "pending_pull": None}
    ledger.write_bytes(json.dumps(old).encode())
    again = sync_state.load(tmp_path)
    assert again is not None and again.docs == st.docs
    sync_state.finish(tmp_path, again)
    assert ledger.read_bytes().startswith(b'{"format":2,')
    assert sync_state.load(tmp_path).docs == st.docs  # type: ignore[union-attr]
    ledger.write_bytes(ledger.read_bytes()[:-40])  # damaged: one clear line, as before
    with pytest.raises(StoreError, match="damaged"):
        sync_state.load(tmp_path)


def test_a_sync_s_end_appends_a_line_and_folds_the_journal_in_once_it_is_large(tmp_path):
    st = _state(2000)
    sync_state.save(tmp_path, st)
    ledger = tmp_path / sync_state.LEDGER_FILE
    journal = tmp_path / sync_state.JOURNAL_FILE
    first = ledger.stat().st_ino
    folded = False
    for n in range(400):  # a sync's end after one changed record, again and again
        st.mark(f"score:st-{n % 7}:ORF:2026-11-20", [f"{n + 2}-b", f"g{n}"])
        st.since = n
        sync_state.finish(tmp_path, st)
        back = sync_state.load(tmp_path)
        assert back is not None and (back.docs, back.since) == (st.docs, n)
        if ledger.stat().st_ino != first:
            folded = True
            assert not journal.exists()  # folded into the new ledger
            break
        assert journal.stat().st_size < ledger.stat().st_size * sync_state.FOLD_AT + 200
    assert folded and n > 50  # many ends appended a line before the ledger was rewritten
