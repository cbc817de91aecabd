"""The measures the stage rules test, each with the evidence behind its value and the next steps it suggests."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from secgraph.analysis.activity import (
    ROLE_PARTS,
    RUNNING_ROLES,
    STRUCTURAL_TIES,
    CommunityActivity,
    Part,
    event_fiscal_year,
    membership_count,
)
from secgraph.analysis.explain import Advice, Evidence, evidence
from secgraph.analysis.network import event_day
from secgraph.model.cadence import cadence_label
from secgraph.model.listing import listed
from secgraph.model.records import Event
from secgraph.model.vocabulary import SECTOR_GROUP_LABELS, LongListStatus, MemberClass, RelType, SectorGroup

if TYPE_CHECKING:
    from secgraph.analysis.stage.rules import StageRule


@dataclass
class Measured:
    value: float
    evidence: list[Evidence] = field(default_factory=list)
    #: Next steps the graph suggests, shown when the rule is not met.
    advice: list[Advice] = field(default_factory=list)


def _names(act: CommunityActivity, ids: Iterable[str], limit: int = 5) -> str:
    return listed(list(ids), limit, "ja", act.index.name)


def _names_en(act: CommunityActivity, ids: Iterable[str], limit: int = 5) -> str:
    return listed(list(ids), limit, "en", act.index.name)


def _measure_conveners(act: CommunityActivity, rule: StageRule) -> Measured:
    if act.convener_basis == "none":
        return Measured(
            0,
            [
                evidence(
                    "rule", "事務局・役員の記録がなく、主催・接触もない", "no secretariat, officer, event or contact"
                )
            ],
        )
    basis = {
        "secretariat": (
            "事務局",
            "secretariat",
            [r for c in act.conveners for r in _rel_ids(act, c, RelType.SECRETARIAT_OF)],
        ),
        "officers": (
            "役員（事務局の記録なし）",
            "officers (no secretariat recorded)",
            _member_rel_ids(act, act.conveners),
        ),
        "community": (
            "コミュニティ自身（事務局・役員の記録なし、自ら主催・接触）",
            "the community itself (no secretariat or officer recorded; it organises or contacts)",
            [str(r.id) for r in act.index.by_from.get(act.id, []) if r.type in (*RUNNING_ROLES, RelType.CONTACTED)],
        ),
    }[act.convener_basis]
    return Measured(
        len(act.conveners),
        [
            evidence(
                "relationship",
                f"事務局は{basis[0]}: {_names(act, act.conveners)}",
                f"Convened by the {basis[1]}: {_names_en(act, act.conveners)}",
                [*act.conveners, *basis[2]],
            )
        ],
    )


def _rel_ids(act: CommunityActivity, from_id: str, rel_type: RelType) -> list[str]:
    return [str(r.id) for r in act.index.by_from.get(from_id, []) if r.type == rel_type and r.to_id == act.id]


def _member_rel_ids(act: CommunityActivity, members: Iterable[str]) -> list[str]:
    return [str(r.id) for m in members for r in act.member_rels.get(m, [])]


def _one_to_one(act: CommunityActivity) -> dict[str, list[str]]:
    """Kind of tie → bodies with that one-to-one tie to the community or its convener.

    The secretariat is left out (its ties are what is counted); officers who convene a community
    without a secretariat are its members and count."""
    excluded = {act.id, *act.secretariat}
    engaged = (LongListStatus.CONTACTED, LongListStatus.ENGAGED)
    kinds = {
        "members": [m for m in act.members if m not in excluded],
        "contacted": [c for c in act.contacted if c not in excluded],
        "long_list": [b for b, (status, _) in act.long_listed.items() if status in engaged and b not in excluded],
        "partners": [p for p in act.partners if p not in excluded],
    }
    return kinds


_TIE_LABELS = {
    "members": ("構成員", "members"),
    "contacted": ("接触先", "contacted"),
    "long_list": ("ロングリスト（接触済み・参画）", "long list (contacted or engaged)"),
    "partners": ("連携先", "partners"),
}


def _tie_rel_ids(act: CommunityActivity, kind: str, bodies: list[str]) -> list[str]:
    if kind == "members":
        return _member_rel_ids(act, bodies)
    if kind == "contacted":
        return [r for b in bodies for r in act.contacted[b]]
    if kind == "partners":
        return [r for b in bodies for r in act.partners[b]]
    return [act.long_listed[b][1] for b in bodies]


def _measure_one_to_one(act: CommunityActivity, rule: StageRule) -> Measured:
    kinds = _one_to_one(act)
    bodies = sorted({b for ids in kinds.values() for b in ids})
    found = [
        evidence(
            "relationship",
            f"{_TIE_LABELS[kind][0]} {len(ids)}: {_names(act, ids)}",
            f"{_TIE_LABELS[kind][1]} {len(ids)}: {_names_en(act, ids)}",
            [*ids, *_tie_rel_ids(act, kind, ids)],
        )
        for kind, ids in kinds.items()
        if ids
    ]
    if not found:
        found.append(
            evidence("number", "1対1の関係をもつ団体・個人がいない", "no body or person with a one-to-one tie")
        )
    prospects = [b for b, (status, _) in act.long_listed.items() if status in (None, LongListStatus.PROSPECT)]
    advice = (
        [
            Advice(
                ja=f"ロングリストの未接触の団体に接触する: {_names(act, prospects)}",
                en=f"Contact the long-listed bodies not yet approached: {_names_en(act, prospects)}",
            )
        ]
        if prospects
        else []
    )
    return Measured(len(bodies), found, advice)


def _measure_long_list(act: CommunityActivity, rule: StageRule) -> Measured:
    kinds = _one_to_one(act)
    kinds["long_list"] = [b for b in act.long_listed if b not in {act.id, *act.secretariat}]
    named = sorted({b for ids in kinds.values() for b in ids})
    count = membership_count(act)
    unnamed = max(0, count.counted - count.named)
    found = [
        evidence(
            "node",
            f"名前のある団体・個人 {len(named)}: {_names(act, named)}",
            f"{len(named)} named bodies or people: {_names_en(act, named)}",
            named,
        )
    ]
    if unnamed:
        labels = "、".join(h.label or str(h.count) for h in count.rows)
        found.append(
            evidence(
                "number",
                f"人数だけ記録された構成員 {count.counted}"
                f"（名前のある構成員 {count.named} を超える {unnamed}）: {labels}",
                f"{count.counted} members counted (the {unnamed} beyond the {count.named} named): {labels}",
                [h.id for h in count.rows],
            )
        )
    return Measured(len(named) + unnamed, found)


def _key_person_candidates(act: CommunityActivity) -> dict[str, list[str]]:
    """Candidate → why (officer, special support, individual member, roles in events)."""
    excluded = {act.id, *act.secretariat}
    reasons: dict[str, list[str]] = defaultdict(list)
    for member, rels in act.member_rels.items():
        classes = {r.member_class for r in rels}
        if MemberClass.OFFICER in classes:
            reasons[member].append("officer")
        if MemberClass.SPECIAL_SUPPORT in classes:
            reasons[member].append("special_support")
        if act.index.data.nodes[member].kind == "Person":
            reasons[member].append("individual")
    # Practice 11's stage 1: the key-person candidates are found among those met one-to-one.
    engaged = (LongListStatus.CONTACTED, LongListStatus.ENGAGED)
    contacted = {*act.contacted, *(b for b, (status, _) in act.long_listed.items() if status in engaged)}
    for body in sorted(contacted):
        reasons[body].append("contacted")
    for actor, targets in act.role_counts.items():
        reasons[actor].append(f"roles:{len(targets)}")
    return {a: r for a, r in sorted(reasons.items()) if a not in excluded}


def _measure_key_persons(act: CommunityActivity, rule: StageRule) -> Measured:
    candidates = _key_person_candidates(act)
    groups = {
        "officer": ("役員", "officers"),
        "special_support": ("特別支援構成員", "special support members"),
        "individual": ("個人の構成員", "individual members"),
        "contacted": ("1対1で接触した団体・個人", "contacted one-to-one"),
        "roles": ("イベントで役割を担った人・団体", "held roles in the community's events"),
    }
    # Each candidate's reasons read once ("roles:3" is in the group "roles"), in the candidates' order.
    in_group: dict[str, list[str]] = defaultdict(list)
    for actor, why in candidates.items():
        for key in {w.split(":")[0] for w in why}:
            in_group[key].append(actor)
    found = []
    for key, (ja, en) in groups.items():
        ids = in_group.get(key, [])
        if not ids:
            continue
        among = set(ids)  # looked up for every role in every event: a set, not the list
        rel_ids = (
            [
                p.rel_id
                for e in [*(ev.id for ev in act.events), *act.series]
                for p in act.index.parts(e, ROLE_PARTS)
                if p.actor_id in among
            ]
            if key == "roles"
            else [r for b in ids for r in act.contacted.get(b, [])]
            + [act.long_listed[b][1] for b in ids if b in act.long_listed]
            if key == "contacted"
            else _member_rel_ids(act, ids)
        )
        found.append(
            evidence(
                "relationship",
                f"{ja} {len(ids)}: {_names(act, ids)}",
                f"{en} {len(ids)}: {_names_en(act, ids)}",
                [*ids, *rel_ids],
            )
        )
    if not found:
        found.append(evidence("number", "役割をもつ人・団体がいない", "nobody holds a role"))
    return Measured(len(candidates), found)


def _role_holders(act: CommunityActivity, event: Event) -> dict[str, list[str]]:
    holders: dict[str, list[str]] = defaultdict(list)
    for part in act.index.parts(event.id, ROLE_PARTS):
        if part.actor_id != act.id:
            holders[part.actor_id].append(part.rel_id)
    return dict(sorted(holders.items()))


def _group_label(group: str, lang: str = "ja") -> str:
    try:
        label = SECTOR_GROUP_LABELS[SectorGroup(group)]
    except ValueError:
        return group
    return label.ja if lang == "ja" else label.en


def _attribution(act: CommunityActivity, event: Event) -> list[str]:
    """The relationships that make an event the community's (on the event or on its series)."""
    return [*act.attribution.get(event.id, []), *act.attribution.get(event.series_id or "", [])]


