"""One contract, two stores: every test here runs on the embedded store and on a real Neo4j."""

from __future__ import annotations

import multiprocessing
import time
from pathlib import Path
from typing import Any

import pytest

from secgraph.model.records import (
    Community,
    Event,
    EventSeries,
    Headcount,
    Organisation,
    Person,
    Relationship,
)
from secgraph.store import ChangeRefused, ChangeSet, GraphStore, StoreSettings, WriteConflict, open_store
from secgraph.store.embedded import EmbeddedStore

P = {"source": "test §1", "as_of": "2021-03"}


def small_change() -> ChangeSet:
    return ChangeSet(
        nodes=[
            Organisation(id="o-police", name="テスト県警察", sector="police", prefecture="43", **P),
            Organisation(id="o-univ", name="テスト大学", sector="university", prefecture="熊本", aliases=["テ大"], **P),
            Person(id="p-1", name="山田 太郎", role_label="キーパーソン", **P),
            Community(id="c-1", name="テスト協議会", region="mic-kyushu", prefectures=["43"], founded="H29.4", **P),
            EventSeries(id="s-1", name="テストセミナー", **P),
            Event(
                id="e-1",
                title="第1回テストセミナー",
                event_type="セミナー",
                start="2020-10-01",
                series_id="s-1",
                edition=1,
                prefecture="43",
                attendees=40,
                **P,
            ),
            Headcount(id="hc-1", subject_id="c-1", count_kind="members", sector="sme", count=14, label="企業14社", **P),
        ],
        relationships=[
            Relationship(type="SECRETARIAT_OF", from_id="o-police", to_id="c-1", **P),
            Relationship(type="MEMBER_OF", from_id="o-univ", to_id="c-1", member_class="corporate", **P),
            Relationship(type="WORKS_AT", from_id="p-1", to_id="o-univ", role="教授", start="2015-04", **P),
            Relationship(type="SPOKE_AT", from_id="p-1", to_id="e-1", role="基調講演", **P),
            Relationship(type="ORGANISED", from_id="c-1", to_id="e-1", **P),
        ],
    )


def test_geography_is_built_in(store: GraphStore) -> None:
    counts = store.snapshot().counts()
    assert (counts["Prefecture"], counts["Region"], counts["IN_REGION"]) == (47, 20, 94)
    fukui = {r.to_id for r in store.relationships_of("pref-18") if r.type == "IN_REGION"}
    assert fukui == {"region-meti-kinki", "region-mic-hokuriku"}


def test_written_records_read_back_equal(store: GraphStore) -> None:
    change = small_change()
    store.write(change)
    for node in change.nodes:
        assert store.get_node(node.id) == node
    for rel in change.relationships:
        assert store.get_relationship(str(rel.id)) == rel
    assert [n.id for n in store.nodes("Organisation")] == ["o-police", "o-univ"]
    assert store.get_node("nope") is None


def test_fields_become_relationships(store: GraphStore) -> None:
    store.write(small_change())
    ties = {(r.type, r.from_id, r.to_id) for r in store.snapshot().relationships.values()}
    assert ("LOCATED_IN", "o-police", "pref-43") in ties
    assert ("LOCATED_IN", "c-1", "region-mic-kyushu") in ties
    assert ("IN_SERIES", "e-1", "s-1") in ties
    assert ("COUNTS", "hc-1", "c-1") in ties


def test_writing_twice_changes_nothing_but_the_revision(store: GraphStore) -> None:
    store.write(small_change())
    first = store.snapshot()
    revision = store.revision()
    store.write(small_change())
    assert store.snapshot() == first
    assert store.revision() == revision + 1


def test_a_refused_write_changes_nothing(store: GraphStore) -> None:
    store.write(small_change())
    before, revision = store.snapshot(), store.revision()
    bad = ChangeSet(
        nodes=[Organisation(id="o-new", name="新しい会社", sector="sme", **P)],
        relationships=[
            Relationship(type="MEMBER_OF", from_id="o-new", to_id="c-1", **P),
            Relationship(type="MEMBER_OF", from_id="o-new", to_id="c-missing", **P),
            Relationship(type="WORKS_AT", from_id="o-univ", to_id="o-police", **P),
        ],
    )
    with pytest.raises(ChangeRefused) as refused:
        store.write(bad)
    reasons = " ".join(p.reason for p in refused.value.problems)
    assert "c-missing" in reasons and "cannot start at a Organisation" in reasons
    assert store.snapshot() == before
    assert store.revision() == revision


def test_an_id_cannot_change_kind(store: GraphStore) -> None:
    store.write(small_change())
    with pytest.raises(ChangeRefused, match="already used by a Organisation"):
        store.write(ChangeSet(nodes=[Person(id="o-univ", name="x", **P)]))


