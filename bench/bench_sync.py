"""Benchmark: the first team sync of a large store (issue 18).

Run: ``.venv/bin/python bench/bench_sync.py`` (not part of the tests; needs
``npm ci --prefix tests/couch``, or ``COUCHDB_URL=http://admin:pw@127.0.0.1:5984``).

Takes bench/scale_data.py's 300-student, 5-school-year folder (weekly scores, groups with
a session every meeting day, goals, phase changes), starts pouchdb-server in memory
on 127.0.0.1 and measures
  * ours — ``store.sync.engine.sync`` into a fresh team database (set up with ``--init``,
           so the server runs its validate_doc_update): push with _revs_diff + _bulk_docs
           and checkpoints, then the pull that follows;
  * raw  — the same documents POSTed with plain ``_bulk_docs`` (500 a request) into another
           fresh database with the same design document, from this machine: once before
           ours and once after, averaged (the machine is shared: its load drifts).
Prints a final JSON line: ``sync_ratio`` = raw / ours (target ≥ 0.5: at most twice the cost
of the bare upload), the seconds of each and the number of documents; ``again_s``: the next
sync with nothing changed, in a new Store with no digests in memory (as a new process: the
digest cache is read from its file, no data file is read again).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from store.db import Store  # noqa: E402
from store.sync import digests, engine, mapping  # noqa: E402

STUDENTS, YEARS = 300, 5


def build_store(folder: Path, today: date) -> Store:
    """bench/scale_data.py's 300-student, 5-year folder (scores, groups, sessions, goals,
    phase changes) when it is there; else weekly ORF scores for 300 students."""
    try:
        from bench import scale_data
    except ImportError:
        scale_data = None  # type: ignore[assignment]
    if scale_data is not None:
        scale_data.fresh_copy(STUDENTS, folder)
        return Store.open(folder)
    store = Store.open(folder)
    first = date(today.year - YEARS, 9, 1)
    with store.batch("bench"):
        kids = [
            store.add_student(f"Kid{i}", f"Family{i}", str(i % 5 + 1)).id for i in range(STUDENTS)
        ]
        day, week = first, 0
        while day < today:
            if day.month >= 9 or day.month <= 5:  # the school year
                for i, kid in enumerate(kids):
                    store.record_score(kid, "ORF", 20 + (i + week) % 120, day)
            day += timedelta(days=7)
            week += 1
    return store


def start_server() -> tuple[str, str, str, subprocess.Popen[bytes] | None, Path | None]:
    given = os.environ.get("COUCHDB_URL")
    if given:
        p = urlsplit(given)
        base = urlunsplit((p.scheme, f"{p.hostname}:{p.port or 5984}", "", "", ""))
        return base, p.username or "admin", p.password or "", None, None
    binary = ROOT / "tests" / "couch" / "node_modules" / ".bin" / "pouchdb-server"
    if not binary.exists():
        sys.exit("bench_sync: run `npm ci --prefix tests/couch` first (or set COUCHDB_URL)")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    work = Path(tempfile.mkdtemp(prefix="bench-couch-"))
    proc = subprocess.Popen(
        [str(binary), "--in-memory", "--host", "127.0.0.1", "--port", str(port)],
        cwd=work,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if httpx.get(base + "/", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.2)
    httpx.put(f"{base}/_config/admins/admin", content='"bench-pw"', timeout=10)
    return base, "admin", "bench-pw", proc, work


def raw_upload(
    tmp: Path, base: str, admin: str, password: str, bodies: list[dict[str, Any]], db: str
) -> float:
    """Seconds to POST ``bodies`` with plain ``_bulk_docs`` (BATCH a request) into a fresh
    database ``db`` set up as ours is (with the design document)."""
    raw_dir = tmp / db
    Store.open(raw_dir).close()
    engine.setup(raw_dir, f"{base}/{db}", admin, password, init=True)
    with httpx.Client(base_url=base, auth=(admin, password), timeout=120) as http:
        t0 = time.perf_counter()
        for i in range(0, len(bodies), engine.BATCH):
            r = http.post(f"/{db}/_bulk_docs", json={"docs": bodies[i : i + engine.BATCH]})
            r.raise_for_status()
        return time.perf_counter() - t0


def main() -> None:
    base, admin, password, proc, work = start_server()
    tmp = Path(tempfile.mkdtemp(prefix="bench-sync-"))
    try:
        t0 = time.perf_counter()
        store = build_store(tmp / "data", date.today())
        docs = list(store.replica_docs())
        print(f"built {len(docs):,} records in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
        bodies = [
            {"_id": mapping.doc_id(t, d), "kind": t, "record": d, "by": admin, "at": "x"}
            for t, d in docs
        ]
        raw_before = raw_upload(tmp, base, admin, password, bodies, "bench-raw-before")
        ours_url = f"{base}/bench-ours"
        engine.setup(store.data_dir, ours_url, admin, password, init=True)
        t0 = time.perf_counter()
        result = engine.sync(store)
        ours = time.perf_counter() - t0
        assert result.sent == len(docs), (result.sent, len(docs))
        store.close()
        digests._MEMORY.clear()
        store = Store.open(tmp / "data")
        t0 = time.perf_counter()
        again = engine.sync(store)
        again_s = time.perf_counter() - t0
        assert again.sent == 0 and again.received == 0, again.line()
        store.close()

        raw_after = raw_upload(tmp, base, admin, password, bodies, "bench-raw-after")
        raw = (raw_before + raw_after) / 2
        print(
            f"ours {ours:.2f} s, raw _bulk_docs {raw_before:.2f} s before and {raw_after:.2f} s "
            f"after for {len(docs):,} docs",
            file=sys.stderr,
        )
        line = {"sync_ratio": round(raw / ours, 3), "ours_s": round(ours, 2)}
        line.update(raw_s=round(raw, 2), raw_before_s=round(raw_before, 2))
        line.update(raw_after_s=round(raw_after, 2), docs=len(docs), again_s=round(again_s, 2))
        print(json.dumps(line))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=10)
        if work is not None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
