"""ファイル名 / The names files are saved under, by the API's downloads and the command line alike."""

from __future__ import annotations

import re

from secgraph.analysis.network import Scope


def file_name(what: str, scope: Scope | None, extension: str) -> str:
    """``secgraph-<what>[-<scope>][-<date>].<extension>`` in characters every file system accepts."""
    scope = scope or Scope()
    parts = [what, scope.community or scope.region or scope.prefecture or "", str(scope.as_of or "")]
    stem = "-".join(re.sub(r"[^A-Za-z0-9._-]+", "_", part) for part in parts if part)
    return f"secgraph-{stem}.{extension}"