def test_an_update_replaces_derived_ties(store: GraphStore) -> None:
    store.write(small_change())
    moved = Organisation(id="o-univ", name="テスト大学", sector="university", prefecture="福岡", **P)
    store.write(ChangeSet(nodes=[moved]))
    located = {r.to_id for r in store.relationships_of("o-univ") if r.type == "LOCATED_IN"}
    assert located == {"pref-40"}
    # Ties written by users survive the update.
    assert any(r.type == "MEMBER_OF" for r in store.relationships_of("o-univ"))


def test_delete_refuses_to_leave_dangling_references(store: GraphStore) -> None:
    store.write(small_change())
    with pytest.raises(ChangeRefused, match="still referred to"):
        store.write(ChangeSet(delete_node_ids=["c-1"]))
    store.write(ChangeSet(delete_node_ids=["c-1", "hc-1"]))
    assert store.get_node("c-1") is None
    assert all(r.to_id != "c-1" for r in store.snapshot().relationships.values())
    rel_id = next(r.id for r in store.relationships_of("p-1") if r.type == "SPOKE_AT")
    store.write(ChangeSet(delete_relationship_ids=[str(rel_id)]))
    assert store.get_relationship(str(rel_id)) is None


def test_networkx_graph_in_one_call(store: GraphStore) -> None:
    store.write(small_change())
    graph = store.to_networkx()
    data = store.snapshot()
    assert graph.number_of_nodes() == len(data.nodes)
    assert graph.number_of_edges() == len(data.relationships)
    assert graph.nodes["o-univ"]["kind"] == "Organisation"
    assert graph.nodes["o-univ"]["aliases"] == ["テ大"]
    edge = next(iter(graph.get_edge_data("p-1", "o-univ").values()))
    assert edge["type"] == "WORKS_AT" and edge["role"] == "教授"


def test_embedded_store_persists_between_runs(tmp_path: Path) -> None:
    first = EmbeddedStore(tmp_path / "g.db")
    first.write(small_change())
    snapshot = first.snapshot()
    first.close()
    again = EmbeddedStore(tmp_path / "g.db")
    assert again.snapshot() == snapshot
    again.close()


def test_both_stores_hold_the_same_graph(tmp_path: Path, neo4j_server) -> None:
    from tests.conftest import open_neo4j

    embedded = EmbeddedStore(tmp_path / "g.db")
    neo = open_neo4j(neo4j_server)
    neo.clear()
    try:
        for target in (embedded, neo):
            target.write(small_change())
        assert embedded.snapshot() == neo.snapshot()
    finally:
        embedded.close()
        neo.close()


def test_neo4j_store_through_a_routing_uri_and_database_name(neo4j_server) -> None:
    from secgraph.store.neo4j_store import Neo4jStore
    from tests.test_neo4j_launcher import _routing_uri

    store = Neo4jStore(_routing_uri(neo4j_server.uri), neo4j_server.user, neo4j_server.password, database="neo4j")
    try:
        store.clear()
        store.write(small_change())
        assert store.get_node("o-univ") == small_change().nodes[1]
    finally:
        store.close()


def test_an_unreachable_neo4j_is_reported_as_unavailable() -> None:
    from secgraph.store import StoreUnavailable
    from secgraph.store.neo4j_store import Neo4jStore
    from tests.neo4j_server import free_port

    with pytest.raises(StoreUnavailable, match="unreachable"):
        Neo4jStore(f"bolt://127.0.0.1:{free_port()}")


_WRITER = """
import sys
from secgraph.model.records import Organisation
from secgraph.store import ChangeSet
from secgraph.store.embedded import EmbeddedStore

store = EmbeddedStore(sys.argv[1])
print("ready", flush=True)
sys.stdin.readline()
nodes = [Organisation(id=f"bulk-{i}", name=f"会社{i}", sector="sme", prefecture="27", source="t", as_of="2021")
         for i in range(60000)]
store.write(ChangeSet(nodes=nodes))
print("written", flush=True)
"""


