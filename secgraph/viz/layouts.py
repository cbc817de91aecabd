"""保存した配置 / Stored layouts: the positions of a map, kept so that two meetings' maps compare.

A layout is a small JSON document — ``{"version": 1, "seed": 0, "scope": {...}, "positions":
{node id: [x, y]}}`` — validated with pydantic when read or written. ``network_map(...,
positions=...)`` keeps the stored position of every actor that still exists and places new ones
beside their neighbours (``network_map.place``), so last year's picture stays recognisable.

People's ids. A person's record id may spell a name (``per-yamada``), and viewers must never learn
it. So a layout made for a service keeps people under the pseudonym viewers see
(``pseudonym(key, "person", id)``, as ``visible_graph`` makes it with the service's key):

- ``layout_of(map, pseudonym_key=key)`` stores people of a map drawn with names under that
  pseudonym (a map drawn with names hidden already has them);
- ``positions_for(layout, data, pseudonym_key=key)`` gives the stored positions back under the ids
  of ``data``: one layout serves a planner's map with names and a viewer's without;
- ``visible_layout(layout, data, pseudonym_key=key)`` is the layout as someone who sees ``data``
  may read it: only the actors of ``data`` (so no confidential record), people by pseudonym.

``LayoutStore`` keeps layouts as ``<name>.json`` files in one folder; a name is 1–64 ASCII
letters, digits, ``-`` or ``_`` (no dots, no slashes: nothing can point outside the folder).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import re
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from secgraph.access.visibility import pseudonym
from secgraph.analysis.network import ACTOR_KINDS
from secgraph.model.graph import GraphData
from secgraph.viz.network_map import NetworkMap

NAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
#: Coordinates beyond this are not a layout but an accident (or an attack on the renderer).
COORDINATE_LIMIT = 1e7
MAX_POSITIONS = 200_000


def _finite(value: float) -> float:
    if not math.isfinite(value) or abs(value) > COORDINATE_LIMIT:
        raise ValueError(f"coordinate must be finite and within ±{COORDINATE_LIMIT:g} / 座標が範囲外です")
    return round(value, 1)


Coordinate = Annotated[float, AfterValidator(_finite)]
NodeKey = Annotated[str, StringConstraints(min_length=1, max_length=300)]


class LayoutScope(BaseModel):
    """The scope a layout was saved for (for information: a layout fits any scope)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    community: NodeKey | None = Field(None, description="コミュニティID / Community id")
    region: Annotated[str, StringConstraints(max_length=100)] | None = Field(None, description="地域 / Region")
    prefecture: Annotated[str, StringConstraints(max_length=100)] | None = Field(
        None, description="都道府県 / Prefecture"
    )
    as_of: dt.date | None = Field(None, description="基準日 / As of date")


