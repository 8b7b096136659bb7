"""Issue 15, data loss, through the CLI: restore over damaged data, export backup that
cannot read a file, the daily backup from CLI-only use, stale temp files."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from store.db import Store
from store.export import records_of
from tests.conftest import read_tree
from tests.store.test_export import Caseload
from tests.test_cli_io import assert_user_error, caseload_dir, folder, run

__all__ = ["caseload_dir", "folder"]  # fixtures


# --------------------------------------------------------------------------- 5. damaged core
def test_restore_over_a_damaged_core_keeps_it_aside(
    caseload_dir: tuple[Path, Caseload], tmp_path: Path
) -> None:
    data, _ = caseload_dir
    backup = tmp_path / "backup.json"
    assert run("export", "backup", backup, data_dir=data).returncode == 0
    damaged = b'{"students": {"1": {"id": "st-'  # a torn write
    (data / "core.json").write_bytes(damaged)
    before = read_tree(data)
    out = run("restore", backup, data_dir=data)
    assert_user_error(out, "cannot be read")
    assert "--yes" in out.stderr
    assert read_tree(data) == before
    out = run("restore", backup, "--yes", data_dir=data)
    assert out.returncode == 0, out.stderr
    assert "Restored 6 students" in out.stdout
    kept = list((data / "backups").glob("damaged-*/core.json"))
    assert len(kept) == 1 and kept[0].read_bytes() == damaged
    assert str(kept[0].parent) in out.stdout
    with Store.open(data, readonly=True) as store:
        from store.export import backup_document

        assert records_of(backup_document(store)) == records_of(json.loads(backup.read_text()))
    assert date.today()  # the folder opens again