def test_embedded_write_killed_midway_leaves_the_previous_state(tmp_path: Path) -> None:
    """SIGKILL during a large write: after restart the store holds all of it or none of it."""
    import signal
    import subprocess
    import sys
    import time

    path = tmp_path / "g.db"
    first = EmbeddedStore(path)
    first.write(small_change())
    before = first.snapshot()
    first.close()
    outcomes = set()
    for delay in (0.05, 0.4, 1.5):
        writer = subprocess.Popen(
            [sys.executable, "-c", _WRITER, str(path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        assert writer.stdout is not None and writer.stdin is not None
        assert writer.stdout.readline().strip() == "ready"
        writer.stdin.write("go\n")
        writer.stdin.flush()
        time.sleep(delay)
        writer.send_signal(signal.SIGKILL)
        writer.wait()
        again = EmbeddedStore(path)
        bulk = len([n for n in again.nodes("Organisation") if n.id.startswith("bulk-")])
        assert bulk in (0, 60000)
        outcomes.add(bulk)
        if bulk == 0:
            assert again.snapshot() == before
        again.close()
    assert 0 in outcomes  # at least one kill landed before the commit


def test_a_tie_whose_end_vanished_after_the_check_fails_the_whole_write(store: GraphStore) -> None:
    """A concurrent delete between check and write: the write must fail whole, not drop the tie."""
    from secgraph.store import StoreError

    store.write(small_change())
    before = store.snapshot()
    extra = Organisation(id="o-late", name="遅れて来た会社", sector="sme", **P)
    orphan = Relationship(type="MEMBER_OF", from_id="o-late", to_id="c-gone", **P)
    with pytest.raises(StoreError):
        store._apply([extra], [orphan], ChangeSet(), store.revision())  # the check is bypassed on purpose
    assert store.snapshot() == before


def test_a_change_judged_on_an_older_revision_is_refused_whole(store: GraphStore) -> None:
    """A write landing between a change's judgement and its transaction: the change names the revision
    it was judged on and is refused with nothing written; the store's own check, without it, runs again."""
    store.write(small_change())
    judged_on = store.revision()
    store.write(ChangeSet(nodes=[Organisation(id="o-between", name="間に入った会社", sector="sme", **P)]))
    before = store.snapshot()
    late = ChangeSet(delete_node_ids=["o-between"])
    with pytest.raises(WriteConflict):
        store.write(late, based_on=judged_on)
    assert store.snapshot() == before and store.revision() == judged_on + 1
    assert store.write(late, based_on=judged_on + 1) == judged_on + 2
    assert store.get_node("o-between") is None
    assert store.write(ChangeSet(nodes=[before.nodes["o-police"]])) == judged_on + 3


def test_revision_and_snapshot_agree(store: GraphStore) -> None:
    store.write(small_change())
    revision, data = store.revision_and_snapshot()
    assert revision == store.revision() and data == store.snapshot()


WRITERS, WRITES_EACH = 3, 4


def _add_aliases(settings: StoreSettings, writer: int, start_at: float, conflicts: Any) -> None:
    """One writer process: read the organisation, add an alias, write it back judged on what was read."""
    store = open_store(settings)
    try:
        time.sleep(max(0.0, start_at - time.time()))
        for number in range(WRITES_EACH):
            while True:
                revision, data = store.revision_and_snapshot()
                counter = data.nodes["o-counter"]
                time.sleep(0.02)  # judged slowly, so that the other writers land in between
                grown = counter.model_copy(update={"aliases": [*counter.aliases, f"w{writer}-{number}"]})
                try:
                    store.write(ChangeSet(nodes=[grown]), based_on=revision)
                    break
                except WriteConflict:
                    with conflicts.get_lock():
                        conflicts.value += 1
    finally:
        store.close()


@pytest.mark.parametrize("kind", ["embedded", "neo4j"])
def test_writers_in_several_processes_lose_no_update(kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    """Read-judge-write from several processes at once (as ``secgraph serve --workers`` does): every
    write lands, none over another's unseen, because a write judged on an older revision is refused."""
    if kind == "embedded":
        settings = StoreSettings(kind="embedded", db_path=tmp_path / "graph.db")
    else:
        target = request.getfixturevalue("neo4j_server")
        settings = StoreSettings(
            "neo4j",
            neo4j_uri=target.uri,
            neo4j_user=target.user,
            neo4j_password=target.password,
            neo4j_database=target.database,
        )
    store = open_store(settings)
    try:
        store.clear()
        store.write(ChangeSet(nodes=[Organisation(id="o-counter", name="数える会社", sector="sme", **P)]))
        context = multiprocessing.get_context("spawn")
        conflicts = context.Value("i", 0)
        start_at = time.time() + 3.0  # after every process has started
        writers = [
            context.Process(target=_add_aliases, args=(settings, writer, start_at, conflicts))
            for writer in range(WRITERS)
        ]
        for process in writers:
            process.start()
        for process in writers:
            process.join(timeout=120)
        assert [process.exitcode for process in writers] == [0] * WRITERS
        aliases = store.get_node("o-counter").aliases  # type: ignore[union-attr]
        assert sorted(aliases) == sorted(f"w{w}-{n}" for w in range(WRITERS) for n in range(WRITES_EACH))
        assert conflicts.value > 0  # the writers did overlap: the refusal was what kept every alias
    finally:
        store.close()


def test_a_series_stated_cadence_and_span_read_back(store: GraphStore) -> None:
    series = EventSeries(
        id="s-stated", name="年2回のセミナー", cadence="年2回程度", since="平成29年7月", until="2020", **P
    )
    store.write(ChangeSet(nodes=[series]))
    back = store.get_node("s-stated")
    assert back == series
    assert (back.cadence, back.since, back.until) == ("twice_a_year", "2017-07", "2020")  # type: ignore[union-attr]
    assert store.snapshot().nodes["s-stated"] == series
