"""A small world for the API tests, the keys of every role, and an app over either store.

Not a test module of its own: test_api*.py import from here and make the ``api`` fixture with
``build_api``.

The world: two communities in two regions; A has a police secretariat, a university member whose
person is a key person, a series and an event it organises, a count and a note; B has an insurer
and an event of its own; one organisation, one person and one contact are confidential.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from fastapi.testclient import TestClient

from secgraph.access import KeyStore
from secgraph.api import ApiSettings, create_app
from secgraph.model.records import (
    Community,
    Event,
    EventSeries,
    Headcount,
    Note,
    Organisation,
    Person,
    Relationship,
)
from secgraph.store import ChangeSet, GraphStore, StoreSettings
from secgraph.store.embedded import EmbeddedStore

P = {"source": "test §1", "as_of": "2021-03"}
SECRET_NAMES = ("秘密商事", "山田", "Yamada", "per-yamada", "per-secret", "隠岐", "企画 花子", "次は保険会社")


def world() -> ChangeSet:
    return ChangeSet(
        nodes=[
            Organisation(id="org-police", name="大阪府警察", sector="police", prefecture="27", **P),
            Organisation(
                id="org-univ", name="京都テスト大学", aliases=["京テ大"], sector="university", prefecture="26", **P
            ),
            Organisation(id="org-ins", name="テスト海上保険株式会社", sector="insurer", prefecture="43", **P),
            Organisation(
                id="org-secret", name="秘密商事株式会社", sector="sme", prefecture="27", confidential=True, **P
            ),
            Person(id="per-yamada", name="山田 太郎", name_en="Taro Yamada", role_label="キーパーソン", **P),
            Person(id="per-secret", name="隠岐 次郎", confidential=True, **P),
            Community(
                id="com-a", name="テストA協議会", abbreviation="A協", region="mic-kinki", prefectures=["27"], **P
            ),
            Community(id="com-b", name="テストB会", region="mic-kyushu", prefectures=["43"], **P),
            EventSeries(id="ser-a", name="A勉強会", **P),
            Event(
                id="ev-a1",
                title="第1回A勉強会",
                event_type="seminar",
                start="2021-02-01",
                series_id="ser-a",
                prefecture="27",
                **P,
            ),
            Event(id="ev-b1", title="B講演会", event_type="forum", start="2021-01-20", prefecture="43", **P),
            Headcount(
                id="hc-a", subject_id="com-a", count_kind="members", sector="sme", count=14, label="企業14社", **P
            ),
            Note(id="note-a", about_id="com-a", text="次は保険会社に声をかける", author="企画 花子", **P),
        ],
        relationships=[
            Relationship(id="r-police-sec", type="SECRETARIAT_OF", from_id="org-police", to_id="com-a", **P),
            Relationship(id="r-police-a", type="MEMBER_OF", from_id="org-police", to_id="com-a", **P),
            Relationship(id="r-univ-a", type="MEMBER_OF", from_id="org-univ", to_id="com-a", **P),
            Relationship(id="r-secret-a", type="MEMBER_OF", from_id="org-secret", to_id="com-a", **P),
            Relationship(id="r-ins-b", type="MEMBER_OF", from_id="org-ins", to_id="com-b", **P),
            Relationship(id="r-yamada-univ", type="WORKS_AT", from_id="per-yamada", to_id="org-univ", **P),
            Relationship(id="r-yamada-spoke", type="SPOKE_AT", from_id="per-yamada", to_id="ev-a1", **P),
            Relationship(id="r-secret-spoke", type="SPOKE_AT", from_id="per-secret", to_id="ev-a1", **P),
            Relationship(id="r-a-ser", type="ORGANISED", from_id="com-a", to_id="ser-a", **P),
            Relationship(id="r-a-ev", type="ORGANISED", from_id="com-a", to_id="ev-a1", **P),
            Relationship(id="r-b-ev", type="ORGANISED", from_id="com-b", to_id="ev-b1", **P),
            Relationship(id="r-contact", type="CONTACTED", from_id="com-a", to_id="org-ins", confidential=True, **P),
        ],
    )


@dataclass
class Keys:
    admin: str
    planner: str
    sec_a: str
    sec_b: str
    viewer: str

    def roles(self) -> dict[str, str]:
        return dict(vars(self))


def make_keys(path: Path) -> tuple[KeyStore, Keys]:
    store = KeyStore(path)
    made = Keys(
        admin=store.create("admin", "管理者")[0],
        planner=store.create("planner", "近畿局 企画")[0],
        sec_a=store.create("secretariat", "A事務局", "com-a")[0],
        sec_b=store.create("secretariat", "B事務局", "com-b")[0],
        viewer=store.create("viewer", "委員会")[0],
    )
    return store, made


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


@dataclass
class Api:
    client: TestClient
    keys: Keys
    store: GraphStore
    tmp: Path

    def as_(self, role: str) -> dict[str, str]:
        return auth(getattr(self.keys, role))

    def get(self, role: str, url: str, **kwargs):  # type: ignore[no-untyped-def]
        return self.client.get(url, headers={**self.as_(role), **kwargs.pop("headers", {})}, **kwargs)

    def post(self, role: str, url: str, **kwargs):  # type: ignore[no-untyped-def]
        return self.client.post(url, headers={**self.as_(role), **kwargs.pop("headers", {})}, **kwargs)

    def put(self, role: str, url: str, **kwargs):  # type: ignore[no-untyped-def]
        return self.client.put(url, headers={**self.as_(role), **kwargs.pop("headers", {})}, **kwargs)

    def delete(self, role: str, url: str, **kwargs):  # type: ignore[no-untyped-def]
        return self.client.delete(url, headers={**self.as_(role), **kwargs.pop("headers", {})}, **kwargs)


def build_api(store: GraphStore, tmp: Path, **limits: int) -> Iterator[Api]:
    store.write(world())
    keys_store, keys = make_keys(tmp / "keys.db")
    settings = ApiSettings(store=StoreSettings(db_path=tmp / "unused.db"), keys_path=tmp / "keys.db", **limits)
    app = create_app(settings, store=store, keys=keys_store)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield Api(client, keys, store, tmp)


def embedded_api(tmp: Path, **limits: int) -> Iterator[Api]:
    """The world on an embedded store of its own, served by an app with a key of every role."""
    store = EmbeddedStore(tmp / "graph.db")
    try:
        yield from build_api(store, tmp, **limits)
    finally:
        store.close()