def _measure_joint_events(act: CommunityActivity, rule: StageRule) -> Measured:
    min_bodies = int(rule.params.get("min_bodies", 3))
    min_groups = int(rule.params.get("min_sector_groups", 2))
    joint, nearest = [], []
    for event in act.events:
        holders = _role_holders(act, event)
        groups = sorted({str(g) for a in holders if (g := act.index.group_of(a)) is not None})
        row = (event, holders, groups)
        if len(holders) >= min_bodies and len(groups) >= min_groups:
            joint.append(row)
        else:
            nearest.append(row)
    found = [
        evidence(
            "event",
            f"{e.title}（{e.start}）: {len(h)}の団体・個人が役割、{'・'.join(_group_label(g) for g in gs)}",
            f"{e.title} ({e.start}): {len(h)} bodies or people hold roles, "
            f"from {', '.join(_group_label(g, 'en') for g in gs)}",
            [e.id, *h, *(r for rels in h.values() for r in rels), *_attribution(act, e)],
        )
        for e, h, gs in joint
    ]
    advice = []
    if not joint:
        if nearest:
            e, h, gs = max(nearest, key=lambda row: (len(row[1]), len(row[2]), event_day(row[0]), row[0].id))
            found.append(
                evidence(
                    "event",
                    f"共同イベントなし。最も近いのは{e.title}（{e.start}）: {len(h)}の団体・個人、{len(gs)}セクター群",
                    f"no joint event; the nearest is {e.title} ({e.start}): {len(h)} bodies or people, "
                    f"{len(gs)} sector groups",
                    [e.id, *h],
                )
            )
            advice.append(
                Advice(
                    ja=f"最も近いイベントは「{e.title}」（{len(h)}の団体・個人、{len(gs)}セクター群）。"
                    "他のセクターの構成員に共催・後援・登壇を依頼する",
                    en=f"The nearest is '{e.title}' ({len(h)} bodies or people, {len(gs)} sector groups): "
                    "ask members of other sectors to co-host, support or speak",
                )
            )
        else:
            found.append(evidence("rule", "開催済みのイベントがない", "no held event"))
    return Measured(len(joint), found, advice)


