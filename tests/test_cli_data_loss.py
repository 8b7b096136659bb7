"""Issue 15, data loss, through the CLI: restore over damaged data, export backup that
cannot read a file, the daily backup from CLI-only use, stale temp files."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from store.db import Store
from store.export import records_of
from tests.cli import assert_user_error, run, run_refused
from tests.conftest import read_tree
from tests.store.test_export import Caseload
from tests.test_cli_io import backed_up, caseload_dir, folder

__all__ = ["backed_up", "caseload_dir", "folder"]  # fixtures


# --------------------------------------------------------------------------- 5. damaged core
def test_restore_over_a_damaged_core_keeps_it_aside(backed_up: tuple[Path, Path]) -> None:
    data, backup = backed_up
    damaged = b'{"students": {"1": {"id": "st-'  # a torn write
    (data / "core.json").write_bytes(damaged)
    out = run_refused("restore", backup, data_dir=data, text="cannot be read")
    assert "--yes" in out.stderr
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


# --------------------------------------------------------------------------- 6. export backup
def _a_partition(data: Path) -> Path:
    return sorted((data / "scores").rglob("*.json"))[0]


def test_export_backup_fails_on_a_damaged_file(
    caseload_dir: tuple[Path, Caseload], tmp_path: Path
) -> None:
    data, _ = caseload_dir
    part = _a_partition(data)
    part.write_bytes(b'{"scores": {"1": ')
    out = run("export", "backup", tmp_path / "b.json", data_dir=data)
    assert_user_error(out, str(part))
    assert not (tmp_path / "b.json").exists()


def test_export_backup_fails_on_a_file_it_cannot_open(
    caseload_dir: tuple[Path, Caseload], tmp_path: Path
) -> None:
    data, _ = caseload_dir
    part = _a_partition(data)
    part.unlink()
    part.mkdir()  # not a file: reading it fails as an unreadable one would (even for root)
    out = run("export", "backup", tmp_path / "b.json", data_dir=data)
    assert_user_error(out, str(part))
    assert not (tmp_path / "b.json").exists()


# --------------------------------------------------------------------------- 6. daily backup
def _todays_backup(data: Path) -> Path:
    return data / "backups" / date.today().isoformat()


def test_cli_writes_make_the_daily_backup_when_due(
    caseload_dir: tuple[Path, Caseload], tmp_path: Path
) -> None:
    data, _ = caseload_dir
    assert not _todays_backup(data).exists()
    before = read_tree(data)
    assert run("add-score", "lily", "ORF", "999", data_dir=data).returncode == 1  # bad input
    assert read_tree(data) == before  # nothing changes, not even a backup
    assert run("add-score", "lily", "ORF", "88", data_dir=data).returncode == 0
    folder = _todays_backup(data)
    assert (folder / "manifest.json").is_file()
    assert before["core.json"] == (folder / "core.json").read_bytes()  # taken before the write
    made = read_tree(folder)
    assert run("add-score", "lily", "NWF", "40", data_dir=data).returncode == 0
    assert read_tree(folder) == made  # once a day


def test_import_and_restore_make_the_daily_backup(
    caseload_dir: tuple[Path, Caseload], tmp_path: Path
) -> None:
    data, _ = caseload_dir
    backup = tmp_path / "b.json"
    with Store.open(data) as store:
        from store.export import export_backup

        export_backup(store, backup)
    out = run("restore", backup, "--yes", data_dir=data)
    assert out.returncode == 0, out.stderr
    assert (_todays_backup(data) / "manifest.json").is_file()
    fresh = tmp_path / "fresh"
    roster = tmp_path / "roster.csv"
    roster.write_text("student_id,given_name,family_name,grade\n100,Ana,Ruiz,3\n")
    assert run("import", "roster", roster, "--yes", data_dir=fresh).returncode == 0
    assert run("import", "roster", roster, "--yes", data_dir=data).returncode == 0
    assert (_todays_backup(data) / "manifest.json").is_file()


def test_stale_temp_files_are_swept_on_open(folder: Path) -> None:
    with Store.open(folder) as store:
        ava = store.add_student("Ava", "Jones", "3")
        store.record_score(ava.id, "ORF", 50, date.today())
    part = next((folder / "scores").rglob("*.json"))
    stale = [
        folder / ".core.json.k3j2h1.tmp",
        part.parent / f".{part.name}.x9y8z7.tmp",
    ]
    for path in stale:
        path.write_bytes(b"half a save")
    keep = folder / "notes.tmp"  # not ours: left alone
    keep.write_bytes(b"mine")
    with Store.open(folder, readonly=True):
        assert all(p.exists() for p in stale)  # a reader never deletes
    with Store.open(folder):
        assert not any(p.exists() for p in stale)
    assert keep.exists()