class Layout(BaseModel):
    """Stored positions of a map's actors (ghost nodes follow their community and are not stored)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: Literal[1] = Field(1, description="形式の版 / Format version")
    seed: int = Field(0, ge=0, le=2**31 - 1, description="新しい部分の配置シード / Seed for new parts")
    scope: LayoutScope | None = Field(None, description="保存時の対象 / Scope when saved")
    positions: dict[NodeKey, tuple[Coordinate, Coordinate]] = Field(
        default_factory=dict, max_length=MAX_POSITIONS, description="ノードID → [x, y] / Node id to [x, y]"
    )


class LayoutNameError(ValueError):
    """A layout name that is not 1–64 ASCII letters, digits, ``-`` or ``_``."""


class LayoutNotFound(LookupError):
    """No layout of that name."""


class LayoutDamaged(ValueError):
    """A stored layout file that is not a valid layout."""


def check_name(name: str) -> str:
    if not NAME_PATTERN.fullmatch(name):
        raise LayoutNameError(
            f"layout name must be 1-64 ASCII letters, digits, '-' or '_': {name!r}"
            " / 配置名は半角英数字・ハイフン・下線（64文字まで）"
        )
    return name


def _person_alias(pseudonym_key: bytes) -> Callable[[str], str]:
    return lambda person_id: pseudonym(pseudonym_key, "person", person_id)


def layout_of(nmap: NetworkMap, *, pseudonym_key: bytes | None = None) -> Layout:
    """The positions of ``nmap``'s actors as a layout.

    With ``pseudonym_key``, people of a map drawn with names are stored under their pseudonym;
    a map drawn with names hidden already shows them so, and is stored as it is.
    """
    alias = _person_alias(pseudonym_key) if pseudonym_key is not None and not nmap.names_hidden else None
    positions = {(alias(n.id) if alias and n.kind == "Person" else n.id): (n.x, n.y) for n in nmap.nodes if not n.ghost}
    where = nmap.scope
    scope = LayoutScope(community=where.community, region=where.region, prefecture=where.prefecture, as_of=where.as_of)
    return Layout(seed=nmap.seed, scope=scope, positions=dict(sorted(positions.items())))


def _people(data: GraphData) -> list[str]:
    return sorted(node_id for node_id, node in data.nodes.items() if node.kind == "Person")


def positions_for(
    layout: Layout, data: GraphData, *, pseudonym_key: bytes | None = None
) -> dict[str, tuple[float, float]]:
    """The stored positions under the ids ``data`` uses: as stored, plus each person of ``data``
    found under its pseudonym. Entries for nodes ``data`` lacks are harmless: the map ignores them."""
    found: dict[str, tuple[float, float]] = dict(layout.positions)
    if pseudonym_key is not None:
        alias = _person_alias(pseudonym_key)
        for person in _people(data):
            stored = layout.positions.get(alias(person))
            if stored is not None:
                found[person] = stored
    return found


def visible_layout(
    layout: Layout, data: GraphData, *, pseudonym_key: bytes | None = None, anonymised: bool = False
) -> Layout:
    """``layout`` cut to what someone who sees ``data`` may read: the actors of ``data`` only (so no
    confidential record), people by pseudonym. ``anonymised`` says ``data`` already holds people
    under their pseudonyms (a viewer's view); otherwise, with ``pseudonym_key``, a person is
    readable under its pseudonym and never under its record id."""
    people = _people(data)
    allowed = {node_id for node_id, node in data.nodes.items() if node.kind in ACTOR_KINDS and node.kind != "Person"}
    if anonymised or pseudonym_key is None:
        allowed.update(people)
    else:
        alias = _person_alias(pseudonym_key)
        allowed.update(alias(p) for p in people)
    kept = {node_id: xy for node_id, xy in layout.positions.items() if node_id in allowed}
    scope = layout.scope
    if scope is not None and scope.community is not None and scope.community not in data.nodes:
        scope = None  # saved for a community the reader may not see (a confidential one): not named
    return layout.model_copy(update={"positions": kept, "scope": scope})


def dumps(layout: Layout) -> str:
    """The layout as JSON text: sorted, one position a line, the same layout the same bytes."""
    document = layout.model_dump(mode="json")
    positions = document.pop("positions")
    head = json.dumps(document, ensure_ascii=False, sort_keys=True)[1:-1]
    lines = ",\n".join(
        f"  {json.dumps(key, ensure_ascii=False)}: [{x!r}, {y!r}]" for key, (x, y) in sorted(positions.items())
    )
    return f'{{{head}, "positions": {{\n{lines}\n}}}}\n' if lines else f'{{{head}, "positions": {{}}}}\n'


def loads(text: str | bytes) -> Layout:
    try:
        return Layout.model_validate_json(text)
    except ValidationError as error:
        raise LayoutDamaged(f"not a valid layout / 配置ファイルが不正です: {error}") from None


def read_layout(path: Path) -> Layout:
    return loads(path.read_bytes())


def write_layout(path: Path, layout: Layout) -> None:
    """Write atomically: a reader sees the old layout or the new one, never half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=path.parent, suffix=".tmp", delete=False) as f:
        f.write(dumps(layout))
        temporary = Path(f.name)
    os.replace(temporary, path)


class LayoutStore:
    """Named layouts, one JSON file each, in ``folder``."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)

    def path(self, name: str) -> Path:
        return self.folder / f"{check_name(name)}.json"

    def save(self, name: str, layout: Layout) -> None:
        write_layout(self.path(name), layout)

    def load(self, name: str) -> Layout:
        path = self.path(name)
        if not path.is_file():
            raise LayoutNotFound(f"no layout '{name}' / 配置「{name}」はありません")
        return read_layout(path)

    def names(self) -> list[str]:
        if not self.folder.is_dir():
            return []
        return sorted(p.stem for p in self.folder.glob("*.json") if NAME_PATTERN.fullmatch(p.stem))