def _measure_ties_among_bodies(act: CommunityActivity, rule: StageRule) -> Measured:
    """Ties of the actor network among the community's bodies and people, the community node itself
    (tied to every member by definition, it would make every network a star) and its secretariat
    (the convener) left out."""
    relationships = act.index.data.relationships

    def between_bodies(edge: dict) -> list[str]:
        return [r for r in edge["relationships"] if relationships[r].type not in STRUCTURAL_TIES]

    ties = act.index.ties
    # The bodies, by their numbers in the network (ascending, so in id order).
    rows = np.setdiff1d(act.circle_numbers, ties.numbers([act.id, *act.secretariat]), assume_unique=True)
    entries = ties.among(rows).tocoo()
    upper = entries.row < entries.col  # each tie once
    numbers = entries.data[upper] - 1
    # Where someone works is no tie between bodies: a tie counts with an event or another relationship.
    kept = act.index.ties_between_bodies[numbers]
    numbers, first, second = numbers[kept], entries.row[upper][kept], entries.col[upper][kept]
    if not len(numbers):
        return Measured(
            0,
            [
                evidence(
                    "number",
                    "事務局を介さない団体どうしのつながりがない",
                    "no tie among the bodies apart from the convener",
                )
            ],
        )
    degree = np.bincount(np.concatenate([first, second]), minlength=len(rows))
    # Rows are in id order, so sorting by row breaks ties between equals by id.
    tied_rows = np.flatnonzero(degree)
    tied = [ties.nodes[i] for i in rows[tied_rows[np.lexsort((tied_rows, -degree[tied_rows]))]].tolist()]
    # Only the strongest 20 are shown with their evidence: the heaviest first, then by the two ids.
    weight = ties.weights("weight")
    shown = [ties.tie_data[numbers[i]] for i in np.lexsort((second, first, -weight[numbers]))[:20]]
    return Measured(
        len(numbers),
        [
            evidence(
                "number",
                f"団体どうしのつながり {len(numbers)}本（{len(tied)}の団体・個人）。多い順: {_names(act, tied)}",
                f"{len(numbers)} ties among {len(tied)} bodies or people; most tied: {_names_en(act, tied)}",
                sorted({i for edge in shown for i in (*between_bodies(edge), *edge["events"])}),
            )
        ],
    )


