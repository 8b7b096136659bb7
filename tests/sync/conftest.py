"""A real CouchDB-protocol server for the sync tests (issue 18).

pouchdb-server (tests/couch, installed by ``make test`` with ``npm ci``) runs in memory on a
free 127.0.0.1 port for the whole session and is stopped at the end. When ``COUCHDB_URL``
names an admin URL (``http://admin:secret@127.0.0.1:5984``), the same tests run against that
server (Apache CouchDB 3) instead.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
COUCH_DIR = ROOT / "tests" / "couch"
SERVER_BIN = COUCH_DIR / "node_modules" / ".bin" / "pouchdb-server"
ADMIN, ADMIN_PASSWORD = "admin", "admin-" + secrets.token_hex(4)
#: Test members: name -> (password, roles)
MEMBERS = {
    "ava": ("ava-pw", ["intervene-writer"]),
    "ben": ("ben-pw", ["intervene-writer"]),
    "cy": ("cy-pw", ["intervene-writer"]),
    "sam": ("sam-pw", ["intervene-viewer"]),
    "eve": ("eve-pw", []),  # has an account, is no member of any team
}


@dataclass
class Server:
    base: str  # http://127.0.0.1:port, no credentials
    admin: str
    admin_password: str

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.base, auth=(self.admin, self.admin_password), timeout=30)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_up(base: str, proc: subprocess.Popen[bytes] | None) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"pouchdb-server exited with {proc.returncode}")
        try:
            if httpx.get(base + "/", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"no CouchDB-protocol server answered at {base}")


def _add_users(server: Server) -> None:
    with server.client() as c:
        c.put("/_users")  # Apache CouchDB 3 needs it created; 412 when it exists
        for name, (password, roles) in MEMBERS.items():
            doc_id = f"org.couchdb.user:{name}"
            old = c.get(f"/_users/{doc_id}")
            body = {"_id": doc_id, "name": name, "password": password, "roles": roles}
            body["type"] = "user"
            if old.status_code == 200:
                body["_rev"] = old.json()["_rev"]
            r = c.put(f"/_users/{doc_id}", json=body)
            assert r.status_code in (201, 202), r.text


@pytest.fixture(scope="session")
def couch_server() -> Iterator[Server]:
    given = os.environ.get("COUCHDB_URL")
    if given:
        parts = urlsplit(given)
        base = urlunsplit((parts.scheme, f"{parts.hostname}:{parts.port or 5984}", "", "", ""))
        server = Server(base, parts.username or "admin", parts.password or "")
        _wait_up(base, None)
        _add_users(server)
        yield server
        return
    if not SERVER_BIN.exists():
        subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund", "--omit=optional"], cwd=COUCH_DIR, check=True
        )
    port = _free_port()
    workdir = Path(tempfile.mkdtemp(prefix="intervene-couch-"))  # its config.json and log
    proc = subprocess.Popen(
        [str(SERVER_BIN), "--in-memory", "--host", "127.0.0.1", "--port", str(port)],
        cwd=workdir,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_up(base, proc)
        r = httpx.put(f"{base}/_config/admins/{ADMIN}", content=f'"{ADMIN_PASSWORD}"', timeout=10)
        assert r.status_code == 200, r.text
        server = Server(base, ADMIN, ADMIN_PASSWORD)
        _add_users(server)
        yield server
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture
def team(couch_server: Server, tmp_path: Path) -> str:
    """A fresh team database, set up with ``intervene sync setup --init`` by the admin;
    returns its URL."""
    from store.db import Store
    from store.sync.engine import setup

    url = f"{couch_server.base}/team-{secrets.token_hex(4)}"
    admin_dir = tmp_path / "admin"
    Store.open(admin_dir).close()
    setup(admin_dir, url, couch_server.admin, couch_server.admin_password, init=True)
    return url
