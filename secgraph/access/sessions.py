"""Browser sessions: an API key exchanged once for a session id that a cookie carries.

A session id is ``secrets.token_urlsafe(32)``: 256 random bits, shown once (in the cookie) and
stored only as its SHA-256 digest, in the key file's SQLite database beside the keys it stands for.
As for the keys (``access.keys``), a slow hash would add nothing: a 256-bit random id cannot be
guessed whatever the hash. The digest is the row's primary key, so a lookup is one indexed read;
without the id, the file gives no session away.

A session holds the id of the key it was opened with, not a copy of its rights: every request
looks the key up again (``KeyStore.principal_of``), so a key revoked with ``secgraph keys revoke``
ends its sessions at their next request, and a one-off key (``secgraph serve`` without stored keys)
ends its sessions with the process. A session ends after ``idle`` without a request and after
``absolute`` in any case; an expired session is deleted when it is next presented.

The CSRF token of a session is an HMAC of its id (``csrf_token``): only the holder of the cookie
can compute it, nothing else need be stored, and it changes with every new session.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from secgraph.access.keys import KeyStore
from secgraph.access.roles import Principal

#: Longer presented session ids are refused before hashing: a real one is 43 characters.
MAX_SESSION_CHARS = 100
#: A session's last use is written at most this often (seconds): reads need not write every time.
TOUCH_EVERY_S = 30.0

_SCHEMA = """
CREATE TABLE IF NOT EXISTS web_sessions (
    digest BLOB PRIMARY KEY,
    key_id TEXT NOT NULL,
    created REAL NOT NULL,
    last_seen REAL NOT NULL
);
"""


def _digest(session_id: str) -> bytes:
    return hashlib.sha256(session_id.encode("utf-8")).digest()


def csrf_token(session_id: str) -> str:
    """The token every form that writes carries for the session ``session_id``."""
    return hmac.new(session_id.encode("utf-8"), b"secgraph csrf", hashlib.sha256).hexdigest()


def csrf_matches(session_id: str, presented: str | None) -> bool:
    return bool(presented) and hmac.compare_digest(csrf_token(session_id), str(presented))


@dataclass(frozen=True)
class SessionLimits:
    """How long a session lives: ``idle`` seconds without a request, ``absolute`` seconds at most."""

    idle_s: float
    absolute_s: float


class SessionStore:
    """Sessions in the key file of ``keys`` (SQLite), each standing for one of its keys."""

    def __init__(self, keys: KeyStore, limits: SessionLimits, clock: Callable[[], float] = time.time):
        self.keys = keys
        self.limits = limits
        self._clock = clock
        with self._connect() as db:
            db.executescript(_SCHEMA)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.keys.path, timeout=10)
        try:
            with db:
                yield db
        finally:
            db.close()

    def open(self, token: str) -> tuple[str, Principal] | None:
        """A new session for the API key ``token``: its id (for the cookie, never stored) and the
        principal; None when the key is unknown, wrong or revoked."""
        principal = self.keys.verify(token)
        if principal is None:
            return None
        session_id = secrets.token_urlsafe(32)
        now = self._clock()
        with self._connect() as db:
            # expired sessions of every key go as a new one comes: the table stays small
            db.execute(
                "DELETE FROM web_sessions WHERE created < ? OR last_seen < ?",
                (now - self.limits.absolute_s, now - self.limits.idle_s),
            )
            db.execute(
                "INSERT INTO web_sessions(digest, key_id, created, last_seen) VALUES (?,?,?,?)",
                (_digest(session_id), principal.key_id, now, now),
            )
        return session_id, principal

    def principal(self, session_id: str | None) -> Principal | None:
        """Whom the session ``session_id`` stands for, or None: unknown, expired, signed out, or its
        key revoked. A live session's last use is moved to now."""
        if not session_id or len(session_id) > MAX_SESSION_CHARS:
            return None
        digest = _digest(session_id)
        now = self._clock()
        with self._connect() as db:
            row = db.execute(
                "SELECT key_id, created, last_seen FROM web_sessions WHERE digest = ?", (digest,)
            ).fetchone()
            if row is None:
                return None
            key_id, created, last_seen = row
            if now - created > self.limits.absolute_s or now - last_seen > self.limits.idle_s:
                db.execute("DELETE FROM web_sessions WHERE digest = ?", (digest,))
                return None
            if now - last_seen > TOUCH_EVERY_S:
                db.execute("UPDATE web_sessions SET last_seen = ? WHERE digest = ?", (now, digest))
        principal = self.keys.principal_of(key_id)
        if principal is None:  # the key was revoked (or was a one-off key of an ended process)
            self.close(session_id)
        return principal

    def close(self, session_id: str | None) -> None:
        """End the session (sign out); nothing happens for an unknown one."""
        if session_id and len(session_id) <= MAX_SESSION_CHARS:
            with self._connect() as db:
                db.execute("DELETE FROM web_sessions WHERE digest = ?", (_digest(session_id),))
