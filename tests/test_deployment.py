"""The deployment files: docker-compose names Neo4j and the service, wired together."""

from __future__ import annotations

from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]


def test_compose_runs_neo4j_and_the_service_against_it() -> None:
    compose = yaml.safe_load((REPO / "docker-compose.yml").read_text(encoding="utf-8"))
    services = compose["services"]
    assert set(services) == {"neo4j", "secgraph"}
    assert services["neo4j"]["image"].startswith("neo4j:5")
    assert "community" in services["neo4j"]["image"]
    assert "neo4j-data:/data" in services["neo4j"]["volumes"]
    assert "NEO4J_PASSWORD" in services["neo4j"]["environment"]["NEO4J_AUTH"]
    env = services["secgraph"]["environment"]
    assert env["SECGRAPH_STORE"] == "neo4j" and env["NEO4J_URI"].startswith("neo4j://neo4j:")
    assert "neo4j-data" in compose["volumes"]
    assert (
        "secgraph serve --host 0.0.0.0 --port 8000 --workers ${SECGRAPH_WORKERS:-2}"
        in services["secgraph"]["command"][-1]
    )
    dockerfile = (REPO / "Dockerfile").read_text(encoding="utf-8")
    assert "COPY cypher" in dockerfile  # the store reads its statements from cypher/


def test_every_label_and_type_has_its_statement() -> None:
    from secgraph.model.records import NODE_TYPES
    from secgraph.model.vocabulary import RelType
    from secgraph.store.neo4j_store import node_statement, relationship_statement

    for kind in NODE_TYPES:
        assert f"SET n:{kind}" in node_statement(kind)
    for rel_type in RelType:
        assert f"[r:{rel_type.value} " in relationship_statement(rel_type.value)