@dataclass(frozen=True)
class SeriesRecord:
    """A community's series as the stage-3 rules see it."""

    series_id: str
    #: Held editions with their own dates, within the community's life.
    editions: tuple[Event, ...]
    #: Fiscal years with dated editions or covered by the series' stated cadence.
    fiscal_years: tuple[int, ...]
    core: tuple[str, ...]
    self_run: bool
    handover: tuple[str, ...]  # the public bodies that hosted the first year, when handed over
    organisers_later: tuple[str, ...]
    #: Fiscal years the stated cadence covers (stated, not dated), and the cadence.
    stated_years: tuple[int, ...] = ()
    cadence: str | None = None


def _core_bodies(act: CommunityActivity) -> set[str]:
    """Members, their staff, and those with roles in two or more of the community's events."""
    repeat = {a for a, targets in act.role_counts.items() if len(targets) >= 2}
    return (set(act.members) | act.member_staff | repeat) - {act.id, *act.secretariat}


def series_records(act: CommunityActivity) -> list[SeriesRecord]:
    """The community's series with held editions: fiscal years, co-runners, who runs the later years."""
    # Three rules read them (recurring, co-run, self-run): made once per community.
    if act.series_records is None:
        act.series_records = _series_records(act)
    return act.series_records


def _co_runners(
    act: CommunityActivity,
    core: set[str],
    series_roles: list[Part],
    edition_roles: list[tuple[int, list[Part]]],
    years: list[int],
) -> set[str]:
    """Who ran a series with the community (practice 11's stage 3: 定番化可能な企画をコア機関・キー
    パーソンと共同で実施・協力): the community's core bodies (``core``, :func:`_core_bodies`) that held a
    role in it; anyone else who organised or co-hosted it or an edition; anyone who held a role in it
    in two or more fiscal years (a role on the series holds in each of its years). The community is
    left out, and so is a secretariat of one body (the convener alone is not running it with anyone);
    the bodies of a secretariat shared by several count, when two or more bodies ran the series.

    ``series_roles`` are the roles set on the series, ``edition_roles`` each edition's fiscal year and
    roles (its series' included)."""
    role_years: dict[str, set[int]] = defaultdict(set)
    runners: set[str] = set()
    for part in series_roles:
        role_years[part.actor_id].update(years)
        if part.type in RUNNING_ROLES:
            runners.add(part.actor_id)
    for year, roles in edition_roles:
        for part in roles:
            role_years[part.actor_id].add(year)
            if part.type in RUNNING_ROLES:
                runners.add(part.actor_id)
    found = {a for a in role_years if a in core} | {a for a, ys in role_years.items() if len(ys) >= 2} | runners
    found.discard(act.id)
    if len(act.secretariat) < 2 or len(runners - {act.id}) < 2:
        found -= set(act.secretariat)
    return found


