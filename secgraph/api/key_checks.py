"""Key checks remembered per process, forgotten the moment the key file changes.

Checking a presented key (``KeyStore.verify``) opens the key file, reads the key's row and hashes
the secret: cheap once, but it was a thread hop and a file open on every request. A key verified
here is remembered (by the SHA-256 of the token, not the token) for a short while, and every request
first asks SQLite whether the key file changed since: ``PRAGMA data_version`` on a connection kept
open for that answers a different number as soon as any other connection committed to the file —
``KeyStore.revoke`` in this process, or ``secgraph keys revoke`` in another. Any change forgets
everything remembered, so a revoked key is refused at the next request, as without the memory.

Source: SQLite, "PRAGMA data_version" (https://www.sqlite.org/pragma.html#pragma_data_version).
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
import time
from collections.abc import Callable

from secgraph.access import KeyStore, Principal


class KeyChecks:
    """``KeyStore.verify`` with a memory of the keys verified since the key file last changed.

    ``remembered`` never waits (it is called on the event loop): when the key file is being written
    at that instant, or the key is not remembered, it answers None and the caller runs ``verify`` on
    a worker thread. Keys are remembered for at most ``ttl_s`` seconds and ``capacity`` keys at once.
    """

    def __init__(
        self,
        keys: KeyStore,
        *,
        ttl_s: float = 30.0,
        capacity: int = 1024,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.keys = keys
        self.ttl_s = ttl_s
        self.capacity = capacity
        self._clock = clock
        self._lock = threading.Lock()
        self._db: sqlite3.Connection | None = None
        self._version: int | None = None
        self._known: dict[bytes, tuple[Principal, float]] = {}

    def _file_version(self) -> int | None:
        """The key file's data version, or None when it cannot be read without waiting."""
        with self._lock:
            try:
                if self._db is None:
                    # timeout 0: a file being written answers "busy" at once instead of blocking the loop
                    self._db = sqlite3.connect(self.keys.path, timeout=0, check_same_thread=False)
                return int(self._db.execute("PRAGMA data_version").fetchone()[0])
            except sqlite3.Error:
                return None

    def _current(self, version: int | None) -> bool:
        """Forget everything if the file changed since the keys were remembered (call with the lock)."""
        if version is None or version != self._version:
            self._known.clear()
            self._version = version
        return version is not None

    @staticmethod
    def _digest(token: str) -> bytes:
        return hashlib.sha256(token.encode("utf-8", "surrogatepass")).digest()

    def remembered(self, token: str) -> Principal | None:
        """The principal of a key verified lately and unchanged since, or None (then call ``verify``)."""
        version = self._file_version()
        digest = self._digest(token)
        with self._lock:
            if not self._current(version):
                return None
            entry = self._known.get(digest)
            if entry is None:
                return None
            if entry[1] <= self._clock():
                del self._known[digest]
                return None
            return entry[0]

    def verify(self, token: str) -> Principal | None:
        """``KeyStore.verify``, remembering a valid key. Blocks on the key file: not for the event loop."""
        # The version is read before the key: a revoke committed after it changes the version, so the
        # remembered answer is forgotten at the next request.
        version = self._file_version()
        principal = self.keys.verify(token)
        if principal is None or version is None:
            return principal
        with self._lock:
            if self._current(version):
                if len(self._known) >= self.capacity:
                    self._known.clear()  # many keys at once: start over rather than track ages
                self._known[self._digest(token)] = (principal, self._clock() + self.ttl_s)
        return principal

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None
            self._known.clear()
