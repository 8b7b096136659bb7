"""Benchmark: a durable score save and opening the store, as history grows.

Run: ``.venv/bin/python bench/bench_store.py [--dir DIR]`` (not part of the tests).

For 1k, 10k and 100k stored scores (150 students over 5 school years) it measures
  * ours      — median ``Store.record_score`` (a durable save of one partition: one line of
                its journal + fdatasync, or the whole file atomically; store/wal.py) as
                score entry makes it: each student saved once, in a freshly opened store,
                right after the row's ``check_score`` (which the entry screen runs as the
                value is typed, and which reads the student's partition); "1st save" is
                check + save together
  * tinydb    — median insert into one stock TinyDB JSONStorage file of the same size
                (rewrites the whole file; not even fsynced)
  * sqlite    — median INSERT + COMMIT, journal_mode=WAL, synchronous=FULL, each one
                right after one of our saves
                (sqlite_normal: synchronous=NORMAL, which does not fsync each commit)
  * jsonl     — append one JSON line to a file and fsync it
  * open      — median ``Store.open`` + close
The scores are spread over the students' five school years, so each student's current-year
file holds its share (~130 scores a student at 100k; ~1 at 1k, a file small enough to be
rewritten whole), and each student's last-week score is saved through the store before
timing. Prints a table and a final JSON line: flat = ours@100k / ours@1k (target ≤ 1.3),
vs_sqlite = ours@100k / sqlite@100k (≤ 3), vs_sqlite_paired = the median of each save's time
over the SQLite commit right after it (less swayed by fsync latency drifting), and for the
record vs_sqlite_normal, vs_jsonl (ours / theirs) and vs_tinydb (tinydb / ours).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tinydb import TinyDB  # noqa: E402
from tinydb.storages import JSONStorage  # noqa: E402

from bench.partitions import write_score_partitions  # noqa: E402
from store.db import Store  # noqa: E402
from store.model import Score  # noqa: E402

NOW = datetime(2026, 11, 25, 10, 0)
STUDENTS = 150
YEARS = (2022, 2023, 2024, 2025, 2026)
SIZES = (1_000, 10_000, 100_000)
HISTORY_MEASURES = ("ORF", "Maze", "MCOMP")
PER_ROUND = 10  # students saved per round (score entry for one group)
SAVES = 30  # sqlite commits per size
REPEATS = 5  # interleaved rounds per size, 2 x PER_ROUND new students each


def clock() -> datetime:
    return NOW


def history(n: int, student_ids: list[str]) -> list[Score]:
    """``n`` ORF scores spread evenly over students and school years, weekly from September."""
    out = []
    per_slot: dict[tuple[str, int], int] = {}
    for i in range(n):
        sid = student_ids[i % STUDENTS]
        year = YEARS[(i // STUDENTS) % len(YEARS)]
        k = per_slot.get((sid, year), 0)
        per_slot[(sid, year)] = k + 1
        # one a day from Sep 1 (to NOW in the current year), then the next measure: every
        # school year's file, the current one too, holds its share; the saves timed are NWF
        span = min((NOW.date() - date(year, 9, 1)).days, 280)
        day = date(year, 9, 1) + timedelta(days=k % span)
        measure = HISTORY_MEASURES[(k // span) % len(HISTORY_MEASURES)]
        out.append(Score(f"sc-{i:08x}", sid, measure, day, float(20 + i % 40), None, None, NOW))
    return out


def build_store(folder: Path, n: int) -> list[str]:
    """A data folder with 150 students and ``n`` scores, written as partition files directly,
    then last week's LNF score of each student saved through the store: the files are as
    the app leaves them (a large partition has a journal, store/wal.py, that its next save
    appends to; a folder from before journals pays for creating each one once)."""
    with Store.open(folder, clock=clock) as store, store.batch("bench students"):
        ids = [store.add_student(f"Kid{i}", f"Bench{i:03d}", "3").id for i in range(STUDENTS)]
    write_score_partitions(folder, history(n, ids))
    with Store.open(folder, clock=clock) as store:
        for sid in ids:
            store.record_score(sid, "LNF", 40, NOW.date() - timedelta(days=7))
    return ids


def time_ours(
    folder: Path, ids: list[str], rep: int, after: Callable[[], float]
) -> tuple[list[float], list[float], list[float]]:
    """Score entry as in the app, for PER_ROUND students never saved before: open the store,
    then for each student check the row (untimed: the screen does it as the value is typed)
    and save it (``warm``); ``cold`` = check + save, the cost from Enter on a fresh partition.
    Two rounds: the first's students are saved with check + save timed together.
    ``after()`` runs (and times) one SQLite commit right after each warm save: fsync latency
    on a shared disk swings by 10x within seconds, so the two sample the same moments."""
    cold, warm, theirs = [], [], []
    day = NOW.date()
    with Store.open(folder, clock=clock) as store:
        for k in range(PER_ROUND):
            sid = ids[(rep * 2 * PER_ROUND + k) % STUDENTS]
            t = time.perf_counter()
            store.check_score(sid, "NWF", 30 + k, day)
            store.record_score(sid, "NWF", 30 + k, day)
            cold.append(time.perf_counter() - t)
        for k in range(PER_ROUND):
            sid = ids[((rep * 2 + 1) * PER_ROUND + k) % STUDENTS]
            store.check_score(sid, "NWF", 30 + k, day)
            t = time.perf_counter()
            store.record_score(sid, "NWF", 30 + k, day)
            warm.append(time.perf_counter() - t)
            theirs.append(after())
    return warm, cold, theirs


def time_open(folder: Path, repeats: int = 7) -> list[float]:
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        store = Store.open(folder, clock=clock)
        store.close()
        times.append(time.perf_counter() - t)
    return times


def time_tinydb(folder: Path, n: int, ids: list[str]) -> list[float]:
    path = folder / "stock.json"
    docs = {str(i + 1): s.to_doc() for i, s in enumerate(history(n, ids))}
    path.write_text(json.dumps({"scores": docs}))
    db = TinyDB(path, storage=JSONStorage)
    table = db.table("scores")
    calls = 3 if n >= 100_000 else 10
    times = []
    for i in range(calls):
        doc = Score(f"sc-new{i:05d}", ids[i], "NWF", NOW.date(), 30.0, None, None, NOW).to_doc()
        t = time.perf_counter()
        table.insert(doc)
        times.append(time.perf_counter() - t)
    db.close()
    return times


def time_jsonl(folder: Path, n: int, ids: list[str]) -> list[float]:
    """Append one JSON line and fsync it, to a file already holding ``n`` lines."""
    path = folder / "scores.jsonl"
    with path.open("w") as f:
        for s in history(n, ids):
            f.write(json.dumps(s.to_doc()) + "\n")
    times = []
    with path.open("a") as f:
        for i in range(SAVES):
            doc = Score(f"sc-new{i:05d}", ids[i], "NWF", NOW.date(), 30.0, None, None, NOW)
            t = time.perf_counter()
            f.write(json.dumps(doc.to_doc()) + "\n")
            f.flush()
            os.fsync(f.fileno())
            times.append(time.perf_counter() - t)
    return times


def sqlite_db(folder: Path, n: int, ids: list[str], sync: str = "FULL") -> sqlite3.Connection:
    """A WAL SQLite database already holding ``n`` scores."""
    con = sqlite3.connect(folder / f"bench-{sync}.sqlite", isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute(f"PRAGMA synchronous={sync}")
    con.execute(
        "CREATE TABLE scores (id TEXT PRIMARY KEY, student_id TEXT, measure TEXT, date TEXT, "
        "value REAL, errors INTEGER, session_id TEXT, entered_at TEXT)"
    )
    con.execute("BEGIN")
    con.executemany(
        "INSERT INTO scores VALUES (?,?,?,?,?,?,?,?)",
        [
            (s.id, s.student_id, s.measure, s.date.isoformat(), s.value, None, None, "x")
            for s in history(n, ids)
        ],
    )
    con.execute("COMMIT")
    return con


def sqlite_saves(con: sqlite3.Connection, ids: list[str], first: int, count: int) -> list[float]:
    """Seconds of each of ``count`` INSERT + COMMIT (one score each)."""
    times = []
    for i in range(first, first + count):
        t = time.perf_counter()
        con.execute("BEGIN")
        con.execute(
            "INSERT INTO scores VALUES (?,?,?,?,?,?,?,?)",
            (
                f"sc-new{i:05d}",
                ids[i % STUDENTS],
                "NWF",
                NOW.date().isoformat(),
                30.0,
                None,
                None,
                "x",
            ),
        )
        con.execute("COMMIT")
        times.append(time.perf_counter() - t)
    return times


def ms(seconds: float) -> str:
    return f"{seconds * 1000:9.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, help="where to build the data (default: a temp dir)")
    args = parser.parse_args()
    base = Path(tempfile.mkdtemp(prefix="intervene-bench-", dir=args.dir))
    results: dict[int, dict[str, float]] = {}
    started = time.perf_counter()
    try:
        folders = {n: base / f"n{n}" for n in SIZES}
        ids = {n: build_store(folders[n] / "data", n) for n in SIZES}
        samples: dict[int, dict[str, list[float]]] = {
            n: {"ours": [], "cold": [], "open": [], "sqlite": []} for n in SIZES
        }
        ratios: dict[int, list[float]] = {n: [] for n in SIZES}  # each save / the next commit
        # Each SQLite commit runs right after one of our saves (see time_ours)
        sqlite = {n: sqlite_db(folders[n], n, ids[n]) for n in SIZES}
        # Interleave the sizes so that machine noise (fsync latency) hits them alike.
        for rep in range(REPEATS):
            for n in SIZES:
                first = iter(range(rep * 100, rep * 100 + PER_ROUND))
                warm, cold, theirs = time_ours(
                    folders[n] / "data",
                    ids[n],
                    rep,
                    lambda con=sqlite[n], ids=ids[n], it=first: sqlite_saves(con, ids, next(it), 1)[
                        0
                    ],
                )
                samples[n]["ours"] += warm
                samples[n]["cold"] += cold
                samples[n]["open"] += time_open(folders[n] / "data", 3)
                samples[n]["sqlite"] += theirs
                ratios[n] += [a / b for a, b in zip(warm, theirs, strict=True)]
        for con in sqlite.values():
            con.close()
        for n in SIZES:
            results[n] = {key: statistics.median(v) for key, v in samples[n].items()}
            results[n]["tinydb"] = statistics.median(time_tinydb(folders[n], n, ids[n]))
            normal = sqlite_db(folders[n], n, ids[n], "NORMAL")
            results[n]["sqlite_normal"] = statistics.median(sqlite_saves(normal, ids[n], 0, SAVES))
            normal.close()
            results[n]["jsonl"] = statistics.median(time_jsonl(folders[n], n, ids[n]))
            print(f"  measured {n:>7,} scores", file=sys.stderr)
    finally:
        shutil.rmtree(base, ignore_errors=True)

    print(f"\nmedian milliseconds per operation (data in {base.parent})")
    print(
        f"{'stored scores':>14} {'ours save':>10} {'1st save':>10} {'TinyDB':>10} "
        f"{'sqlite':>10} {'sq normal':>10} {'jsonl':>10} {'open':>10}"
    )
    for n, r in results.items():
        print(
            f"{n:>14,} {ms(r['ours'])} {ms(r['cold'])} {ms(r['tinydb'])} {ms(r['sqlite'])} "
            f"{ms(r['sqlite_normal'])} {ms(r['jsonl'])} {ms(r['open'])}"
        )
    print(
        "ours save = record_score of a student saved once, after the row's check_score read the\n"
        "partition; 1st save = check_score + record_score on the student's unread partition."
    )
    big, small = results[SIZES[-1]], results[SIZES[0]]
    summary = {
        "flat": round(big["ours"] / small["ours"], 3),
        "vs_tinydb": round(big["tinydb"] / big["ours"], 1),
        "vs_sqlite": round(big["ours"] / big["sqlite"], 3),
        "vs_sqlite_paired": round(statistics.median(ratios[SIZES[-1]]), 3),
        "vs_sqlite_normal": round(big["ours"] / big["sqlite_normal"], 3),
        "vs_jsonl": round(big["ours"] / big["jsonl"], 3),
        "open_ratio": round(big["open"] / small["open"], 3),
        "flat_first_save": round(big["cold"] / small["cold"], 3),
        "ours_ms": {str(n): round(r["ours"] * 1000, 3) for n, r in results.items()},
        "first_save_ms": {str(n): round(r["cold"] * 1000, 3) for n, r in results.items()},
        "tinydb_ms": {str(n): round(r["tinydb"] * 1000, 3) for n, r in results.items()},
        "sqlite_ms": {str(n): round(r["sqlite"] * 1000, 3) for n, r in results.items()},
        "jsonl_ms": {str(n): round(r["jsonl"] * 1000, 3) for n, r in results.items()},
        "open_ms": {str(n): round(r["open"] * 1000, 3) for n, r in results.items()},
        "seconds": round(time.perf_counter() - started, 1),
    }
    targets = {"flat": "≤ 1.3", "vs_sqlite": "≤ 3", "open_ratio": "≤ 2"}
    print()
    for key, target in targets.items():
        print(f"{key:>11} = {summary[key]:<8} (target {target})")
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
