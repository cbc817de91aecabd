"""Keys, the failure limiter, the write policy and what each role sees — without HTTP or a store."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from secgraph.access import FailureLimiter, KeyRequestError, KeyStore, Principal, Role, Visibility, visible_graph
from secgraph.access.policy import community_records, organisers, owners, write_refusals
from secgraph.model.graph import GraphData
from secgraph.model.records import Community, Event, EventSeries, Headcount, Note, Organisation, Person, Relationship
from secgraph.store import ChangeSet

P = {"source": "test §1", "as_of": "2021-03"}

# -- keys ---------------------------------------------------------------------------------------


def test_a_key_is_shown_once_and_only_its_salted_hash_is_kept(tmp_path: Path) -> None:
    keys = KeyStore(tmp_path / "keys.db")
    token, info = keys.create("planner", "近畿局")
    other, _ = keys.create("planner", "other")
    secret = token.split("_", 2)[2]
    raw = b"".join(p.read_bytes() for p in tmp_path.iterdir())
    assert token.encode() not in raw and secret.encode() not in raw
    assert stat.S_IMODE((tmp_path / "keys.db").stat().st_mode) == 0o600
    assert keys.verify(token) == Principal(info.id, "近畿局", Role.PLANNER)
    assert keys.verify(other) is not None and keys.verify(other).key_id != info.id  # type: ignore[union-attr]
    assert all("digest" not in vars(i) and "salt" not in vars(i) for i in keys.list())


@pytest.mark.parametrize(
    "presented",
    ["", "sg_", "sg_00000000_x", "nonsense", "sg_deadbeef_" + "A" * 43, "x" * 10_000, "Bearer sg_1_2"],
)
def test_unknown_or_malformed_keys_are_refused(tmp_path: Path, presented: str) -> None:
    keys = KeyStore(tmp_path / "keys.db")
    token, _ = keys.create("admin")
    assert keys.verify(presented) is None
    assert keys.verify(token[:-1] + ("A" if token[-1] != "A" else "B")) is None


def test_revoked_keys_stop_working_at_once_and_stay_listed(tmp_path: Path) -> None:
    keys = KeyStore(tmp_path / "keys.db")
    token, info = keys.create("viewer", "委員会")
    keys.revoke(info.id)
    assert keys.verify(token) is None
    assert keys.list()[0].revoked_at is not None and keys.list(include_revoked=False) == []
    assert not keys.has_active_keys()
    with pytest.raises(KeyRequestError):
        keys.revoke(info.id)
    with pytest.raises(KeyRequestError):
        keys.revoke("nope")


def test_secretariat_keys_need_a_community_and_others_refuse_one(tmp_path: Path) -> None:
    keys = KeyStore(tmp_path / "keys.db")
    with pytest.raises(KeyRequestError):
        keys.create("secretariat")
    with pytest.raises(KeyRequestError):
        keys.create("planner", community_id="com-a")
    token, _ = keys.create("secretariat", community_id="com-a")
    assert keys.verify(token).community_id == "com-a"  # type: ignore[union-attr]


def test_a_key_s_name_is_text_of_a_label_s_length_since_it_signs_the_notes_it_writes(tmp_path: Path) -> None:
    keys = KeyStore(tmp_path / "keys.db")
    for bad in ("近畿\udcff局", "長" * 201):  # a surrogate arrives from a command line in a non-UTF-8 locale
        with pytest.raises(KeyRequestError, match="--name"):
            keys.create("planner", bad)
    assert keys.list() == []
    token, info = keys.create("planner", "  近畿局　企画 ")
    assert info.name == "近畿局 企画" and keys.verify(token).attribution == f"近畿局 企画 (planner, key {info.id})"  # type: ignore[union-attr]


def test_an_ephemeral_key_lives_in_memory_only(tmp_path: Path) -> None:
    keys = KeyStore(tmp_path / "keys.db")
    token, info = keys.create_ephemeral()
    assert keys.verify(token).role == Role.ADMIN  # type: ignore[union-attr]
    assert not keys.has_active_keys() and keys.list() == []
    assert KeyStore(tmp_path / "keys.db").verify(token) is None  # another process does not know it


def test_the_pseudonym_secret_is_made_once_and_kept(tmp_path: Path) -> None:
    first = KeyStore(tmp_path / "keys.db").pseudonym_key()
    assert len(first) == 32 and KeyStore(tmp_path / "keys.db").pseudonym_key() == first


# -- the failure limiter ------------------------------------------------------------------------


def test_failures_are_limited_per_address_and_refill_over_time() -> None:
    now = [0.0]
    limiter = FailureLimiter(burst=3, per_minute=6, clock=lambda: now[0])
    for _ in range(3):
        assert limiter.retry_after("10.0.0.1") is None
        limiter.failed("10.0.0.1")
    assert limiter.retry_after("10.0.0.1") == 10  # one token per 10 s
    assert limiter.retry_after("10.0.0.2") is None  # another address is not affected
    now[0] = 10.0
    assert limiter.retry_after("10.0.0.1") is None


def test_the_limiter_forgets_addresses_when_full() -> None:
    limiter = FailureLimiter(burst=2, per_minute=60, max_clients=10, clock=lambda: 0.0)
    for i in range(50):
        limiter.failed(f"a{i}")
    assert len(limiter._buckets) <= 10


# -- the write policy ---------------------------------------------------------------------------


def graph() -> GraphData:
    data = GraphData()
    for node in (
        Organisation(id="o1", name="団体1", sector="police", **P),
        Person(id="p1", name="山田 太郎", role_label="講師", **P),
        Community(id="ca", name="A会", **P),
        Community(id="cb", name="B会", **P),
        Event(id="ea", title="A勉強会", event_type="seminar", start="2021-01-01", **P),
        Event(id="eb", title="B勉強会", event_type="seminar", start="2021-01-01", **P),
        Event(id="e-free", title="主催者なし", event_type="seminar", start="2021-01-01", **P),
        Headcount(id="hca", subject_id="ca", count_kind="members", count=3, **P),
        Note(id="na", about_id="ea", text="メモ", **P),
    ):
        data.add_node(node)
    for rel in (
        Relationship(id="r-ca-ea", type="ORGANISED", from_id="ca", to_id="ea", **P),
        Relationship(id="r-cb-eb", type="ORGANISED", from_id="cb", to_id="eb", **P),
        Relationship(id="r-o1-cb", type="MEMBER_OF", from_id="o1", to_id="cb", **P),
        Relationship(id="r-p1-o1", type="WORKS_AT", from_id="p1", to_id="o1", **P),
    ):
        data.add_relationship(rel)
    return data


SEC_A = Principal("k", "a", Role.SECRETARIAT, "ca")
PLANNER = Principal("k", "p", Role.PLANNER)


def test_a_community_owns_itself_its_organised_events_their_counts_and_notes() -> None:
    assert community_records(graph(), "ca") == {"ca", "ea", "hca", "na"}
    assert community_records(graph(), "missing") == set()


@pytest.mark.parametrize(
    ("change", "allowed"),
    [
        (ChangeSet(nodes=[Community(id="ca", name="A会 改", **P)]), True),
        (ChangeSet(nodes=[Community(id="cb", name="B会 改", **P)]), False),
        (ChangeSet(nodes=[Community(id="cc", name="新しい会", **P)]), False),
        (ChangeSet(delete_node_ids=["ca"]), False),
        (ChangeSet(nodes=[Event(id="ea", title="改", event_type="seminar", start="2021-01-02", **P)]), True),
        (ChangeSet(nodes=[Event(id="eb", title="改", event_type="seminar", start="2021-01-02", **P)]), False),
        (ChangeSet(delete_node_ids=["ea"]), True),
        (ChangeSet(delete_node_ids=["eb"]), False),
        (ChangeSet(nodes=[Organisation(id="o2", name="新団体", sector="sme", **P)]), False),
        (ChangeSet(nodes=[Person(id="p1", name="改名", **P)]), False),
        (ChangeSet(relationships=[Relationship(type="MEMBER_OF", from_id="o1", to_id="ca", **P)]), True),
        (ChangeSet(relationships=[Relationship(type="SPOKE_AT", from_id="p1", to_id="ea", **P)]), True),
        (ChangeSet(relationships=[Relationship(type="SPOKE_AT", from_id="p1", to_id="eb", **P)]), False),
        (ChangeSet(delete_relationship_ids=["r-o1-cb"]), False),
        (ChangeSet(delete_relationship_ids=["r-ca-ea"]), True),
        # moving a tie from C to another community is refused
        (
            ChangeSet(relationships=[Relationship(id="r-ca-ea", type="ORGANISED", from_id="cb", to_id="ea", **P)]),
            False,
        ),
        # a new event with C as organiser in the same change is C's
        (
            ChangeSet(
                nodes=[Event(id="e-new", title="新", event_type="seminar", start="2021-05-01", **P)],
                relationships=[Relationship(type="ORGANISED", from_id="ca", to_id="e-new", **P)],
            ),
            True,
        ),
        (ChangeSet(nodes=[Event(id="e-new", title="新", event_type="seminar", start="2021-05-01", **P)]), False),
        # claiming an event another community organises is refused; an unorganised one may be claimed
        (ChangeSet(relationships=[Relationship(type="ORGANISED", from_id="ca", to_id="eb", **P)]), False),
        (ChangeSet(relationships=[Relationship(type="ORGANISED", from_id="ca", to_id="e-free", **P)]), True),
        (ChangeSet(nodes=[Headcount(subject_id="ca", count_kind="members", count=5, **P)]), True),
        (ChangeSet(nodes=[Headcount(subject_id="cb", count_kind="members", count=5, **P)]), False),
        (ChangeSet(nodes=[Note(id="n2", about_id="ca", text="x", **P)]), True),
        (ChangeSet(nodes=[Note(id="n2", about_id="cb", text="x", **P)]), False),
    ],
)
def test_a_secretariat_writes_only_its_own_community_records(change: ChangeSet, allowed: bool) -> None:
    assert (write_refusals(SEC_A, graph(), change) == []) is allowed


def series_graph() -> GraphData:
    """``graph()`` with series: A's series ``sa`` (edition ``ea-ed``), B's series ``sb`` (edition
    ``eb-ed``, B's only through the series, counted by ``hc-ebed``, which a note is about), a series
    nobody organises (``s-free``) whose edition ``eb-free-ed`` B organises, an event A and B both
    organise (``e-ab``) and one only an organisation organises (``e-org``)."""
    data = graph()
    for node in (
        EventSeries(id="sa", name="Aシリーズ", **P),
        EventSeries(id="sb", name="Bシリーズ", **P),
        EventSeries(id="s-free", name="主催者なしシリーズ", **P),
        Event(id="ea-ed", title="A第1回", event_type="seminar", start="2021-02-01", series_id="sa", **P),
        Event(id="eb-ed", title="B第1回", event_type="seminar", start="2021-02-01", series_id="sb", **P),
        Event(id="eb-free-ed", title="B回", event_type="seminar", start="2021-02-01", series_id="s-free", **P),
        Event(id="e-ab", title="AB合同", event_type="seminar", start="2021-02-01", **P),
        Event(id="e-org", title="団体主催", event_type="seminar", start="2021-02-01", **P),
        Headcount(id="hc-ebed", subject_id="eb-ed", count_kind="attendees", count=30, **P),
        Note(id="n-hc", about_id="hc-ebed", text="数のメモ", **P),
    ):
        data.add_node(node)
    for rel in (
        Relationship(id="r-ca-sa", type="ORGANISED", from_id="ca", to_id="sa", **P),
        Relationship(id="r-cb-sb", type="ORGANISED", from_id="cb", to_id="sb", **P),
        Relationship(id="r-cb-ebfree", type="ORGANISED", from_id="cb", to_id="eb-free-ed", **P),
        Relationship(id="r-ca-eab", type="ORGANISED", from_id="ca", to_id="e-ab", **P),
        Relationship(id="r-cb-eab", type="ORGANISED", from_id="cb", to_id="e-ab", **P),
        Relationship(id="r-o1-eorg", type="ORGANISED", from_id="o1", to_id="e-org", **P),
    ):
        data.add_relationship(rel)
    return data


SEC_B = Principal("k", "b", Role.SECRETARIAT, "cb")


def test_what_a_community_owns_includes_its_series_editions_and_what_hangs_on_them() -> None:
    data = series_graph()
    assert community_records(data, "ca") == {"ca", "ea", "hca", "na", "sa", "ea-ed", "e-ab"}
    assert community_records(data, "cb") == {"cb", "eb", "sb", "eb-ed", "hc-ebed", "n-hc", "eb-free-ed", "e-ab"}
    assert owners(data)["e-ab"] == frozenset({"ca", "cb"}) and "e-org" not in owners(data)
    assert organisers(data)["e-org"] == frozenset({"o1"}) and organisers(data)["eb-ed"] == frozenset({"cb"})


def _event(event_id: str, series_id: str | None = None, title: str = "改") -> Event:
    return Event(id=event_id, title=title, event_type="seminar", start="2021-02-01", series_id=series_id, **P)


def _tie(rel_type: str, from_id: str, to_id: str, rel_id: str | None = None) -> Relationship:
    return Relationship(id=rel_id, type=rel_type, from_id=from_id, to_id=to_id, **P)


@pytest.mark.parametrize(
    ("principal", "change", "allowed"),
    [
        # another community's edition (B's through its series only) cannot be claimed, replaced or deleted
        (SEC_A, ChangeSet(relationships=[_tie("ORGANISED", "ca", "eb-ed")]), False),
        (SEC_A, ChangeSet(nodes=[_event("eb-ed", "sb")]), False),
        (SEC_A, ChangeSet(delete_node_ids=["eb-ed"]), False),
        (SEC_A, ChangeSet(nodes=[Note(id="n3", about_id="hc-ebed", text="x", **P)]), False),
        (SEC_B, ChangeSet(nodes=[_event("eb-ed", "sb")]), True),
        (SEC_B, ChangeSet(nodes=[Note(id="n3", about_id="hc-ebed", text="x", **P)]), True),
        # C's event cannot be put into another community's series, new or existing
        (SEC_A, ChangeSet(nodes=[_event("ea", "sb")]), False),
        (SEC_A, ChangeSet(nodes=[_event("e-new", "sb")], relationships=[_tie("ORGANISED", "ca", "e-new")]), False),
        (SEC_A, ChangeSet(nodes=[_event("e-new", "sa")], relationships=[_tie("ORGANISED", "ca", "e-new")]), True),
        (SEC_A, ChangeSet(nodes=[_event("e-new", "sa")]), True),  # an edition of its own series is its own
        (SEC_A, ChangeSet(nodes=[_event("ea", "s-free")]), True),  # a series nobody organises takes nobody in
        # another community cannot be made an organiser of C's event; a co-host or an organisation can
        (SEC_A, ChangeSet(relationships=[_tie("ORGANISED", "cb", "ea")]), False),
        (SEC_A, ChangeSet(relationships=[_tie("CO_HOSTED", "cb", "ea")]), True),
        (SEC_A, ChangeSet(relationships=[_tie("ORGANISED", "o1", "ea")]), True),
        # claiming a series claims its editions: not when one of them is another community's
        (SEC_A, ChangeSet(relationships=[_tie("ORGANISED", "ca", "s-free")]), False),
        (SEC_A, ChangeSet(relationships=[_tie("ORGANISED", "ca", "e-org")]), False),  # organised by a body
        # an event C organises with B: C edits it, but cannot take it from B
        (SEC_A, ChangeSet(nodes=[_event("e-ab")]), True),
        (SEC_A, ChangeSet(delete_node_ids=["e-ab"]), False),
        (SEC_A, ChangeSet(delete_relationship_ids=["r-cb-eab"]), False),
        (SEC_A, ChangeSet(relationships=[_tie("ORGANISED", "ca", "e-ab", "r-cb-eab")]), False),
        (SEC_A, ChangeSet(delete_relationship_ids=["r-ca-eab"]), True),  # C may leave it
        # nor can B put its events into A's series
        (SEC_B, ChangeSet(nodes=[_event("eb-free-ed", "sa")]), False),
        (SEC_B, ChangeSet(nodes=[_event("eb", "sa")]), False),
    ],
)
def test_a_secretariat_changes_who_organises_what_only_by_adding_or_removing_itself(
    principal: Principal, change: ChangeSet, allowed: bool
) -> None:
    refusals = write_refusals(principal, series_graph(), change)
    assert (refusals == []) is allowed, refusals


@pytest.mark.parametrize(
    ("change", "allowed"),
    [
        (ChangeSet(nodes=[Note(id="n2", about_id="cb", text="x", **P)]), True),
        (ChangeSet(delete_node_ids=["na"]), True),
        (ChangeSet(relationships=[Relationship(type="LONG_LISTED", from_id="o1", to_id="ca", **P)]), True),
        (ChangeSet(relationships=[Relationship(type="CONTACTED", from_id="ca", to_id="o1", **P)]), True),
        (ChangeSet(relationships=[Relationship(type="MEMBER_OF", from_id="o1", to_id="ca", **P)]), False),
        # a member tie cannot be turned into a long-list entry (nor back)
        (
            ChangeSet(relationships=[Relationship(id="r-o1-cb", type="LONG_LISTED", from_id="o1", to_id="cb", **P)]),
            False,
        ),
        (ChangeSet(delete_relationship_ids=["r-o1-cb"]), False),
        (ChangeSet(nodes=[Community(id="ca", name="A会 改", **P)]), False),
        (ChangeSet(delete_node_ids=["ea"]), False),
    ],
)
def test_a_planner_writes_only_notes_long_lists_and_contacts(change: ChangeSet, allowed: bool) -> None:
    assert (write_refusals(PLANNER, graph(), change) == []) is allowed


def test_admins_write_everything_and_viewers_nothing() -> None:
    change = ChangeSet(delete_node_ids=["eb"])
    assert write_refusals(Principal("k", "a", Role.ADMIN), graph(), change) == []
    assert write_refusals(Principal("k", "v", Role.VIEWER), graph(), ChangeSet(nodes=[])) != []


# -- what each role sees ------------------------------------------------------------------------


def confidential_graph() -> GraphData:
    data = graph()
    for node in (
        Organisation(id="o-secret", name="秘密団体", sector="sme", **P, confidential=True),
        Organisation(id="o-child", name="子組織", sector="sme", parent_id="o-secret", **P),
        Headcount(id="hc-secret", subject_id="o-secret", count_kind="members", count=1, **P),
    ):
        data.add_node(node)
    data.add_relationship(Relationship(id="r-secret-ca", type="MEMBER_OF", from_id="o-secret", to_id="ca", **P))
    data.add_relationship(
        Relationship(id="r-contact", type="CONTACTED", from_id="ca", to_id="o1", confidential=True, **P)
    )
    return data


def test_confidential_records_and_what_hangs_on_them_are_removed() -> None:
    seen = visible_graph(confidential_graph(), Visibility.PUBLIC)
    assert "o-secret" not in seen.nodes and "hc-secret" not in seen.nodes
    assert "r-secret-ca" not in seen.relationships and "r-contact" not in seen.relationships
    assert seen.nodes["o-child"].parent_id is None  # type: ignore[attr-defined]
    assert "na" in seen.nodes  # notes stay for secretariats
    assert visible_graph(confidential_graph(), Visibility.FULL) is not None
    assert "o-secret" in visible_graph(confidential_graph(), Visibility.FULL).nodes


def test_viewers_see_people_by_role_and_affiliation_only() -> None:
    seen = visible_graph(confidential_graph(), Visibility.ANONYMISED, b"k" * 32)
    text = repr(seen.nodes) + repr(seen.relationships)
    assert "山田" not in text and "p1" not in [n for n in seen.nodes]
    people = [n for n in seen.nodes.values() if n.kind == "Person"]
    assert [p.name for p in people] == ["講師(団体1)"]
    assert not any(n.kind == "Note" for n in seen.nodes.values())
    works = [r for r in seen.relationships.values() if r.type == "WORKS_AT"]
    assert works[0].from_id == people[0].id and works[0].id.startswith("rel-")
    # stable across builds, different under another secret
    again = visible_graph(confidential_graph(), Visibility.ANONYMISED, b"k" * 32)
    other = visible_graph(confidential_graph(), Visibility.ANONYMISED, b"o" * 32)
    assert set(again.nodes) == set(seen.nodes) and set(other.nodes) != set(seen.nodes)


def test_a_person_s_name_written_into_other_text_is_hidden_from_viewers() -> None:
    from secgraph.access.visibility import NAME_HIDDEN

    p = {"source": "test", "as_of": "2021-03"}
    data = GraphData()
    for node in (
        Organisation(id="org-ikeda", name="池田耕作商店", sector="sme", prefecture="27", **p),  # a body's own name
        Community(id="com", name="テスト会", purpose="主催者の池田　耕作氏が始めた。Ikeda も。", **p),
        Person(id="per-ikeda", name="池田 耕作", role_label="主催者（池田耕作）", **p),
    ):
        data.add_node(node)
    for rel in (
        Relationship(type="MEMBER_OF", from_id="org-ikeda", to_id="com", role="協力 (主催者 池田耕作氏)", **p),
        Relationship(type="WORKS_AT", from_id="per-ikeda", to_id="org-ikeda", **p),
    ):
        data.add_relationship(rel)
    shown = visible_graph(data, Visibility.ANONYMISED, b"k")
    assert shown.nodes["com"].purpose == f"主催者の{NAME_HIDDEN}氏が始めた。Ikeda も。"
    assert shown.nodes["org-ikeda"].name == "池田耕作商店"
    member = next(r for r in shown.relationships.values() if r.type == "MEMBER_OF")
    assert member.role == f"協力 (主催者 {NAME_HIDDEN}氏)"
    person = next(n for n in shown.nodes.values() if n.kind == "Person")
    assert person.name == f"主催者({NAME_HIDDEN})(池田耕作商店)"  # names are stored NFKC-folded
