"""``make bench``: run every benchmark, print each figure with its target, then one JSON line.

Run: ``.venv/bin/python bench/run_all.py`` (not part of the tests; numbers on a shared
2-core machine are noisy: compare ratios, which each benchmark measures side by side in one
run). Each benchmark is its own process and ends with a JSON line; this keeps the figures
that have a target (or are wanted for the record) and adds ``bench_seconds``.
``bench/bench_sync.py`` is included when it exists (its ``sync_ratio``; it needs the test
CouchDB server from ``npm ci --prefix tests/couch``: when that cannot start, the figure is
reported as not measured, not as a failure of the others).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent

# figure -> (benchmark, comparison, target); None = printed for the record
TARGETS: dict[str, tuple[str, str | None, float | None]] = {
    "flat": ("bench_store.py", "<=", 1.3),
    "vs_sqlite": ("bench_store.py", "<=", 3),
    "vs_jsonl": ("bench_store.py", None, None),
    "vs_sqlite_normal": ("bench_store.py", None, None),
    "vs_tinydb": ("bench_store.py", None, None),
    "startup_ratio": ("bench_startup.py", "<=", 1.5),
    "attention_ratio": ("bench_startup.py", "<=", 1.8),
    "attention_warm_ratio": ("bench_startup.py", None, None),
    "vs_sqlite_paired": ("bench_store.py", None, None),
    "import_growth": ("bench_scale.py", "<=", 12),
    "packet_growth": ("bench_scale.py", "<=", 12),
    "caseload_growth": ("bench_scale.py", "<=", 12),
    "restore_growth": ("bench_scale.py", "<=", 12),
    "backup_peak_mib": ("bench_scale.py", "<=", 250),
    "sync_ratio": ("bench_sync.py", ">=", 0.5),
    "startup_sync_ratio": ("bench_sync_overhead.py", "<=", 1.1),
    "save_sync_ratio": ("bench_sync_overhead.py", "<=", 1.1),
    "save_during_sync_ratio": ("bench_sync_overhead.py", None, None),
    "entry_saved_p95_ms_ratio": ("bench_entry.py", "<=", 1.3),
    "entry_stall_ms_p95": ("bench_entry.py", None, None),
}
# the order they run in; the sync benchmark only when someone has written it
SCRIPTS = (
    "bench_store.py",
    "bench_startup.py",
    "bench_entry.py",
    "bench_scale.py",
    "bench_sync.py",
    "bench_sync_overhead.py",
)


def run(script: str) -> dict[str, object]:
    """Run one benchmark, echoing its output; its last JSON line (empty if it failed)."""
    print(f"\n=== {script}", flush=True)
    t = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, str(BENCH / script)], cwd=ROOT, capture_output=True, text=True
    )
    print(proc.stdout.rstrip())
    print(f"--- {script}: {time.perf_counter() - t:.0f} s", flush=True)
    if proc.returncode:
        print(f"{script} failed (exit {proc.returncode}):\n{proc.stderr.strip()[-2000:]}")
        return {}
    for line in reversed(proc.stdout.strip().splitlines()):
        if line.startswith("{"):
            return dict(json.loads(line))
    return {}


def verdict(value: float, op: str, target: float) -> str:
    return "pass" if (value <= target if op == "<=" else value >= target) else "FAIL"


def main() -> int:
    started = time.perf_counter()
    results: dict[str, dict[str, object]] = {}
    for script in SCRIPTS:
        if (BENCH / script).exists():
            results[script] = run(script)
    line: dict[str, object] = {}
    failed = []
    print("\n=== figures")
    for name, (script, op, target) in TARGETS.items():
        if script not in results:
            continue
        value = results[script].get(name)
        if not isinstance(value, int | float):
            print(f"{name:>18}  not measured ({script} gave no figure)")
            line[name] = None
            if op is not None:
                failed.append(name)
            continue
        line[name] = value
        if op is None or target is None:
            print(f"{name:>18} = {value:<9} (for the record)")
        else:
            word = verdict(float(value), op, target)
            if word == "FAIL":
                failed.append(name)
            print(f"{name:>18} = {value:<9} target {op} {target:<6} {word}")
    line["bench_seconds"] = round(time.perf_counter() - started, 1)
    line["failed"] = failed
    print(json.dumps(line))
    return 0


if __name__ == "__main__":
    sys.exit(main())
