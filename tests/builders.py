"""Small graphs with known answers, built in a few lines for the analysis tests."""

from __future__ import annotations

from secgraph.model.graph import GraphData, all_relationships, geography_graph
from secgraph.model.records import (
    Community,
    Event,
    EventSeries,
    Headcount,
    Node,
    Organisation,
    Person,
    Relationship,
)

P = {"source": "test", "as_of": "2020-04-01"}


class GraphBuilder:
    """``GraphBuilder().org("a", "police", "27").community("c", "mic-kinki").tie("MEMBER_OF", "a", "c").build()``"""

    def __init__(self, with_geography: bool = True) -> None:
        self.nodes: list[Node] = []
        self.relationships: list[Relationship] = []
        self.with_geography = with_geography

    def org(
        self, node_id: str, sector: str = "sme", prefecture: str | None = None, name: str | None = None
    ) -> GraphBuilder:
        self.nodes.append(Organisation(id=node_id, name=name or node_id, sector=sector, prefecture=prefecture, **P))
        return self

    def person(self, node_id: str, works_at: str | None = None, name: str | None = None) -> GraphBuilder:
        self.nodes.append(Person(id=node_id, name=name or node_id, **P))
        if works_at:
            self.tie("WORKS_AT", node_id, works_at)
        return self

    def community(
        self, node_id: str, region: str | None = None, prefectures: list[str] | None = None, founded: str | None = None
    ) -> GraphBuilder:
        self.nodes.append(
            Community(id=node_id, name=node_id, region=region, prefectures=prefectures or [], founded=founded, **P)
        )
        return self

    def series(self, node_id: str, **fields: str) -> GraphBuilder:
        """A series; ``fields`` such as ``cadence="年2回", since="2017", as_of="2021-02"``."""
        self.nodes.append(EventSeries(id=node_id, name=node_id, **{**P, **fields}))
        return self

    def event(
        self,
        node_id: str,
        start: str,
        series: str | None = None,
        edition: int | None = None,
        prefecture: str | None = None,
        attendees: int | None = None,
        event_type: str = "seminar",
        status: str = "held",
    ) -> GraphBuilder:
        self.nodes.append(
            Event(
                id=node_id,
                title=node_id,
                event_type=event_type,
                status=status,
                start=start,
                series_id=series,
                edition=edition,
                prefecture=prefecture,
                attendees=attendees,
                source="test",
                as_of=start,
            )
        )
        return self

    def count(self, subject: str, count: int, sector: str | None = None, kind: str = "members") -> GraphBuilder:
        self.nodes.append(Headcount(subject_id=subject, count_kind=kind, sector=sector, count=count, **P))
        return self

    def tie(self, rel_type: str, from_id: str, to_id: str, start: str | None = None, **fields: object) -> GraphBuilder:
        as_of = start or P["as_of"]
        self.relationships.append(
            Relationship(type=rel_type, from_id=from_id, to_id=to_id, start=start, source="test", as_of=as_of, **fields)
        )
        return self

    def build(self) -> GraphData:
        data = geography_graph() if self.with_geography else GraphData()
        for node in self.nodes:
            data.add_node(node)
        for rel in all_relationships(self.nodes, self.relationships):
            data.add_relationship(rel)
        return data.sorted()
