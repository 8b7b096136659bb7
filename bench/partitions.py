"""Writing a large score history straight into a data folder's partition files, as the
Store lays them out (``scores/<school year>/<student id>.json``, private files), so the
benchmarks need not save 100 000 scores one by one."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from store.db import SCORES_DIR
from store.model import Score, school_year_of
from store.storage import dumps, make_private_dir


def write_score_partitions(folder: Path, scores: Iterable[Score]) -> int:
    """Write ``scores`` into ``folder``'s score partitions (0600); how many were written."""
    partitions: dict[str, dict[str, dict]] = {}
    for s in scores:
        rel = f"{SCORES_DIR}/{school_year_of(s.date)}/{s.student_id}.json"
        table = partitions.setdefault(rel, {})
        table[str(len(table) + 1)] = s.to_doc()
    for rel, table in partitions.items():
        path = folder / rel
        make_private_dir(path.parent, stop_at=folder)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(dumps({"scores": table}))
    return sum(len(t) for t in partitions.values())