def _series_records(act: CommunityActivity) -> list[SeriesRecord]:
    own = {act.id, *act.members, *act.member_staff} | {s for s in act.secretariat if not act.index.is_government(s)}
    core = _core_bodies(act)
    records = []
    for series_id in act.series:
        editions = tuple(e for e in act.index.editions.get(series_id, []) if event_day(e) >= act.life_start)
        stated = act.index.stated_fiscal_years(series_id, act.life_start)
        if not editions and not stated:
            continue
        # Each edition's roles are read once: who ran the series with the community, and who ran each year.
        edition_roles = [(event_fiscal_year(e), act.index.parts(e.id, ROLE_PARTS)) for e in editions]
        years = sorted({year for year, _ in edition_roles} | set(stated))
        series_roles = act.index.parts(series_id, ROLE_PARTS)
        held_by_core = _co_runners(act, core, series_roles, edition_roles, years)
        series_runners = {p.actor_id for p in series_roles if p.type in RUNNING_ROLES}
        runners_by_year: dict[int, list[set[str]]] = defaultdict(list)
        for year, roles in edition_roles:
            runners_by_year[year].append({p.actor_id for p in roles if p.type in RUNNING_ROLES})
        for year in stated:
            # A stated year's events are the series' own: run by whoever runs the series.
            runners_by_year[year].append(series_runners)
        later = [runners for year in years[1:] for runners in runners_by_year[year]]
        self_run = bool(later) and all(runners & own for runners in later)
        first_runners = set().union(*runners_by_year[years[0]])
        # Practice 5's hand-over: a public body outside the community hosted the first year.
        public_first = sorted(r for r in first_runners - own if act.index.is_government(r))
        series = act.index.data.nodes.get(series_id)
        records.append(
            SeriesRecord(
                series_id=series_id,
                editions=editions,
                fiscal_years=tuple(years),
                core=tuple(sorted(held_by_core)),
                self_run=self_run,
                handover=tuple(public_first) if self_run else (),
                organisers_later=tuple(sorted({r for rs in later for r in rs})),
                stated_years=stated,
                cadence=getattr(series, "cadence", None),
            )
        )
    return records


def _years_text(years: Iterable[int], lang: str = "ja") -> str:
    """Fiscal years, a run of three or more consecutive ones written as a range (1997〜2020年度)."""
    runs: list[list[int]] = []
    for year in sorted(years):
        if runs and year == runs[-1][-1] + 1:
            runs[-1].append(year)
        else:
            runs.append([year])
    parts = []
    for run in runs:
        if len(run) >= 3:
            parts.append(f"{run[0]}〜{run[-1]}年度" if lang == "ja" else f"FY{run[0]}-FY{run[-1]}")
        else:
            parts.extend(f"{y}年度" if lang == "ja" else f"FY{y}" for y in run)
    return ("・" if lang == "ja" else ", ").join(parts)


def _series_evidence(act: CommunityActivity, record: SeriesRecord, ja_extra: str = "", en_extra: str = "") -> Evidence:
    n = len(record.fiscal_years)
    one = "（1年度のみ）" if n == 1 else ""
    held_ja = f"日付のある開催{len(record.editions)}回"
    held_en = f"{len(record.editions)} dated editions"
    if record.stated_years:
        series = act.index.data.nodes[record.series_id]
        span = f"{getattr(series, 'since', None) or '—'}〜{getattr(series, 'until', None) or ''}"
        cadence = record.cadence or ""
        held_ja += f"、記載による開催（日付なし）: {cadence_label(cadence)}、{span}、{_years_text(record.stated_years)}"
        held_en += (
            f"; stated, not dated: {cadence_label(cadence, 'en')}, {span.replace('〜', ' to ')}, "
            f"{_years_text(record.stated_years, 'en')}"
        )
    return evidence(
        "event",
        f"{act.index.name(record.series_id)}: {held_ja}。計{_years_text(record.fiscal_years)}{one}{ja_extra}",
        f"{act.index.name(record.series_id)}: {held_en}; in all {_years_text(record.fiscal_years, 'en')}"
        f"{' (one fiscal year only)' if n == 1 else ''}{en_extra}",
        [record.series_id, *(e.id for e in record.editions)],
    )


def _one_off_candidates(act: CommunityActivity, records: list[SeriesRecord]) -> list[str]:
    """Events held once (not in a series, or in a series of one fiscal year): what could recur."""
    singles = [e.id for e in act.events if not e.series_id]
    singles += [r.series_id for r in records if len(r.fiscal_years) == 1]
    return sorted(set(singles))


