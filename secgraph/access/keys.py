"""API keys: random, shown once, stored only as a salted hash in a small SQLite file.

A key reads ``sg_<id>_<secret>``. The id is public (it names the key in listings and in
``secgraph keys revoke``) and lets a request find its one row without trying every hash. The secret
is ``secrets.token_urlsafe(32)``: 256 random bits.

Why SHA-256 with a per-key salt and not scrypt: slow hashes protect low-entropy passwords against
guessing once the file leaks. A 256-bit random secret cannot be guessed whatever the hash, so a slow
hash would add nothing but ~50 ms of CPU to every request (and a denial-of-service lever). The salt
still makes two rows with the same secret differ, and digests are compared with
``hmac.compare_digest`` so the comparison time says nothing about how close a guess was.

The file holds no key, and is created readable by its owner only. It also holds the secret that
pseudonymises people for viewers (``pseudonym_key``), so that the same person keeps the same
pseudonymous id across restarts while nobody without the file can recompute it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
import secrets
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from secgraph.access.roles import Principal, Role
from secgraph.model.names import normalise_text

DEFAULT_KEYS_PATH = Path("var") / "keys.db"
PREFIX = "sg"
#: Longer presented tokens are refused before hashing: a real key is about 55 characters.
MAX_TOKEN_CHARS = 200
#: A key's name is a label (「近畿局 企画担当」), shown beside what the key writes.
MAX_NAME_CHARS = 200

_SCHEMA = """
CREATE TABLE IF NOT EXISTS api_keys (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    community_id TEXT,
    salt BLOB NOT NULL,
    digest BLOB NOT NULL,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);
