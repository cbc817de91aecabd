"""What each level of visibility leaves of the graph. Every read goes through here, so a record a
role may not see is absent from lists, search, single reads and relationship listings alike.

PUBLIC (secretariat) removes:
- every node and relationship marked confidential;
- what hangs on a removed node: its headcounts and notes, and every relationship that touches it;
- references to a removed node in the fields of the nodes that stay (a parent, a series).

ANONYMISED (viewer) also removes personal names: each person becomes a pseudonymous id and is shown
by role and affiliation (「講師（○○大学）」); notes (free text people wrote about people) and the
free-text ``note`` and ``outcome`` fields are dropped; relationships touching a person get
pseudonymous ids too, since an id chosen by a person may spell a name. A person's name written into
any other text (「主催者の池田耕作氏が…」 in a community's background, 「WGリーダー(井上 陽一)」 as a
role, a talk's title) is replaced by 〔氏名非表示〕 wherever it appears, in every spelling the record
gives (name, English name, other names, with or without spaces), and so is a family name written
with a title or honorific (「上原教授」「杉野氏」「上原研究室」「Prof. Uehara」 → 「〔氏名非表示〕教授」 …).
The names of organisations, communities and series stay as they are: they are the bodies' public names.

Which view an output is drawn from is decided in one place, ``shown_visibility(principal,
hide_names)``; the service makes each view once per revision with its own pseudonym key
(``GraphService.view_for``). Anonymising needs a key: the service's, or for a library call that
asks to hide names without one, a random key of the process — never an empty, guessable one.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

from secgraph.access.roles import Principal, Visibility
from secgraph.model.graph import GraphData
from secgraph.model.records import Node, Person, Relationship
from secgraph.model.ties import current_employers

#: Fields whose target a node cannot exist without (a count of nothing, a note about nothing).
_OWNER_FIELDS = ("subject_id", "about_id")
#: Fields whose target may be removed while the node stays.
_LINK_FIELDS = ("parent_id", "series_id")
_FREE_TEXT = ("note", "outcome")
UNNAMED_PERSON = "人物"
NAME_HIDDEN = "〔氏名非表示〕"
#: A body's own names: public, kept even when they contain a person's name.
_BODY_NAME_FIELDS = ("name", "aliases", "name_en", "abbreviation")
_BODY_KINDS = ("Organisation", "Community", "EventSeries")
#: What follows a family name written without the given name and marks it as a person's
#: (「上原教授」「杉野氏」「上原研究室」): titles, honorifics and a lab named after its head.
_JA_TITLES = (
    "准教授", "教授", "講師", "助教", "先生", "博士", "研究室", "氏", "さん", "様", "殿", "君",
    "代表取締役", "社長", "会長", "理事長", "理事", "部長", "課長", "係長", "室長", "所長", "局長", "センター長",
    "支部長", "主任", "主査", "顧問", "委員長", "委員",
)  # fmt: skip
#: Titles written before a family name in English (「Prof. Uehara」).
_EN_TITLES = ("Professor", "Prof.", "Prof", "Dr.", "Dr", "Mr.", "Mr", "Ms.", "Ms", "Mrs.", "Mrs")
#: The key of pseudonyms made outside the service (a library call hiding names without a key):
#: random, so that nobody can compute a person's pseudonym from a guessed id.
_PROCESS_KEY = secrets.token_bytes(32)


def pseudonym(key: bytes, prefix: str, record_id: str, length: int = 16) -> str:
    return f"{prefix}-{hmac.new(key, record_id.encode('utf-8'), hashlib.sha256).hexdigest()[:length]}"


def _hidden_ids(data: GraphData, visibility: Visibility) -> set[str]:
    hidden = {node_id for node_id, node in data.nodes.items() if node.confidential}
    if visibility == Visibility.ANONYMISED:
        hidden |= {node_id for node_id, node in data.nodes.items() if node.kind == "Note"}
    dependants = [(n.id, getattr(n, f)) for n in data.nodes.values() for f in _OWNER_FIELDS if getattr(n, f, None)]
    grew = True
    while grew:  # a note about a count of a hidden event is hidden too
        before = len(hidden)
        hidden |= {node_id for node_id, owner in dependants if owner in hidden}
        grew = len(hidden) != before
    return hidden


def shown_visibility(principal: Principal, hide_names: bool = False) -> Visibility:
    """The view every output for ``principal`` is drawn from (maps, figures, charts, documents,
    tables, graph files, the command line): the principal's own, or with ``hide_names`` the
    anonymised one. A viewer's is always anonymised; hiding names never shows more."""
    return Visibility.ANONYMISED if hide_names else principal.visibility


def visible_graph(data: GraphData, visibility: Visibility, pseudonym_key: bytes | None = None) -> GraphData:
    """``data`` as a role with ``visibility`` may see it.

    ``pseudonym_key`` makes the people's pseudonyms (the service's key, so that every view shows
    the same ones); None means a random key of this process. An empty key is refused: anyone could
    compute its pseudonyms. A view with names hidden already is returned as it is (it is a subset
    of every view).
    """
    if visibility == Visibility.FULL or data.names_hidden:
        return data
    if visibility == Visibility.ANONYMISED and pseudonym_key is not None and not pseudonym_key:
        raise ValueError("an empty pseudonym key would make guessable pseudonyms / 仮名化の鍵が空です")
    hidden = _hidden_ids(data, visibility)
    result = GraphData()
    for node_id, node in data.nodes.items():
        if node_id in hidden:
            continue
        dropped = {f: None for f in _LINK_FIELDS if getattr(node, f, None) in hidden}
        result.add_node(node.model_copy(update=dropped) if dropped else node)
    for rel in data.relationships.values():
        if not rel.confidential and rel.from_id not in hidden and rel.to_id not in hidden:
            result.add_relationship(rel)
    if visibility == Visibility.ANONYMISED:
        result = _anonymised(result, pseudonym_key or _PROCESS_KEY)
        result.names_hidden = True
    return result.sorted()


