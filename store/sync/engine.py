"""The sync engine (issue 18): push local changes, pull the team's, keep CouchDB's conflicts.

Push: every shared record whose content digest differs from the one last synced (and every
record synced before that is gone here: a deletion) becomes a new revision on the revision
last seen, sent with ``_revs_diff`` + ``_bulk_docs(new_edits=false)`` as CouchDB's replicator
does. Two machines that changed the same record from the same revision make two branches: a
conflict CouchDB keeps (one winner, the other in ``_conflicts``) — never merged, never lost.

Pull: ``_changes`` since the last sequence, in batches, applied through the Store
(:meth:`store.db.replica.ReplicaMixin.replica_apply`, validated there). A record changed here
and not yet pushed is not overwritten: the next push makes it a conflict.

Checkpoints: each batch is written to the state file before it is sent or applied and
cleared after, so ``kill -9`` at any point resumes without loss or duplicates.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from store.db.replica import Kept
from store.storage import make_private_dir
from store.sync import digests, mapping
from store.sync import state as sync_state
from store.sync.couch import Couch, SyncError
from store.sync.digests import LocalView
from store.sync.state import SyncState

if TYPE_CHECKING:
    from store.db import Store

BATCH = 500  # documents per _bulk_docs / _all_docs request, and per checkpoint
FEED = 10  # batches per _changes request (the feed without documents: ~100 bytes a row)
WRITER_ROLE = "intervene-writer"
VIEWER_ROLE = "intervene-viewer"
DESIGN_ID = "_design/intervene"
#: Refuses every write but an admin's or a writer's (CouchDB runs it for replicated
#: writes too, so a viewer's replica cannot push either).
VALIDATE = (
    "function (newDoc, oldDoc, userCtx, secObj) {\n"
    "  var roles = userCtx.roles || [];\n"
    "  if (roles.indexOf('_admin') !== -1 || roles.indexOf('" + WRITER_ROLE + "') !== -1) {\n"
    "    return;\n"
    "  }\n"
    "  throw({forbidden: 'user ' + userCtx.name + ' may read this team database but not "
    "change it (viewer)'});\n"
    "}"
)
SHARED_TEXT = (
    "students (names, grades, SIS ids, notes), groups and their members, measures, goals, "
    "phase changes, sessions with attendance and notes, every score, and the school calendar"
)


@dataclass
class SyncResult:
    sent: int = 0
    received: int = 0
    conflicts: int = 0
    rejected: list[str] = field(default_factory=list)

    def line(self) -> str:
        return f"sent {self.sent} · received {self.received} · conflicts {self.conflicts}"


@dataclass
class Conflict:
    """One record with competing revisions: the current winner first."""

    doc_id: str
    table: str
    versions: list[dict[str, Any]]  # {"rev", "record", "by", "at", "label"}

    title: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"id": self.doc_id, "kind": self.table, "title": self.title} | {
            "versions": self.versions
        }


def _now(clock: Callable[[], datetime]) -> str:
    return clock().replace(microsecond=0).isoformat()


def connect(data_dir: Path, st: SyncState, password: str | None = None) -> Couch:
    secret = password if password is not None else sync_state.load_password(data_dir)
    if not secret:
        raise SyncError(
            "no sync password here: set INTERVENE_SYNC_PASSWORD or run `intervene sync setup` again"
        )
    return Couch(st.url, st.user, secret)


# --------------------------------------------------------------------------- setup
def setup(
    data_dir: Path,
    url: str,
    user: str,
    password: str,
    *,
    init: bool = False,
) -> SyncState:
    """Connect a data folder to a team database (``init``: create it, as its admin, with
    ``_security`` members and the validate_doc_update that keeps viewers read-only).

    Checks the name and password and the membership before anything is written here."""
    if not user or any(c.isspace() for c in user) or ":" in user:
        raise SyncError(f"{user!r} is not a CouchDB user name")
    couch = Couch(url, user, password)
    with couch:
        roles = couch.session_roles()
        if init:
            _init_database(couch, roles)
        couch.info()  # a non-member gets AuthError here
        role = "writer" if ("_admin" in roles or WRITER_ROLE in roles) else "viewer"
        clean_url = couch.url
    old = sync_state.load(data_dir)
    if old is not None and old.url != clean_url:
        raise SyncError(
            f"this data folder already syncs with {old.url}; run `intervene sync leave` first"
        )
    st = old or SyncState(url=clean_url, user=user)
    st.user, st.role = user, role
    make_private_dir(data_dir)  # only now: a refused setup leaves nothing behind
    sync_state.save_password(data_dir, password)
    sync_state.save(data_dir, st)
    return st


def _init_database(couch: Couch, roles: list[str]) -> None:
    if "_admin" not in roles:
        raise SyncError(
            f"--init needs the server admin's name and password ({couch.user!r} is not)"
        )
    couch.request("PUT", couch.db_path(), ok=(201, 202, 412))  # 412: exists already
    security = {
        "admins": {"names": [couch.user], "roles": []},
        "members": {"names": [], "roles": [WRITER_ROLE, VIEWER_ROLE]},
    }
    couch.request("PUT", couch.db_path("/_security"), body=security)
    design: dict[str, Any] = {
        "_id": DESIGN_ID,
        "language": "javascript",
        "validate_doc_update": VALIDATE,
    }
    existing = couch.get(DESIGN_ID)
    if existing is not None:
        design["_rev"] = existing["_rev"]
    couch.request("PUT", couch.doc_path(DESIGN_ID), body=design)


# --------------------------------------------------------------------------- local view
def _unsynced(st: SyncState, view: LocalView) -> list[str]:
    """The couch _ids of the records here whose digest is not the one last synced."""
    out = []
    files, pause = view.files, view.pause
    for n, (cid, rel) in enumerate(view.records.items()):
        if n % digests.PAUSE_RECORDS == 0:
            pause()
        known = st.docs.get(cid)
        if known is None or known[1] != files[rel].digests[cid][1]:
            out.append(cid)
    return out


def _deleted(st: SyncState, view: LocalView) -> Iterator[tuple[str, str]]:
    """``(couch _id, table)`` of the records synced before and gone here."""
    for n, (cid, (_rev, digest)) in enumerate(st.docs.items()):
        if n % digests.PAUSE_RECORDS == 0:
            view.pause()
        if digest and cid not in view.records:
            found = mapping.identity(cid)
            if found is not None:
                yield cid, found[0]


def _changes_of(st: SyncState, view: LocalView) -> Iterator[Change]:
    """``(couch _id, table, document or None for a deletion, digest)`` of the unsynced
    changes, file by file as the view looks at them (a file whose digests came from the
    cache is read when one of its records is to be sent), then the deletions."""
    for rel, entry in view.scan():
        unsynced = _unsynced_of(st, entry.digests)
        if any(cid not in view.docs for cid in unsynced):
            entry = view.read(rel)  # hashed again: the list may change
            unsynced = _unsynced_of(st, entry.digests)
        for cid in unsynced:
            table, digest = entry.digests[cid]
            yield cid, table, view.docs[cid], digest
    yield from ((cid, table, None, "") for cid, table in _deleted(st, view))


def _unsynced_of(st: SyncState, found: digests.Digests) -> list[str]:
    out = []
    for cid, (_table, digest) in found.items():
        known = st.docs.get(cid)
        if known is None or known[1] != digest:
            out.append(cid)
    return out


def _changed(st: SyncState, view: LocalView) -> list[Change]:
    """The unsynced changes (:func:`_changes_of`) as a list."""
    return list(_changes_of(st, view))


def waiting(store: Store, st: SyncState) -> int:
    """How many local changes the next push would send (reads only the files changed
    since the digests were cached)."""
    view = LocalView(store)
    count = len(_unsynced(st, view)) + sum(1 for _ in _deleted(st, view))
    digests.save_cache(store.data_dir, view.cache, view.pause)
    return count


# --------------------------------------------------------------------------- sync
def sync(
    store: Store,
    *,
    clock: Callable[[], datetime] = datetime.now,
    password: str | None = None,
    after_batch: Callable[[str], None] | None = None,
) -> SyncResult:
    """Push then pull once. Raises SyncError (one line) when the server cannot be reached or
    refuses; what was checkpointed before stays, nothing half-applied.

    ``after_batch`` is called after each checkpoint (tests use it to kill a sync mid-way)."""
    data_dir = store.data_dir
    st = sync_state.load(data_dir, store.wait_for_saves)
    if st is None:
        raise SyncError("sync is not set up here: run `intervene sync setup URL --user NAME`")
    result = SyncResult()
    try:
        with connect(data_dir, st, password) as couch:
            before = couch.info().get("update_seq")  # name, password and membership first
            if st.pending_pull:  # a batch received but not applied when the last sync stopped
                result.received += _apply(store, st, st.pending_pull)
                _checkpoint(data_dir, st, after_batch, "pull")
            view: LocalView | None = None
            if st.role != "viewer":
                view = LocalView(store, look=False)  # the push looks, file by file
                result.sent, students, writes = _push(store, st, couch, clock, after_batch, view)
                own = _own_writes(couch, before, writes)
            else:
                students, own = set(), None
            received, view = _pull(store, st, couch, after_batch, view, own)
            result.received += received
            if view is not None:
                digests.save_cache(data_dir, view.cache, view.pause)
            if result.sent:
                store.log_export("sync", couch.url, len(students), deidentified=False)
    except SyncError as exc:
        st.last_error = str(exc)
        sync_state.finish(data_dir, st, store.wait_for_saves)
        raise
    st.last_sync, st.last_error = _now(clock), None
    sync_state.finish(data_dir, st, store.wait_for_saves)
    result.conflicts = len(st.conflicts)
    result.rejected = [f"{cid}: {why}" for cid, why in st.rejected.items()]
    return result


def _checkpoint(
    data_dir: Path, st: SyncState, after_batch: Callable[[str], None] | None, what: str
) -> None:
    sync_state.checkpoint(data_dir, st, small=what != "push")
    if after_batch is not None:
        after_batch(what)


def _push(
    store: Store,
    st: SyncState,
    couch: Couch,
    clock: Callable[[], datetime],
    after_batch: Callable[[str], None] | None,
    view: LocalView,
) -> tuple[int, set[str], int | None]:
    """Send every unsynced change. A record never synced goes as a plain new document (the
    server gives its first revision); when the server has it already (another machine made
    the same score, or a killed sync sent it) it is adopted if equal, else sent as a
    conflicting branch. A change to a synced record is a child of the revision last seen."""
    if st.pending_push:  # sent before a kill: adopt what the server has
        diff = couch.revs_diff({cid: [rev] for cid, (rev, _d) in st.pending_push.items()})
        for cid, (rev, digest) in st.pending_push.items():
            if cid not in diff:
                st.mark(cid, [rev, digest])
        st.pending_push = {}
        _checkpoint(store.data_dir, st, None, "push")
    sent, students, writes, clean = 0, set[str](), 0, True
    at = _now(clock)
    # The server's work on one batch overlaps the reading, hashing and encoding of the
    # next here (one request in flight; the requests and checkpoints stay in order)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="intervene-push") as pool:
        ahead: tuple[_Batch, Future[list[dict[str, Any]]] | None] | None = None
        for batch in _batches(_changes_of(st, view), BATCH):
            prepared = _prepare(st, batch, at, students)
            if ahead is not None:
                done = _finish(store, st, couch, after_batch, *ahead)
                sent, writes, clean = sent + done[0], writes + done[1], clean and done[2]
            ahead = (
                prepared,
                (
                    pool.submit(couch.bulk_docs, prepared.fresh, new_edits=True)
                    if prepared.fresh
                    else None
                ),
            )
        if ahead is not None:
            done = _finish(store, st, couch, after_batch, *ahead)
            sent, writes, clean = sent + done[0], writes + done[1], clean and done[2]
    return sent, students, (writes if clean else None)


def _own_writes(couch: Couch, before: Any, writes: int | None) -> tuple[int, int] | None:
    """``(first, last)``: the sequences between which every change is one of this push's
    writes, when that is certain — the server numbers its changes one by one (integer
    sequences: pouchdb, CouchDB 1; CouchDB 2+ sequences are opaque, then None) and the
    database moved by exactly the number of new documents this push wrote (``writes``;
    None when it sent revisions the server may have had already). Then the pull need not
    read them back."""
    if not writes or type(before) is not int:
        return None
    after = couch.info().get("update_seq")
    if type(after) is not int or after - before != writes:
        return None  # someone else wrote meanwhile (or the server counts otherwise)
    return before, after


Change = tuple[str, str, dict[str, Any] | None, str]


def _batches(changes: Iterator[Change], size: int) -> Iterator[list[Change]]:
    batch: list[Change] = []
    for change in changes:
        batch.append(change)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


@dataclass
class _Batch:
    fresh: list[dict[str, Any]]  # never synced: plain new documents
    branches: list[dict[str, Any]]  # children of a known revision (new_edits=false)
    digests: dict[str, str]


def _prepare(st: SyncState, batch: list[Change], at: str, students: set[str]) -> _Batch:
    """The documents one batch of changes sends (``students``: whose records they carry)."""
    out = _Batch([], [], {})
    for cid, table, doc, digest in batch:
        out.digests[cid] = digest
        if doc is not None and table in ("students", "scores", "goals", "phase_changes"):
            students.add(str(doc.get("student_id", doc.get("id"))))
        parent = st.docs.get(cid, [None, ""])[0]
        body: dict[str, Any] = {"_id": cid}
        if doc is None:
            body["_deleted"] = True
        else:
            body.update(kind=table, record=doc)
        body.update(by=st.user, at=at)
        if parent is None:
            out.fresh.append(body)
        else:
            out.branches.append(_as_branch(body, parent, digest))
    return out


def _finish(
    store: Store,
    st: SyncState,
    couch: Couch,
    after_batch: Callable[[str], None] | None,
    batch: _Batch,
    fresh_sent: Future[list[dict[str, Any]]] | None,
) -> tuple[int, int, bool]:
    """Take the server's answers to a batch's new documents, send its branches, checkpoint;
    returns how many documents the server took, how many of them were new documents it
    wrote, and True when no branch was sent."""
    sent = fresh_ok = 0
    digests, branches = batch.digests, list(batch.branches)
    if fresh_sent is not None:
        answers = fresh_sent.result()
        _refuse(st, store, answers, ignore=("conflict",))
        by_id = {d["_id"]: d for d in batch.fresh}
        clashes = []
        for a in answers:
            if a.get("ok") and a.get("id") in digests:
                st.mark(a["id"], [a["rev"], digests[a["id"]]])
                sent += 1
                fresh_ok += 1
            elif a.get("error") == "conflict" and a.get("id") in by_id:
                clashes.append(a["id"])
        for cid, server in _fetch(couch, clashes).items():
            rec = server.get("record") if server and not server.get("_deleted") else None
            if server is not None and rec is not None and mapping.content_hash(rec) == digests[cid]:
                st.mark(cid, [server["_rev"], digests[cid]])  # the same record: adopt it
            else:  # another machine's version: ours becomes a conflicting branch
                branches.append(_as_branch(by_id[cid], None, digests[cid]))
    if branches:
        st.pending_push = {d["_id"]: [d["_rev"], digests[d["_id"]]] for d in branches}
        _checkpoint(store.data_dir, st, None, "push")
        answers = couch.bulk_docs(branches, new_edits=False)
        _refuse(st, store, answers)
        for cid, pair in st.pending_push.items():
            st.mark(cid, pair)
        st.pending_push = {}
        sent += len(branches)
    _checkpoint(store.data_dir, st, after_batch, "push")
    return sent, fresh_ok, not branches


def _as_branch(body: dict[str, Any], parent: str | None, digest: str) -> dict[str, Any]:
    rev, history = mapping.next_rev(parent, digest)
    return {**body, "_rev": rev, "_revisions": history}


def _refuse(
    st: SyncState, store: Store, answers: list[dict[str, Any]], ignore: tuple[str, ...] = ()
) -> None:
    """Stop with one line when the server refused a change (a viewer, the design document)."""
    refused = [a for a in answers if a.get("error") and a.get("error") not in ignore]
    if refused:
        st.pending_push = {}
        sync_state.finish(store.data_dir, st, store.wait_for_saves)
        first = refused[0]
        raise SyncError(
            f"the team database refused {len(refused)} change(s) from {st.user!r}: "
            f"{first.get('reason') or first.get('error')}"
        )


def _fetch(couch: Couch, ids: list[str]) -> dict[str, dict[str, Any] | None]:
    """The current documents (with ``_conflicts``) of ``ids``; None: deleted or missing."""
    out: dict[str, dict[str, Any] | None] = {}
    for start in range(0, len(ids), BATCH):
        keys = ids[start : start + BATCH]
        page = couch.request(
            "POST",
            couch.db_path("/_all_docs"),
            body={"keys": keys},
            params={"include_docs": "true", "conflicts": "true"},
        )
        for row in page.get("rows", []):
            doc = row.get("doc")
            value = row.get("value") or {}
            if "id" not in row:
                continue
            if doc is None and value.get("deleted"):
                doc = {"_id": row["id"], "_rev": value.get("rev", ""), "_deleted": True}
            out[row["id"]] = doc
    return out


def _pull(
    store: Store,
    st: SyncState,
    couch: Couch,
    after_batch: Callable[[str], None] | None,
    view: LocalView | None,
    own: tuple[int, int] | None = None,
) -> tuple[int, LocalView | None]:
    """Fetch the team's changes since the last sequence. The feed is read without the
    documents (every leaf revision listed), FEED batches a request: our own pushes coming
    back cost nothing; the rest are fetched with their conflicts in one request per batch,
    applied and checkpointed batch by batch (a row's ``seq`` is a valid ``since``).

    ``own``: the sequences of this sync's own writes (:func:`_own_writes`), skipped."""
    received = 0
    while True:
        limit = BATCH * FEED
        if own is not None and type(st.since) is int:
            if own[0] <= st.since:  # caught up with the feed before the push: skip it
                st.since, own = own[1], None
                continue
            limit = min(limit, own[0] - st.since)  # at most that many rows before it
        page = couch.changes(st.since, limit)
        rows = page.get("results", [])
        end = len(rows) < limit
        last_seq = page.get("last_seq")
        if own is not None:
            mine = next((i for i, r in enumerate(rows) if _after(r.get("seq"), own[0])), None)
            if mine is not None:  # rows from here on are own writes, up to own[1]
                rows, end, last_seq, own = rows[:mine], False, own[1], None
        for start in range(0, max(len(rows), 1), BATCH):
            chunk = rows[start : start + BATCH]
            final = start + BATCH >= len(rows)
            seq = last_seq if final else chunk[-1].get("seq")
            last = st.since if seq is None else seq
            items, view = _received(store, st, couch, chunk, view)
            if items:
                st.pending_pull = {"since": last, "items": items}
                _checkpoint(store.data_dir, st, after_batch, "received")
                received += _apply(store, st, st.pending_pull)
            st.since = last
            if items or (final and end):
                _checkpoint(store.data_dir, st, after_batch, "pull")
        if end:
            return received, view


def _after(seq: Any, first: int) -> bool:
    return type(seq) is int and seq > first


def _received(
    store: Store,
    st: SyncState,
    couch: Couch,
    rows: list[dict[str, Any]],
    view: LocalView | None,
) -> tuple[list[list[Any]], LocalView | None]:
    """The items of one batch of the feed to apply here (fetched from the server), and the
    view of the records here (made or looked at again when a record is to be checked)."""
    wanted: list[str] = []
    for row in rows:
        cid = row.get("id", "")
        if cid.startswith("_") or mapping.identity(cid) is None:
            continue
        revs = [c.get("rev") for c in row.get("changes") or []]
        known = st.docs.get(cid)
        if known is not None and revs == [known[0]] and cid not in st.conflicts:
            continue  # our own push coming back
        wanted.append(cid)
    items: list[list[Any]] = []
    looked = False
    for cid, doc in _fetch(couch, wanted).items():
        found = mapping.identity(cid)
        if found is None or doc is None:
            continue
        deleted = bool(doc.get("_deleted"))
        rev = doc.get("_rev", "")
        known = st.docs.get(cid)
        if known is not None and known[0] == rev:
            _note_conflicts(st, cid, doc.get("_conflicts", []))
            continue
        if view is None:
            view = LocalView(store)
        elif not looked:  # once a batch: saves made since (only changed files are read)
            view.refresh()
        looked = True
        here = view.get(cid)
        synced_digest = known[1] if known else ""
        if here is not None and here.digest != synced_digest:
            continue  # changed here since: the next push makes it a conflict
        record = found[1] if deleted else doc.get("record")
        if not isinstance(record, dict):
            continue
        items.append([cid, rev, deleted, found[0], record, doc.get("_conflicts", [])])
    return items, view


def _apply(store: Store, st: SyncState, batch: dict[str, Any]) -> int:
    """Apply one received batch (again, after a kill: applying is idempotent)."""
    items = batch["items"]
    synced = [st.docs.get(cid, ["", ""])[1] for cid, *_rest in items]

    def changed_here(i: int, here: dict[str, Any], new: dict[str, Any] | None) -> bool:
        # saved here since the last sync (and not already what arrives): keep it
        digest = mapping.content_hash(here)
        return digest != synced[i] and (new is None or digest != mapping.content_hash(new))

    results = store.replica_apply(
        [(table, rec, deleted) for _c, _r, deleted, table, rec, _x in items], changed_here
    )
    count = 0
    for (cid, rev, deleted, _table, _rec, conflicts), stored in zip(items, results, strict=True):
        if isinstance(stored, Kept):
            continue  # the next push makes it a conflict
        if isinstance(stored, str):
            st.rejected[cid] = stored
            continue
        st.rejected.pop(cid, None)
        st.mark(cid, [rev, "" if deleted or stored is None else mapping.content_hash(stored)])
        _note_conflicts(st, cid, conflicts)
        count += 1
    st.since = batch.get("since", st.since)
    st.pending_pull = None
    return count


def _note_conflicts(st: SyncState, cid: str, losers: list[str]) -> None:
    if losers:
        st.conflicts[cid] = list(losers)
    else:
        st.conflicts.pop(cid, None)


# --------------------------------------------------------------------------- conflicts
def conflicts(
    data_dir: Path, *, password: str | None = None, names: dict[str, str] | None = None
) -> list[Conflict]:
    """The open conflicts, each with every competing version (read from the server);
    ``names`` (student and group ids -> names) titles them."""
    st = sync_state.load_meta(data_dir)
    if st is None:
        raise SyncError("sync is not set up here: run `intervene sync setup URL --user NAME`")
    out: list[Conflict] = []
    if not st.conflicts:
        return out
    with connect(data_dir, st, password) as couch:
        for cid in sorted(st.conflicts):
            found = mapping.identity(cid)
            current = couch.get(cid, conflicts="true")
            if found is None or current is None or not current.get("_conflicts"):
                continue
            versions = [current] + [
                d for r in current["_conflicts"] if (d := couch.get(cid, rev=r)) is not None
            ]
            out.append(
                Conflict(
                    cid,
                    found[0],
                    [
                        {
                            "rev": v["_rev"],
                            "record": v.get("record"),
                            "by": v.get("by", ""),
                            "at": v.get("at", ""),
                            "label": mapping.describe(found[0], v.get("record")),
                        }
                        for v in versions
                    ],
                    mapping.title(cid, names),
                )
            )
    return out


def resolve(
    store: Store,
    doc_id: str,
    keep_rev: str,
    *,
    clock: Callable[[], datetime] = datetime.now,
    password: str | None = None,
) -> SyncResult:
    """Keep one version of a conflicted record and delete the others on the server, then
    sync so this folder holds the kept one."""
    data_dir = store.data_dir
    st = sync_state.load_meta(data_dir)
    if st is None:
        raise SyncError("sync is not set up here")
    if st.role == "viewer":
        raise SyncError("a viewer cannot resolve conflicts (the team database is read-only)")
    with connect(data_dir, st, password) as couch:
        current = couch.get(doc_id, conflicts="true")
        if current is None or not current.get("_conflicts"):
            raise SyncError(f"{doc_id} has no conflict to resolve")
        revs = [current["_rev"], *current["_conflicts"]]
        if keep_rev not in revs:
            raise SyncError(
                f"{keep_rev} is not a version of {doc_id} (versions: {', '.join(revs)})"
            )
        docs: list[dict[str, Any]] = []
        if keep_rev != current["_rev"]:
            kept = couch.get(doc_id, rev=keep_rev)
            if kept is None:
                raise SyncError(f"version {keep_rev} of {doc_id} is gone from the server")
            body = {k: v for k, v in kept.items() if not k.startswith("_")}
            body.update(_id=doc_id, _rev=current["_rev"], by=st.user, at=_now(clock))
            docs.append(body)
        for rev in current["_conflicts"]:
            docs.append({"_id": doc_id, "_rev": rev, "_deleted": True})
        answers = couch.bulk_docs(docs, new_edits=True)
        refused = [a for a in answers if a.get("error")]
        if refused:
            raise SyncError(
                f"the team database refused the resolution: {refused[0].get('reason') or refused[0].get('error')}"
            )
    return sync(store, clock=clock, password=password)


def status_lines(store: Store) -> list[str]:
    """What ``intervene sync status`` prints."""
    st = sync_state.load(store.data_dir)
    if st is None:
        return ["sync is not set up for this data folder (intervene sync setup URL --user NAME)"]
    lines = [
        f"team database: {st.url}",
        f"user:          {st.user} ({st.role}{', read-only here' if st.role == 'viewer' else ''})",
        f"last sync:     {st.last_sync or 'never'}",
        f"waiting:       {waiting(store, st) if st.role != 'viewer' else 0} change(s) to send",
        f"conflicts:     {len(st.conflicts)}",
    ]
    if st.rejected:
        lines.append(
            f"refused here:  {len(st.rejected)} received record(s) failed this app's checks"
        )
    if st.last_error:
        lines.append(f"last error:    {st.last_error}")
    return lines


def names_of(store: Store) -> dict[str, str]:
    """Student and group ids -> names (to title conflicts)."""
    out = {s.id: s.name for s in store.students(include_archived=True)}
    out.update({g.id: g.name for g in store.groups(include_inactive=True)})
    return out
