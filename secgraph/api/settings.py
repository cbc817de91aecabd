"""The service's settings: which store, where the keys live, and the limits it enforces."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from secgraph.access.keys import DEFAULT_KEYS_PATH
from secgraph.io.limits import DEFAULT_LIMITS
from secgraph.store import StoreSettings

MB = 1024 * 1024


@dataclass(frozen=True)
class ApiSettings:
    """From the environment: the store's variables (see ``StoreSettings``), SECGRAPH_KEYS,
    SECGRAPH_LAYOUTS, SECGRAPH_FORWARDED_ALLOW_IPS and the session limits."""

    store: StoreSettings = field(default_factory=StoreSettings)
    keys_path: Path = DEFAULT_KEYS_PATH
    #: JSON bodies larger than this are refused with 413.
    max_json_bytes: int = 1 * MB
    #: Uploaded import files larger than this are refused with 413.
    max_import_bytes: int = 20 * MB
    #: A zip, or the zip an .xlsx workbook is, may not unpack to more than this (a zip bomb is
    #: refused, not unpacked).
    max_unpacked_bytes: int = DEFAULT_LIMITS.unpacked_bytes
    #: Uploads larger than this run as background jobs unless the client asks otherwise.
    background_import_bytes: int = 1 * MB
    #: Proxies whose X-Forwarded-For / X-Forwarded-Proto are believed (``secgraph serve
    #: --forwarded-allow-ips``): comma-separated addresses or networks, ``*`` for any. Empty (the
    #: default): none, so the client address is the TCP peer and a header cannot choose it.
    forwarded_allow_ips: str = ""
    #: Failed key attempts per client address: a burst, then this many a minute.
    failed_auth_burst: int = 10
    failed_auth_per_minute: float = 10.0
    #: A request waits at most this long for an analysis, then gets 503 "still computing" (the
    #: computation goes on and a retry gets the answer).
    analysis_time_limit_s: float = 30.0
    #: Requests handled at once (threads); most of them wait on the store or an analysis, not the CPU.
    request_threads: int = 200
    #: Folder of the stored map layouts; None: ``layouts`` beside the key file (``var/layouts``).
    layouts_path: Path | None = None
    #: A browser session (the web pages) ends after this many minutes without a request
    #: (SECGRAPH_SESSION_IDLE_MINUTES) …
    session_idle_minutes: float = 30.0
    #: … and this many hours after signing in in any case (SECGRAPH_SESSION_HOURS).
    session_absolute_hours: float = 8.0

    @property
    def layouts_folder(self) -> Path:
        return self.layouts_path or self.keys_path.parent / "layouts"

    @classmethod
    def from_env(cls) -> ApiSettings:
        layouts = os.environ.get("SECGRAPH_LAYOUTS")
        return cls(
            store=StoreSettings.from_env(),
            keys_path=Path(os.environ.get("SECGRAPH_KEYS") or DEFAULT_KEYS_PATH),
            layouts_path=Path(layouts) if layouts else None,
            forwarded_allow_ips=os.environ.get("SECGRAPH_FORWARDED_ALLOW_IPS", "").strip(),
            session_idle_minutes=float(os.environ.get("SECGRAPH_SESSION_IDLE_MINUTES") or 30.0),
            session_absolute_hours=float(os.environ.get("SECGRAPH_SESSION_HOURS") or 8.0),
        )
