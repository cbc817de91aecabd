"""Who is asking: the four roles, and what each may see.

| role | reads | writes |
|---|---|---|
| admin | everything | everything |
| planner | everything, confidential included | notes, LONG_LISTED and CONTACTED ties |
| secretariat | everything not confidential | its own community's records (see ``policy``) |
| viewer | everything not confidential, people shown by role and affiliation, no notes | nothing |
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    PLANNER = "planner"
    SECRETARIAT = "secretariat"
    VIEWER = "viewer"


ROLE_LABELS: dict[Role, tuple[str, str]] = {
    Role.ADMIN: ("管理者", "Administrator"),
    Role.PLANNER: ("企画担当（経済産業局・総合通信局）", "Planner (METI / MIC bureau)"),
    Role.SECRETARIAT: ("コミュニティ事務局", "Community secretariat"),
    Role.VIEWER: ("閲覧者（委員会など）", "Viewer (committee meetings)"),
}


class Visibility(StrEnum):
    """How much of the graph a role sees; each level is a strict subset of the one before."""

    FULL = "full"  # admin, planner
    PUBLIC = "public"  # secretariat: confidential records and everything hanging on them removed
    ANONYMISED = "anonymised"  # viewer: PUBLIC, and no personal names anywhere


@dataclass(frozen=True)
class Principal:
    """The holder of one API key (or the terminal user, who is admin of their own store)."""

    key_id: str
    name: str
    role: Role
    community_id: str | None = None

    @property
    def attribution(self) -> str:
        """Who wrote what this principal writes (a note's author): the key's label, its role, and its
        id — labels are free text and may repeat, the id names the one key to ask about or revoke."""
        return f"{self.name} ({self.role}, key {self.key_id})"

    @property
    def visibility(self) -> Visibility:
        if self.role in (Role.ADMIN, Role.PLANNER):
            return Visibility.FULL
        if self.role == Role.SECRETARIAT:
            return Visibility.PUBLIC
        return Visibility.ANONYMISED


#: The terminal user: whoever can open the store file can read all of it anyway.
LOCAL_ADMIN = Principal(key_id="local", name="command line", role=Role.ADMIN)
