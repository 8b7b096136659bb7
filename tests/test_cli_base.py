"""The CLI base through subprocess: `paths`, `demo --no-open`, `--version`, usage errors."""

from __future__ import annotations

import stat
from pathlib import Path

from store.db import Store
from tests.cli import run


def fields(stdout: str) -> dict[str, str]:
    return dict(
        (key.strip(), value.strip())
        for key, value in (line.split(":", 1) for line in stdout.splitlines())
    )


def test_paths_prints_absolute_folders(tmp_path: Path) -> None:
    out = run("paths", "--data-dir", "mydata", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    shown = fields(out.stdout)
    assert shown["data"] == str(tmp_path / "mydata")
    assert shown["backups"] == str(tmp_path / "mydata" / "backups")
    assert Path(shown["demo"]).is_absolute()
    assert not (tmp_path / "mydata").exists(), "paths only looks, it creates nothing"


def test_paths_follow_the_environment(tmp_path: Path) -> None:
    env = {"INTERVENE_DATA_DIR": str(tmp_path / "real"), "INTERVENE_DEMO_DIR": "demo-here"}
    out = run("paths", cwd=tmp_path, env=env)
    assert out.returncode == 0, out.stderr
    shown = fields(out.stdout)
    assert shown["data"] == str(tmp_path / "real")
    assert shown["demo"] == str(tmp_path / "demo-here")


def test_demo_builds_a_private_demo_folder_and_rebuilds_it(tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    out = run("demo", "--data-dir", folder, "--no-open", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert str(folder) in out.stdout
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    with Store.open(folder, readonly=True) as store:
        students = store.students()
        groups = store.groups()
    assert 24 <= len(students) <= 36 and 6 <= len(groups) <= 8
    # again: a fresh demo replaces the old one (same size, not doubled)
    again = run("demo", "--data-dir", folder, "--no-open", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    with Store.open(folder, readonly=True) as store:
        assert len(store.students()) == len(students)


def test_demo_refuses_a_folder_with_real_data(tmp_path: Path) -> None:
    real = tmp_path / "real"
    with Store.open(real) as store:
        store.add_student(given_name="Ava", family_name="Jones", grade="3")
    before = sorted(p.name for p in real.iterdir())
    out = run("demo", "--data-dir", real, "--no-open", cwd=tmp_path)
    assert out.returncode == 1
    assert out.stderr.startswith("intervene: ") and "not a demo" in out.stderr
    assert "Traceback" not in out.stderr
    assert sorted(p.name for p in real.iterdir()) == before
    with Store.open(real, readonly=True) as store:
        assert [s.given_name for s in store.students()] == ["Ava"]


def test_version_and_usage_errors(tmp_path: Path) -> None:
    out = run("--version", cwd=tmp_path)
    assert out.returncode == 0 and out.stdout.startswith("intervene ")
    bad = run("no-such-command", cwd=tmp_path)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    bad_date = run("--date", "2026-13-01", "paths", cwd=tmp_path)
    assert bad_date.returncode == 2 and "Traceback" not in bad_date.stderr