CREATE TABLE IF NOT EXISTS service_secrets (name TEXT PRIMARY KEY, value BLOB NOT NULL);
"""


class KeyRequestError(ValueError):
    """A key could not be created or revoked as asked."""


@dataclass(frozen=True)
class ApiKeyInfo:
    """What a listing shows of a key: everything but the secret."""

    id: str
    name: str
    role: Role
    community_id: str | None
    created_at: str
    revoked_at: str | None = None
    ephemeral: bool = False

    @property
    def active(self) -> bool:
        return self.revoked_at is None


@dataclass(frozen=True)
class _Row:
    info: ApiKeyInfo
    salt: bytes
    digest: bytes


def _digest(salt: bytes, secret: str) -> bytes:
    return hashlib.sha256(salt + secret.encode("utf-8")).digest()


def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


def _new_secret() -> tuple[str, str]:
    return secrets.token_hex(4), secrets.token_urlsafe(32)


# Compared against when no row matches, so an unknown id costs the same as a wrong secret.
_DUMMY = _Row(ApiKeyInfo("-", "-", Role.VIEWER, None, ""), b"\0" * 16, b"\0" * 32)


class KeyStore:
    """API keys in ``path`` (SQLite), plus keys that live only as long as this process."""

    def __init__(self, path: str | Path = DEFAULT_KEYS_PATH):
        self.path = Path(path)
        self._ephemeral: dict[str, _Row] = {}
        self._lock = threading.Lock()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if not self.path.exists():
            # Created owner-only before SQLite opens it; SQLite's journal files inherit the mode.
            os.close(os.open(self.path, os.O_CREAT | os.O_WRONLY, 0o600))
        with self._connect() as db:
            db.executescript(_SCHEMA)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        # One short connection per operation: safe across the server's threads, and a key revoked
        # from the command line is refused by a running server at its next request.
        db = sqlite3.connect(self.path, timeout=10)
        try:
            with db:
                yield db
        finally:
            db.close()

    # -- managing ------------------------------------------------------------------------------

    def create(self, role: Role | str, name: str = "", community_id: str | None = None) -> tuple[str, ApiKeyInfo]:
        """Create a key; return the key (shown once, never stored) and its listing."""
        info, salt, digest, token = self._new(Role(role), name, community_id)
        with self._connect() as db:
            db.execute(
                "INSERT INTO api_keys(id, name, role, community_id, salt, digest, created_at) VALUES (?,?,?,?,?,?,?)",
                (info.id, info.name, str(info.role), info.community_id, salt, digest, info.created_at),
            )
        return token, info

    def create_ephemeral(self, role: Role | str = Role.ADMIN, name: str = "") -> tuple[str, ApiKeyInfo]:
        """A key held (hashed) in memory only: valid until this process ends, never written."""
        info, salt, digest, token = self._new(Role(role), name, None, ephemeral=True)
        with self._lock:
            self._ephemeral[info.id] = _Row(info, salt, digest)
        return token, info

    def ephemeral_record(self, key_id: str) -> str:
        """The ephemeral key ``key_id`` as text another process of the same service adopts
        (``adopt_ephemeral``): its listing, salt and digest — never the key itself. ``secgraph serve
        --workers`` hands its one-off admin key to every worker this way."""
        with self._lock:
            row = self._ephemeral[key_id]
        info = row.info
        return json.dumps(
            {
                "id": info.id,
                "name": info.name,
                "role": str(info.role),
                "community_id": info.community_id,
                "created_at": info.created_at,
                "salt": row.salt.hex(),
                "digest": row.digest.hex(),
            }
        )

    def adopt_ephemeral(self, record: str) -> ApiKeyInfo:
        """Hold, in memory like its own, the ephemeral key another process described with
        ``ephemeral_record``. Raises KeyRequestError when ``record`` is not such a description."""
        try:
            fields = json.loads(record)
            info = ApiKeyInfo(
                str(fields["id"]),
                str(fields["name"]),
                Role(fields["role"]),
                fields["community_id"],
                str(fields["created_at"]),
                ephemeral=True,
            )
            row = _Row(info, bytes.fromhex(fields["salt"]), bytes.fromhex(fields["digest"]))
        except (ValueError, KeyError, TypeError) as error:
            raise KeyRequestError(f"not an ephemeral key's record / 一時キーの記述ではありません: {error}") from None
        with self._lock:
            self._ephemeral[info.id] = row
        return info

    @staticmethod
    def _new(
        role: Role, name: str, community_id: str | None, ephemeral: bool = False
    ) -> tuple[ApiKeyInfo, bytes, bytes, str]:
        if role == Role.SECRETARIAT and not community_id:
            raise KeyRequestError("a secretariat key needs --community / 事務局のキーには --community が必要です")
        if role != Role.SECRETARIAT and community_id:
            raise KeyRequestError("--community is only for secretariat keys / --community は事務局のキーだけに使えます")
        try:
            # the name becomes the author of the notes the key writes: text like any record's
            name = normalise_text(name)
        except ValueError as error:
            raise KeyRequestError(f"--name: {error}") from None
        if len(name) > MAX_NAME_CHARS:
            raise KeyRequestError(
                f"--name is longer than {MAX_NAME_CHARS} characters / 名前は{MAX_NAME_CHARS}文字以内にしてください"
            )
        key_id, secret = _new_secret()
        salt = secrets.token_bytes(16)
        info = ApiKeyInfo(key_id, name or f"{role} key", role, community_id, _now(), ephemeral=ephemeral)
        return info, salt, _digest(salt, secret), f"{PREFIX}_{key_id}_{secret}"

    def list(self, include_revoked: bool = True) -> list[ApiKeyInfo]:
        with self._connect() as db:
            rows = db.execute(
                "SELECT id, name, role, community_id, created_at, revoked_at FROM api_keys ORDER BY created_at, id"
            ).fetchall()
        infos = [ApiKeyInfo(r[0], r[1], Role(r[2]), r[3], r[4], r[5]) for r in rows]
        return [i for i in infos if include_revoked or i.active]

    def has_active_keys(self) -> bool:
        """Whether any key is configured in the file (ephemeral keys do not count)."""
        with self._connect() as db:
            return db.execute("SELECT 1 FROM api_keys WHERE revoked_at IS NULL LIMIT 1").fetchone() is not None

    def revoke(self, key_id: str) -> ApiKeyInfo:
        with self._connect() as db:
            updated = db.execute(
                "UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", (_now(), key_id)
            ).rowcount
            exists = db.execute("SELECT 1 FROM api_keys WHERE id = ?", (key_id,)).fetchone()
        if not exists:
            raise KeyRequestError(f"no key '{key_id}' / キー「{key_id}」はありません")
        if not updated:
            raise KeyRequestError(f"key '{key_id}' was already revoked / キー「{key_id}」は失効済みです")
        return next(i for i in self.list() if i.id == key_id)

    # -- checking ------------------------------------------------------------------------------

    def _row(self, key_id: str) -> _Row | None:
        with self._lock:
            if key_id in self._ephemeral:
                return self._ephemeral[key_id]
        with self._connect() as db:
            r = db.execute(
                "SELECT id, name, role, community_id, created_at, revoked_at, salt, digest FROM api_keys WHERE id = ?",
                (key_id,),
            ).fetchone()
        if r is None:
            return None
        return _Row(ApiKeyInfo(r[0], r[1], Role(r[2]), r[3], r[4], r[5]), bytes(r[6]), bytes(r[7]))

    def verify(self, token: str) -> Principal | None:
        """The principal a presented key stands for, or None (unknown, wrong or revoked)."""
        parts = token.split("_", 2) if len(token) <= MAX_TOKEN_CHARS else []
        row = self._row(parts[1]) if len(parts) == 3 and parts[0] == PREFIX else None
        candidate = row if row is not None and row.info.active else _DUMMY
        secret = parts[2] if len(parts) == 3 else token[:MAX_TOKEN_CHARS]
        matches = hmac.compare_digest(_digest(candidate.salt, secret), candidate.digest)
        if not matches or candidate is _DUMMY:
            return None
        info = candidate.info
        return Principal(key_id=info.id, name=info.name, role=info.role, community_id=info.community_id)

    def principal_of(self, key_id: str) -> Principal | None:
        """The principal of the key ``key_id`` if it is still active (a browser session stands for a
        key by its id: revoking the key ends the session)."""
        row = self._row(key_id)
        if row is None or not row.info.active:
            return None
        info = row.info
        return Principal(key_id=info.id, name=info.name, role=info.role, community_id=info.community_id)

    def pseudonym_key(self) -> bytes:
        """The secret that turns a person's id into a stable pseudonym; made on first use."""
        with self._connect() as db:
            db.execute(
                "INSERT OR IGNORE INTO service_secrets(name, value) VALUES ('pseudonym', ?)", (secrets.token_bytes(32),)
            )
            return bytes(db.execute("SELECT value FROM service_secrets WHERE name = 'pseudonym'").fetchone()[0])
