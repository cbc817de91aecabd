"""Schemathesis against the service's own OpenAPI: generated requests to every operation, each sent
with the key of every role (admin, planner, a secretariat, a viewer) on the embedded store with the
test world loaded. No answer may be a 5xx, use a status or content type the schema does not list,
or break its own response schema. Bounded: a few examples per operation.

Not stateful: the schema has no OpenAPI links to chain calls by, and the create → read → replace →
delete sequences are tested explicitly, per role, in test_api.py and test_access.py."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis import checks
from schemathesis.config import SchemathesisConfig

from secgraph.api import ApiSettings, create_app
from secgraph.store import StoreSettings
from secgraph.store.embedded import EmbeddedStore
from tests.test_api_world import auth, make_keys, world

#: SECGRAPH_FUZZ_EXAMPLES raises it for a longer run by hand.
EXAMPLES_PER_OPERATION = int(os.environ.get("SECGRAPH_FUZZ_EXAMPLES", "8"))
_KEYS: dict[str, str] = {}


#: Operations that draw figures or lay out PDFs (seconds a call): fewer generated cases each.
DRAWN = r"^/(documents|charts/|views/network/figure)"

#: Schemathesis's coverage phase sends every boundary case of every parameter and ignores
#: ``max_examples``: for the drawn operations that is hundreds of packs and profiles, each drawn for
#: four roles. Those get the examples and the bounded fuzzing phase only; the others all three.
_CONFIG = SchemathesisConfig.from_str(
    f"""
[[operations]]
include-path-regex = '{DRAWN}'
phases.coverage.enabled = false
"""
)


@pytest.fixture(scope="module")
def app_schema(tmp_path_factory: pytest.TempPathFactory) -> Iterator[schemathesis.BaseSchema]:
    folder: Path = tmp_path_factory.mktemp("schemathesis")
    store = EmbeddedStore(folder / "graph.db")
    store.write(world())
    keys_store, keys = make_keys(folder / "keys.db")
    _KEYS.update(keys.roles())
    app = create_app(
        ApiSettings(store=StoreSettings(db_path=folder / "graph.db"), keys_path=folder / "keys.db"),
        store=store,
        keys=keys_store,
    )
    with TestClient(app):  # runs the lifespan around the whole run
        yield schemathesis.openapi.from_asgi("/openapi.json", app, config=_CONFIG)
    store.close()


schema = schemathesis.pytest.from_fixture("app_schema")


CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
]


def _every_role(case: schemathesis.Case) -> None:
    # the viewer first, the admin last: the admin's generated writes must not hide a role's refusals
    for role in ("viewer", "sec_a", "planner", "admin"):
        case.call_and_validate(headers=auth(_KEYS[role]), checks=CHECKS)


@schema.exclude(path_regex=DRAWN).parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    derandomize=True,  # the same cases every run: a failure here is reproducible
    suppress_health_check=list(HealthCheck),
)
def test_no_server_error_and_no_response_breaks_the_schema(case: schemathesis.Case) -> None:
    _every_role(case)


@schema.include(path_regex=DRAWN).parametrize()
@settings(
    max_examples=max(2, EXAMPLES_PER_OPERATION // 4),
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_figures_and_documents_neither_fail_nor_break_the_schema(case: schemathesis.Case) -> None:
    _every_role(case)
