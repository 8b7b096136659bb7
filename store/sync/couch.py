"""A small CouchDB HTTP client over httpx (issue 18): the few endpoints sync needs.

Every failure becomes a :class:`SyncError` with one line that names the server and the user
— never the password (httpx's BasicAuth keeps it out of URLs; messages are built here).
"""

from __future__ import annotations

from typing import Any, NoReturn
from urllib.parse import quote, urlsplit, urlunsplit

import httpx

from store.errors import StoreError
from store.storage import dumps

LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
TIMEOUT = httpx.Timeout(30.0, connect=5.0)


class SyncError(StoreError):
    """Sync could not run (offline, refused, a server error): nothing local changed."""


class AuthError(SyncError):
    """Wrong name or password, or not a member of the team database."""


def check_url(url: str) -> tuple[str, str]:
    """``(server URL, database name)`` of a team database URL; https is required except to
    this machine, and credentials in the URL are refused (they would be stored and shown)."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SyncError(f"{url!r} is not a database URL (e.g. https://couch.school.example/team)")
    if parts.username or parts.password:
        raise SyncError(
            "put no name or password in the URL: use --user and INTERVENE_SYNC_PASSWORD "
            "(or the prompt)"
        )
    if parts.scheme == "http" and parts.hostname not in LOCAL_HOSTS:
        raise SyncError(
            f"{parts.hostname} needs https: students' data may travel unencrypted only to "
            "this machine (localhost)"
        )
    db = parts.path.strip("/")
    if not db or "/" in db:
        raise SyncError(f"{url!r} names no database: add it, e.g. {url.rstrip('/')}/reading-team")
    if not (db[0].islower() and all(c.islower() or c.isdigit() or c in "_$()+-" for c in db)):
        raise SyncError(
            f"{db!r} is not a CouchDB database name (lower-case letters, digits and _$()+-, "
            "starting with a letter)"
        )
    server = urlunsplit((parts.scheme, parts.netloc, "", "", ""))
    return server, db


class Couch:
    """One team database on one server, as one user."""

    def __init__(self, url: str, user: str, password: str, *, timeout: float | None = None):
        self.server, self.db = check_url(url)
        self.user = user
        self.url = f"{self.server}/{self.db}"
        self._http = httpx.Client(
            base_url=self.server,
            auth=httpx.BasicAuth(user, password),
            timeout=TIMEOUT if timeout is None else httpx.Timeout(timeout),
            headers={"Accept": "application/json"},
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Couch:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ requests
    def request(
        self,
        method: str,
        path: str,
        *,
        body: Any = None,
        params: dict[str, str] | None = None,
        ok: tuple[int, ...] = (200, 201, 202),
    ) -> Any:
        content = None if body is None else dumps(body)  # compact UTF-8, one C encoder
        headers = {"Content-Type": "application/json"} if content is not None else None
        try:
            resp = self._http.request(method, path, content=content, params=params, headers=headers)
        except httpx.TimeoutException:
            raise SyncError(f"the team database at {self.url} did not answer in time") from None
        except httpx.HTTPError as exc:
            raise SyncError(
                f"cannot reach the team database at {self.url} (offline? {type(exc).__name__})"
            ) from None
        if resp.status_code in ok:
            try:
                return resp.json()
            except ValueError:
                raise SyncError(f"{self.url} did not answer as CouchDB does") from None
        self._raise(resp)

    def _raise(self, resp: httpx.Response) -> NoReturn:
        try:
            data = resp.json()
            reason = str(data.get("reason") or data.get("error") or "")
        except (ValueError, AttributeError):
            reason = ""
        code = resp.status_code
        if code in (401, 403):
            if not self.authenticated():
                raise AuthError(
                    f"the team server at {self.server} refused user {self.user!r}: "
                    "wrong name or password"
                )
            raise AuthError(
                f"user {self.user!r} is not a member of the team database {self.db!r} "
                f"(ask its administrator){': ' + reason if reason and code == 403 else ''}"
            )
        if code == 404:
            raise SyncError(f"there is no team database at {self.url}")
        raise SyncError(f"the team database at {self.url} answered {code} {reason}".strip())

    def authenticated(self) -> bool:
        """Whether the server takes this name and password (``/_session``)."""
        try:
            resp = self._http.get("/_session")
            ctx = resp.json().get("userCtx", {}) if resp.status_code == 200 else {}
        except (httpx.HTTPError, ValueError, AttributeError):
            return False
        return bool(ctx.get("name") == self.user)

    def session_roles(self) -> list[str]:
        data = self.request("GET", "/_session")
        ctx = data.get("userCtx", {}) if isinstance(data, dict) else {}
        if ctx.get("name") != self.user:
            raise AuthError(
                f"the team server at {self.server} refused user {self.user!r}: "
                "wrong name or password"
            )
        return [str(r) for r in ctx.get("roles", [])]

    def db_path(self, rest: str = "") -> str:
        return f"/{quote(self.db, safe='')}{rest}"

    def doc_path(self, doc_id: str) -> str:
        return self.db_path("/" + quote(doc_id, safe=":"))

    def info(self) -> dict[str, Any]:
        result: dict[str, Any] = self.request("GET", self.db_path())
        return result

    def revs_diff(self, revs: dict[str, list[str]]) -> dict[str, Any]:
        if not revs:
            return {}
        result: dict[str, Any] = self.request("POST", self.db_path("/_revs_diff"), body=revs)
        return result

    def bulk_docs(self, docs: list[dict[str, Any]], *, new_edits: bool) -> list[dict[str, Any]]:
        body: dict[str, Any] = {"docs": docs}
        if not new_edits:
            body["new_edits"] = False
        result = self.request("POST", self.db_path("/_bulk_docs"), body=body)
        return list(result) if isinstance(result, list) else []

    def changes(self, since: Any, limit: int) -> dict[str, Any]:
        params = {"style": "all_docs", "since": str(since), "limit": str(limit)}
        result: dict[str, Any] = self.request("GET", self.db_path("/_changes"), params=params)
        return result

    def get(self, doc_id: str, **params: str) -> dict[str, Any] | None:
        result = self.request("GET", self.doc_path(doc_id), params=params or None, ok=(200, 404))
        if not isinstance(result, dict) or result.get("error") == "not_found":
            return None
        return result
