"""Access: API keys and roles, what each role may read (visibility) and write (policy)."""

from secgraph.access.keys import DEFAULT_KEYS_PATH, ApiKeyInfo, KeyRequestError, KeyStore
from secgraph.access.policy import community_records, write_refusals
from secgraph.access.ratelimit import FailureLimiter
from secgraph.access.roles import LOCAL_ADMIN, ROLE_LABELS, Principal, Role, Visibility
from secgraph.access.visibility import shown_visibility, visible_graph

__all__ = [
    "DEFAULT_KEYS_PATH",
    "LOCAL_ADMIN",
    "ROLE_LABELS",
    "ApiKeyInfo",
    "FailureLimiter",
    "KeyRequestError",
    "KeyStore",
    "Principal",
    "Role",
    "Visibility",
    "community_records",
    "shown_visibility",
    "visible_graph",
    "write_refusals",
]