def _employer_names(data: GraphData) -> dict[str, str]:
    """Each person's current affiliation (``model.ties.current_employers``), by its display name."""
    return {person: data.nodes[employer].display_name() for person, employer in current_employers(data).items()}


def _without_free_text(record: Node | Relationship) -> Node | Relationship:
    present = {f: None for f in _FREE_TEXT if getattr(record, f, None) is not None}
    return record.model_copy(update=present) if present else record


def _name_pattern(people: list[Person]) -> re.Pattern[str] | None:
    """Every spelling of every person's name, longest first (so 「井上 陽一」 wins over 「井上」), and
    each family name followed by a title or honorific (「上原教授」) or, in English, preceded by one
    (「Prof. Uehara」). Only the name is matched: the title stays (「〔氏名非表示〕教授」)."""
    spellings: set[str] = set()
    family_ja: set[str] = set()
    family_en: set[str] = set()
    for person in people:
        for name in (person.name, person.name_en, *person.aliases):
            if name:
                for variant in (name, re.sub(r"[\s\u3000]+", "", name), re.sub(r"[\s\u3000]+", "\u3000", name)):
                    if len(variant.strip()) >= 2:
                        spellings.add(variant.strip())
                words = name.split()
                if len(words) > 1 and name.isascii():
                    family_en.update(w for w in words if len(w) >= 2)  # either order: 「Tetsutaro Uehara」
                elif len(words) > 1 and len(words[0]) >= 2:
                    family_ja.add(words[0])  # family name first: 「上原 哲太郎」
    if not spellings:
        return None
    alternatives = [re.escape(s) for s in sorted(spellings, key=lambda s: (-len(s), s))]
    if family_ja:
        names = "|".join(re.escape(f) for f in sorted(family_ja, key=lambda f: (-len(f), f)))
        titles = "|".join(re.escape(t) for t in sorted(_JA_TITLES, key=lambda t: (-len(t), t)))
        alternatives.append(f"(?:{names})(?=[\\s\\u3000]?(?:{titles}))")
    if family_en:
        names = "|".join(re.escape(f) for f in sorted(family_en, key=lambda f: (-len(f), f)))
        # a look-behind has one width: one per title
        alternatives += [f"(?<=\\b{re.escape(t)} )(?:{names})\\b" for t in _EN_TITLES]
    return re.compile("|".join(alternatives))


def _without_names(record: Node | Relationship, names: re.Pattern[str] | None) -> Node | Relationship:
    """``record`` with every person's name in its text replaced (ids and bodies' own names kept)."""
    if names is None:
        return record
    kept = _BODY_NAME_FIELDS if getattr(record, "kind", None) in _BODY_KINDS else ()
    update: dict[str, object] = {}
    for field, value in record:
        if field == "id" or field.endswith("_id") or field in kept:
            continue
        if isinstance(value, str) and names.search(value):
            update[field] = names.sub(NAME_HIDDEN, value)
        elif isinstance(value, list) and any(isinstance(v, str) and names.search(v) for v in value):
            update[field] = [names.sub(NAME_HIDDEN, v) if isinstance(v, str) else v for v in value]
    return record.model_copy(update=update) if update else record


def _anonymised(data: GraphData, key: bytes) -> GraphData:
    employers = _employer_names(data)
    names = _name_pattern([node for node in data.nodes.values() if isinstance(node, Person)])
    alias: dict[str, str] = {}
    result = GraphData()
    for node in data.nodes.values():
        if isinstance(node, Person):
            alias[node.id] = pseudonym(key, "person", node.id)
            clean: Person = _without_names(node, names)  # type: ignore[assignment]  # its role may name it
            role = clean.role_label or UNNAMED_PERSON
            shown = f"{role}（{employers[node.id]}）" if node.id in employers else role
            node = Person(
                id=alias[node.id], name=shown, role_label=clean.role_label, source=clean.source, as_of=node.as_of
            )
        else:
            node = _without_names(node, names)  # type: ignore[assignment]
        result.add_node(_without_free_text(node))  # type: ignore[arg-type]
    for rel in data.relationships.values():
        if rel.from_id in alias or rel.to_id in alias:
            rel = rel.model_copy(
                update={
                    "id": pseudonym(key, "rel", str(rel.id), 20),
                    "from_id": alias.get(rel.from_id, rel.from_id),
                    "to_id": alias.get(rel.to_id, rel.to_id),
                    # the person id a merged tie was stated for is a person's id too
                    "merged_from": alias.get(rel.merged_from) if rel.merged_from else None,
                }
            )
        result.add_relationship(_without_free_text(_without_names(rel, names)))  # type: ignore[arg-type]
    return result
