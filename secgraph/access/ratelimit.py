"""Failed key attempts, limited per client address with a token bucket.

Each address has a bucket of ``burst`` tokens that refills at ``per_minute`` tokens a minute. A
failed attempt takes a token; a wrong key from an address with an empty bucket is answered 429 with
the seconds until a token is back. Requests with a valid key cost nothing and are never refused: the
key is checked first, because behind NAT or a proxy many people share one address and a failing
script or a guesser among them must not lock the others out.

So the limit tells a client that keeps failing to stop; it does not make guessing slower for one that
ignores it (a valid key is still answered 200). Guessing is hopeless for another reason: the secret
is 256 random bits (``keys.py``). The address is the TCP peer unless a proxy that ``secgraph serve
--forwarded-allow-ips`` names says otherwise, so a client cannot move to a fresh bucket by writing a
header. Memory is bounded: when too many addresses are tracked, the ones whose buckets are full again
(who have not failed recently) are forgotten first.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable


class FailureLimiter:
    def __init__(
        self,
        burst: int = 10,
        per_minute: float = 10.0,
        max_clients: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.burst = burst
        self.rate = per_minute / 60.0
        self.max_clients = max_clients
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # address -> (tokens, last update)
        self._lock = threading.Lock()

    def _tokens(self, address: str, now: float) -> float:
        tokens, last = self._buckets.get(address, (float(self.burst), now))
        return min(float(self.burst), tokens + (now - last) * self.rate)

    def retry_after(self, address: str) -> int | None:
        """Seconds until ``address`` may try again, or None if it may try now."""
        with self._lock:
            tokens = self._tokens(address, self._clock())
        if tokens >= 1.0:
            return None
        return max(1, math.ceil((1.0 - tokens) / self.rate)) if self.rate > 0 else 3600

    def failed(self, address: str) -> None:
        with self._lock:
            now = self._clock()
            self._buckets[address] = (max(0.0, self._tokens(address, now) - 1.0), now)
            if len(self._buckets) > self.max_clients:
                self._forget(now)

    def _forget(self, now: float) -> None:
        full = [a for a in self._buckets if self._tokens(a, now) >= self.burst]
        for address in full:
            del self._buckets[address]
        while len(self._buckets) > self.max_clients:  # all still limited: drop the oldest
            del self._buckets[min(self._buckets, key=lambda a: self._buckets[a][1])]
