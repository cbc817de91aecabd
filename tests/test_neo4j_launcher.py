"""End-to-end checks of the Neo4j test server (tools/neo4j-launcher + tests/neo4j_server.py)."""

import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from neo4j import GraphDatabase

from tests.neo4j_server import (
    Neo4jProcess,
    Neo4jTarget,
    build_launcher,
    neo4j_server,  # noqa: F401  (fixture: pytest injects it by name)
)

pytestmark = pytest.mark.neo4j

# bolt:// talks to one server directly; neo4j:// first asks it for a routing table and then
# connects to whatever addresses that table advertises.
_ROUTING_SCHEMES = {"bolt": "neo4j", "bolt+s": "neo4j+s", "bolt+ssc": "neo4j+ssc"}


def _routing_uri(uri: str) -> str:
    parts = urlsplit(uri)
    scheme = _ROUTING_SCHEMES.get(parts.scheme, parts.scheme)
    return urlunsplit(parts._replace(scheme=scheme))


def _write_read_delete(uri: str, target: Neo4jTarget) -> None:
    marker = uuid.uuid4().hex
    with GraphDatabase.driver(uri, auth=target.auth) as driver:
        driver.verify_connectivity()
        driver.execute_query(
            "CREATE (:LauncherProbe {marker: $marker, n: 42})",
            marker=marker,
            database_=target.database,
        )
        records, _, _ = driver.execute_query(
            "MATCH (p:LauncherProbe {marker: $marker}) RETURN p.n AS n",
            marker=marker,
            database_=target.database,
        )
        assert [record["n"] for record in records] == [42]

        driver.execute_query(
            "MATCH (p:LauncherProbe {marker: $marker}) DELETE p",
            marker=marker,
            database_=target.database,
        )
        records, _, _ = driver.execute_query(
            "MATCH (p:LauncherProbe {marker: $marker}) RETURN count(p) AS c",
            marker=marker,
            database_=target.database,
        )
        assert records[0]["c"] == 0


def test_write_read_round_trip(neo4j_server: Neo4jTarget) -> None:  # noqa: F811
    _write_read_delete(neo4j_server.uri, neo4j_server)


def test_routing_uri_against_single_server(neo4j_server: Neo4jTarget) -> None:  # noqa: F811
    # Fails with "Unable to retrieve routing information" if the server's ROUTE reply
    # advertises an address other than the one it listens on.
    _write_read_delete(_routing_uri(neo4j_server.uri), neo4j_server)


def _count_nodes(uri: str, marker: str) -> int:
    with GraphDatabase.driver(uri, auth=None) as driver:
        records, _, _ = driver.execute_query(
            "MATCH (p:Persisted {marker: $marker}) RETURN count(p) AS c", marker=marker
        )
        return int(records[0]["c"])


def _create_node(uri: str, marker: str) -> None:
    with GraphDatabase.driver(uri, auth=None) as driver:
        driver.execute_query("CREATE (:Persisted {marker: $marker})", marker=marker)


def test_stop_then_restart_keeps_data(tmp_path: Path) -> None:
    build_launcher()
    process = Neo4jProcess()
    try:
        process.start(tmp_path / "store")
        port = process.port
        marker = uuid.uuid4().hex
        _create_node(process.uri, marker)

        # SIGTERM -> clean DBMS shutdown -> exit status 0, not 143.
        assert process.stop() == 0
        assert not process.is_running()

        process.restart()
        assert process.port == port
        assert _count_nodes(process.uri, marker) == 1
    finally:
        process.stop()
    assert not process.is_running()


def test_kill_then_restart_recovers_committed_data(tmp_path: Path) -> None:
    build_launcher()
    process = Neo4jProcess()
    try:
        process.start(tmp_path / "store")
        marker = uuid.uuid4().hex
        _create_node(process.uri, marker)

        # No shutdown checkpoint: the restart must replay the transaction log.
        process.kill()
        assert not process.is_running()

        process.restart()
        assert _count_nodes(process.uri, marker) == 1
    finally:
        process.stop()
