"""Records <-> CouchDB documents (issue 18): one document per record, with a stable ``_id``.

The ``_id`` is the record's kind and identity. Scores and sessions are keyed by what makes
them one record in the Store rather than by their random ids: the Store keeps one score per
student, measure and date (:meth:`store.db.scores.ScoresMixin.record_score` raises
DuplicateScoreError for a second one) and one session per group and date
(:meth:`store.db.sessions.SessionsMixin.log_session` replaces it). So the same score entered on
two machines has the same ``_id`` and CouchDB keeps both as conflicting revisions — never two
scores for one day, never one lost.

A document is ``{"_id", "kind", "record", "by", "at"}``: the Store's document as is, who sent
it (the sync user name) and when. Revisions are computed here as CouchDB's replicator does
(``new_edits=false``): the same content on the same parent gives the same revision, so a sync
interrupted after the server stored a batch sends nothing twice.
"""

from __future__ import annotations

import hashlib
import json

# typeshed leaves out the C accelerators (None where the C module is missing)
from json.encoder import c_encode_basestring, c_make_encoder  # type: ignore[attr-defined]
from typing import Any

from store.db.replica import SHARED_TABLES

PREFIX: dict[str, str] = {
    "calendar": "calendar",
    "measures": "measure",
    "students": "student",
    "groups": "group",
    "goals": "goal",
    "phase_changes": "phase",
    "sessions": "session",
    "scores": "score",
}
TABLE_OF: dict[str, str] = {prefix: table for table, prefix in PREFIX.items()}
assert set(PREFIX) == set(SHARED_TABLES)
_sha256 = hashlib.sha256


def _no_json(value: object) -> Any:
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def doc_id(table: str, doc: dict[str, Any]) -> str:
    """The CouchDB ``_id`` of a stored record."""
    if table == "calendar":
        return "calendar"
    if table == "measures":
        return f"measure:{doc['code']}"
    if table == "scores":
        return f"score:{doc['student_id']}:{doc['measure']}:{doc['date']}"
    if table == "sessions":
        return f"session:{doc['group_id']}:{doc['date']}"
    return f"{PREFIX[table]}:{doc['id']}"


def identity(couch_id: str) -> tuple[str, dict[str, Any]] | None:
    """The table and identifying fields named by an ``_id`` (None: not a record of ours)."""
    if couch_id == "calendar":
        return "calendar", {"id": "calendar"}
    prefix, _, rest = couch_id.partition(":")
    table = TABLE_OF.get(prefix)
    if table is None or not rest:
        return None
    if table == "measures":
        return table, {"code": rest}
    if table == "scores":
        parts = rest.rsplit(":", 2)
        if len(parts) != 3:
            return None
        return table, {"student_id": parts[0], "measure": parts[1], "date": parts[2]}
    if table == "sessions":
        group, _, day = rest.rpartition(":")
        return (table, {"group_id": group, "date": day}) if group else None
    return table, {"id": rest}


#: json's C encoder with ``sort_keys``, made once: the very bytes of
#: ``json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False)`` (the digest
#: every sync state holds) at half the cost (json.dumps builds an encoder per call)
_SORTED = (
    c_make_encoder(None, _no_json, c_encode_basestring, None, ":", ",", True, False, True)
    if c_make_encoder is not None and c_encode_basestring is not None
    else None
)


def content_hash(doc: dict[str, Any]) -> str:
    """A stable digest of a record's content (key order does not matter)."""
    if _SORTED is not None:
        text = "".join(_SORTED(doc, 0))
    else:  # pragma: no cover - CPython always has the C encoder
        text = json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return _sha256(text.encode("utf-8")).hexdigest()[:32]


def next_rev(parent: str | None, digest: str) -> tuple[str, dict[str, Any]]:
    """The revision a new content (``digest``; "" for a deletion) gets on ``parent``, and
    its ``_revisions`` history for ``_bulk_docs`` with ``new_edits=false``."""
    gen, parent_hash = 0, None
    if parent:
        head, _, parent_hash = parent.partition("-")
        gen = int(head)
    new_hash = hashlib.md5(f"{parent or ''}|{digest}".encode(), usedforsecurity=False).hexdigest()
    ids = [new_hash] + ([parent_hash] if parent_hash else [])
    return f"{gen + 1}-{new_hash}", {"start": gen + 1, "ids": ids}


def describe(table: str, record: dict[str, Any] | None) -> str:
    """A short human label of a record (for conflicts)."""
    if not record:
        return "deleted"
    if table == "scores":
        value = record.get("value")
        text = f"{value:g}" if isinstance(value, int | float) else str(value)
        if record.get("errors") is not None:
            text += f" ({record['errors']} errors)"
        return text
    if table == "students":
        return f"{record.get('given_name', '')} {record.get('family_name', '')}".strip()
    if table == "sessions":
        status = record.get("status", "")
        minutes = record.get("minutes_delivered")
        return f"{status} {minutes} min".strip() if minutes is not None else str(status)
    return ", ".join(f"{k}={v}" for k, v in record.items() if k != "id")[:120]


def title(couch_id: str, names: dict[str, str] | None = None) -> str:
    """What a person calls the record: ``Mia Lopez · ORF · 2026-11-20`` for a score
    (``names``: student and group ids -> names)."""
    found = identity(couch_id)
    names = names or {}
    if found is None:
        return couch_id
    table, key = found
    if table == "scores":
        who = names.get(key["student_id"], key["student_id"])
        return f"{who} · {key['measure']} · {key['date']}"
    if table == "sessions":
        return f"{names.get(key['group_id'], key['group_id'])} session · {key['date']}"
    if "id" in key and key["id"] in names:
        return f"{table.rstrip('s').replace('_', ' ')} {names[key['id']]}"
    return couch_id
