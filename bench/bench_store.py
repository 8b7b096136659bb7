"""Benchmark: a durable score save and opening the store, as history grows.

Run: ``.venv/bin/python bench/bench_store.py [--dir DIR]`` (not part of the tests).

For 1k, 10k and 100k stored scores (150 students over 5 school years) it measures
  * ours      — median ``Store.record_score`` (atomic, fsynced write of one partition),
                with the partition in memory; "1st save" includes reading the partition
  * tinydb    — median insert into one stock TinyDB JSONStorage file of the same size
                (rewrites the whole file; not even fsynced)
  * sqlite    — median INSERT + COMMIT, journal_mode=WAL, synchronous=FULL
  * open      — median ``Store.open`` + close
and prints a table and a final JSON line with the ratios:
  flat = ours@100k / ours@1k (target ≤ 1.5), vs_tinydb = tinydb@100k / ours@100k (≥ 50),
  vs_sqlite = ours@100k / sqlite@100k (≤ 20), open_ratio = open@100k / open@1k (≤ 2).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
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
SAVES = 30  # sqlite commits per size
REPEATS = 5  # interleaved rounds of 30 warm + 10 first saves per size


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
        # weekly probes from Sep 1; more than ~40 a year spill onto other weekdays
        day = date(year, 9, 1) + timedelta(days=7 * (k % 40) + (k // 40))
        if day > NOW.date():
            day = NOW.date() - timedelta(days=400 + k)  # keep the current year in the past
        out.append(Score(f"sc-{i:08x}", sid, "ORF", day, float(20 + i % 150), None, None, NOW))
    return out


def build_store(folder: Path, n: int) -> list[str]:
    """A data folder with 150 students and ``n`` scores, written as partition files directly."""
    with Store.open(folder, clock=clock) as store, store.batch("bench students"):
        ids = [store.add_student(f"Kid{i}", f"Bench{i:03d}", "3").id for i in range(STUDENTS)]
    write_score_partitions(folder, history(n, ids))
    return ids


def time_ours(folder: Path, ids: list[str], rep: int) -> tuple[list[float], list[float]]:
    """Score entry as in the app: 10 students, 4 rounds. The first save to a student's
    partition also reads it (cold); the next ones find it in memory (warm)."""
    cold, warm = [], []
    with Store.open(folder, clock=clock) as store:
        for round_ in range(4):
            for k in range(10):
                sid = ids[k * 13 + rep]
                day = NOW.date() - timedelta(days=round_)
                t = time.perf_counter()
                store.record_score(sid, "NWF", 30 + k, day)
                (cold if round_ == 0 else warm).append(time.perf_counter() - t)
    return warm, cold


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


def time_sqlite(folder: Path, n: int, ids: list[str]) -> list[float]:
    con = sqlite3.connect(folder / "bench.sqlite", isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=FULL")
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
    times = []
    for i in range(SAVES):
        t = time.perf_counter()
        con.execute("BEGIN")
        con.execute(
            "INSERT INTO scores VALUES (?,?,?,?,?,?,?,?)",
            (f"sc-new{i:05d}", ids[i], "NWF", NOW.date().isoformat(), 30.0, None, None, "x"),
        )
        con.execute("COMMIT")
        times.append(time.perf_counter() - t)
    con.close()
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
            n: {"ours": [], "cold": [], "open": []} for n in SIZES
        }
        # Interleave the sizes so that machine noise (fsync latency) hits them alike.
        for rep in range(REPEATS):
            for n in SIZES:
                warm, cold = time_ours(folders[n] / "data", ids[n], rep)
                samples[n]["ours"] += warm
                samples[n]["cold"] += cold
                samples[n]["open"] += time_open(folders[n] / "data", 3)
        for n in SIZES:
            results[n] = {key: statistics.median(v) for key, v in samples[n].items()}
            results[n]["tinydb"] = statistics.median(time_tinydb(folders[n], n, ids[n]))
            results[n]["sqlite"] = statistics.median(time_sqlite(folders[n], n, ids[n]))
            print(f"  measured {n:>7,} scores", file=sys.stderr)
    finally:
        shutil.rmtree(base, ignore_errors=True)

    print(f"\nmedian milliseconds per operation (data in {base.parent})")
    print(
        f"{'stored scores':>14} {'ours save':>10} {'1st save':>10} {'TinyDB':>10} "
        f"{'sqlite':>10} {'open':>10}"
    )
    for n, r in results.items():
        print(
            f"{n:>14,} {ms(r['ours'])} {ms(r['cold'])} {ms(r['tinydb'])} {ms(r['sqlite'])} "
            f"{ms(r['open'])}"
        )
    print(
        "ours save = record_score with the student's partition in memory (the app has shown\n"
        "the student's scores); 1st save = the first save of a session, which reads the partition."
    )
    big, small = results[SIZES[-1]], results[SIZES[0]]
    summary = {
        "flat": round(big["ours"] / small["ours"], 3),
        "vs_tinydb": round(big["tinydb"] / big["ours"], 1),
        "vs_sqlite": round(big["ours"] / big["sqlite"], 3),
        "open_ratio": round(big["open"] / small["open"], 3),
        "flat_first_save": round(big["cold"] / small["cold"], 3),
        "ours_ms": {str(n): round(r["ours"] * 1000, 3) for n, r in results.items()},
        "first_save_ms": {str(n): round(r["cold"] * 1000, 3) for n, r in results.items()},
        "tinydb_ms": {str(n): round(r["tinydb"] * 1000, 3) for n, r in results.items()},
        "sqlite_ms": {str(n): round(r["sqlite"] * 1000, 3) for n, r in results.items()},
        "open_ms": {str(n): round(r["open"] * 1000, 3) for n, r in results.items()},
        "seconds": round(time.perf_counter() - started, 1),
    }
    targets = {"flat": "≤ 1.5", "vs_tinydb": "≥ 50", "vs_sqlite": "≤ 20", "open_ratio": "≤ 2"}
    print()
    for key, target in targets.items():
        print(f"{key:>11} = {summary[key]:<8} (target {target})")
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