def _measure_recurring(act: CommunityActivity, rule: StageRule) -> Measured:
    records = series_records(act)
    return _best_series(act, rule, records, [], [])


def _best_series(
    act: CommunityActivity,
    rule: StageRule,
    candidates: list[SeriesRecord],
    excluded: list[tuple[SeriesRecord, str, str]],
    advice: list[Advice],
) -> Measured:
    value = max((len(r.fiscal_years) for r in candidates), default=0)
    ordered = sorted(candidates, key=lambda r: (-len(r.fiscal_years), r.series_id))
    found = []
    for record in ordered:
        extra_ja = extra_en = ""
        if rule.measure != "recurring_series_fiscal_years" and record.core:
            extra_ja = f"。コア機関・キーパーソン: {_names(act, record.core)}"
            extra_en = f"; core bodies or key persons: {_names_en(act, record.core)}"
        if rule.measure == "self_run_series_fiscal_years":
            extra_ja += f"。初年度より後の主催・共催: {_names(act, record.organisers_later)}"
            extra_en += f"; organised after the first year by {_names_en(act, record.organisers_later)}"
            if record.handover:
                extra_ja += f"（引継ぎ: 初年度は{_names(act, record.handover)}が主催）"
                extra_en += f" (hand-over: {_names_en(act, record.handover)} hosted the first year)"
        found.append(_series_evidence(act, record, extra_ja, extra_en))
    for record, ja, en in excluded:
        found.append(_series_evidence(act, record, f"（対象外: {ja}）", f" (not counted: {en})"))
    if not candidates and not excluded:
        found.append(evidence("rule", "開催済みの回のあるシリーズがない", "no series with held editions"))
    if value < rule.threshold:
        singles = _one_off_candidates(act, series_records(act))
        if singles and rule.measure == "recurring_series_fiscal_years":
            advice = [
                *advice,
                Advice(
                    ja=f"定番化の候補（1年度だけ開催）: {_names(act, singles)}",
                    en=f"Could become routine (held in one fiscal year only): {_names_en(act, singles)}",
                ),
            ]
    return Measured(value, found, advice)


def _measure_co_run(act: CommunityActivity, rule: StageRule) -> Measured:
    records = series_records(act)
    candidates = [r for r in records if r.core]
    excluded = [
        (r, "コア機関・キーパーソンの役割なし", "no core body or key person held a role") for r in records if not r.core
    ]
    advice = [
        Advice(
            ja=f"「{act.index.name(r.series_id)}」に構成員・キーパーソンの共催・登壇を依頼する",
            en=f"Ask members or key persons to co-host or speak at '{act.index.name(r.series_id)}'",
        )
        for r, *_ in excluded
        if len(r.fiscal_years) >= rule.threshold
    ]
    return _best_series(act, rule, candidates, excluded, advice)


def _measure_self_run(act: CommunityActivity, rule: StageRule) -> Measured:
    records = [r for r in series_records(act) if r.core]
    candidates = [r for r in records if r.self_run]
    excluded = [
        (
            r,
            "初年度より後の回を公的機関などが主催" if len(r.fiscal_years) > 1 else "1年度のみ",
            "later editions run by a public body or others" if len(r.fiscal_years) > 1 else "one fiscal year only",
        )
        for r in records
        if not r.self_run
    ]
    advice = [
        Advice(
            ja=f"「{act.index.name(r.series_id)}」を次年度からコミュニティが主催する形に引き継ぐ（プラクティス5）",
            en=f"Hand '{act.index.name(r.series_id)}' over so that the community organises it "
            "from next year (practice 5)",
        )
        for r, *_ in excluded
        if len(r.fiscal_years) > 1
    ]
    return _best_series(act, rule, candidates, excluded, advice)


MeasureFunction = Callable[[CommunityActivity, "StageRule"], Measured]

#: The measures a rule may test, by the name the rules file uses.
MEASURES: dict[str, MeasureFunction] = {
    "conveners": _measure_conveners,
    "one_to_one_ties": _measure_one_to_one,
    "long_list": _measure_long_list,
    "key_person_candidates": _measure_key_persons,
    "joint_events": _measure_joint_events,
    "ties_among_bodies": _measure_ties_among_bodies,
    "recurring_series_fiscal_years": _measure_recurring,
    "co_run_series_fiscal_years": _measure_co_run,
    "self_run_series_fiscal_years": _measure_self_run,
}
