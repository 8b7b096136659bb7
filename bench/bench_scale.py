"""Benchmark: school scale — what the user's commands cost at 3,000 vs 300 students (issue 16).

Run: ``.venv/bin/python bench/bench_scale.py`` (``make bench``; not part of the tests).

Data: ``bench/scale_data.py`` folders (5 school years of weekly scores, groups with every
session logged, goals, phase changes), built once and cached. Every measurement is a fresh
Python process running the command line's ``main`` (so nothing parsed stays warm); the child
times the command itself, from opening the store to the last byte written, not the
interpreter's start-up:
  * import   — ``import roster FILE --yes``: N rows into an empty data folder
  * packet   — ``report packet --format md`` (the markdown packet: no charts drawn)
  * caseload — ``caseload --json`` (the caseload review, every student and measure)
  * restore  — ``restore --yes BACKUP`` of that size's backup into an empty folder
  * backup   — ``export backup``: its time, and at 3,000 students its peak RSS, both from
               the one run (the child's own high-water RSS as it ends, ``VmHWM`` in
               /proc/self/status: a process that ran only that command. Not
               ``getrusage(RUSAGE_SELF).ru_maxrss``: Linux keeps that across exec, so it
               is at least this process's own peak when it started the child — 968 MiB
               once this process had just built the 3,000-student folder, for a backup
               whose own peak was 65 MiB)
Growth = time at 3,000 / time at 300 (target ≤ 12: linear, with a margin). The last line is
JSON. ``--small S --large L`` change the sizes (e.g. for a quick look).
"""

from __future__ import annotations

import argparse
import csv
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.scale_data import NOW, cached  # noqa: E402

DAY = NOW.date().isoformat()
TIMEOUT = 300  # one command; a packet that takes longer is reported as failed, not waited on

CHILD = """
import resource, sys, time
from datetime import datetime
from tui.cli.main import main
now = datetime.fromisoformat(sys.argv[1])
t = time.perf_counter()
rc = main(sys.argv[2:], clock=lambda: now)
seconds = time.perf_counter() - t
try:  # the peak of this process's own memory since its exec (KiB)
    with open("/proc/self/status") as status:
        peak = next(int(l.split()[1]) for l in status if l.startswith("VmHWM:"))
except (OSError, StopIteration):  # not Linux: ru_maxrss (which may count the parent's)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(seconds, peak, rc, flush=True)
"""


def run_cli(*argv: str) -> tuple[float, float]:
    """Seconds the command took inside a fresh process, and that process's peak RSS in MiB
    (the command must succeed)."""
    out = subprocess.run(
        [sys.executable, "-c", CHILD, NOW.isoformat(), *argv],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    lines = out.stdout.strip().splitlines()
    if out.returncode or not lines or lines[-1].split()[-1] != "0":
        raise RuntimeError(f"intervene {' '.join(argv)} failed: {out.stderr.strip()[-500:]}")
    seconds, peak_kib, _rc = lines[-1].split()
    return float(seconds), int(peak_kib) / 1024  # KiB


def roster_csv(path: Path, rows: int) -> Path:
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["student_id", "given_name", "family_name", "grade"])
        for i in range(rows):
            w.writerow([f"R{200000 + i}", f"Given{i}", f"Family{i:05d}", "K12345"[i % 6]])
    return path


def measure(size: int, tmp: Path, repeats: int) -> tuple[dict[str, float], float]:
    """The median seconds of each command at ``size`` students (``repeats`` fresh runs),
    and the largest peak RSS of a backup run, in MiB."""
    data = str(cached(size))
    work = tmp / str(size)
    work.mkdir()
    roster = roster_csv(work / "roster.csv", size)
    times: dict[str, list[float]] = {}
    peaks: dict[str, list[float]] = {}
    for r in range(repeats):
        runs = {
            "import": (
                "--data-dir",
                str(work / f"import{r}"),
                "import",
                "roster",
                str(roster),
                "--yes",
            ),
            "packet": (
                "--data-dir",
                data,
                "--date",
                DAY,
                "report",
                "packet",
                "--format",
                "md",
                "--out",
                str(work / f"packet{r}.md"),
            ),
            "caseload": ("--data-dir", data, "--date", DAY, "caseload", "--json"),
            "backup": ("--data-dir", data, "export", "backup", str(work / f"backup{r}.json")),
        }
        runs["restore"] = (
            "--data-dir",
            str(work / f"restore{r}"),
            "restore",
            "--yes",
            str(work / "backup0.json"),
        )
        for name, argv in runs.items():
            seconds, peak = run_cli(*argv)
            times.setdefault(name, []).append(seconds)
            peaks.setdefault(name, []).append(peak)
    return {k: statistics.median(v) for k, v in times.items()}, max(peaks["backup"])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--small", type=int, default=300)
    ap.add_argument("--large", type=int, default=3000)
    args = ap.parse_args()
    t0 = time.perf_counter()
    for n in (args.small, args.large):
        cached(n)
    print(f"data folders ready in {time.perf_counter() - t0:.1f} s")
    result: dict[str, object] = {}
    with tempfile.TemporaryDirectory(prefix="intervene-scale-") as tmp:
        small, _ = measure(args.small, Path(tmp), repeats=3)
        large, peak = measure(args.large, Path(tmp), repeats=1)
    print(f"{'seconds':12}{args.small:>10}{args.large:>10}{'growth':>10}")
    for name in ("import", "packet", "caseload", "restore", "backup"):
        growth = large[name] / small[name]
        print(f"{name:12}{small[name]:>10.2f}{large[name]:>10.2f}{growth:>10.1f}")
        result[f"{name}_growth"] = round(growth, 2)
        result[f"{name}_s_{args.small}"] = round(small[name], 3)
        result[f"{name}_s_{args.large}"] = round(large[name], 3)
    print(f"export backup peak RSS at {args.large} students: {peak:.0f} MiB")
    result["backup_peak_mib"] = round(peak, 1)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
