"""コミュニティ概要 / The one-page community profile, as HTML and as PDF.

Laid out like the profiles of the METI practice collection (seed 001): the community's name,
abbreviation and English name, region, founding date and web site; 設立の経緯・狙い (background and
aim), 取組方針 (policy), 協力機関 (its bodies by sector group, with counts) and its events. Beside
them, what the product adds from the graph: the engagement stage with the rules behind it, the
sectors it lacks with the organisations to approach, key-person candidates with the reasons, the
health indicators, and what changed since a chosen date.

The page shows only what the records hold: an empty field reads 「記載なし / Not recorded」, and a
list cut to fit the page says how many more there are (「ほか N / N more」). It must fit one A4 page
whatever the data, so the page is laid out with the most detail first and, if WeasyPrint needs a
second page, again with less (:data:`BUDGETS`); the HTML is the very page the PDF prints.

With ``hide_names`` (and always for viewers, whose data the API has already anonymised) everything
is drawn from ``visible_graph(data, Visibility.ANONYMISED)``: people appear by role and affiliation.
"""

from __future__ import annotations

import base64
import datetime as dt
from dataclasses import dataclass, field
from functools import cache

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup
from matplotlib.figure import Figure
from weasyprint import Document

from secgraph.access.roles import Visibility
from secgraph.access.visibility import visible_graph
from secgraph.analysis import changes_between, key_person_candidates, missing_sectors
from secgraph.analysis.activity import ActivityIndex, CommunityActivity, activity_index, membership_count
from secgraph.analysis.compare import CommunityChanges
from secgraph.analysis.health import HealthSummary, health_on
from secgraph.analysis.key_persons import KeyPersonCandidate
from secgraph.analysis.network import Scope
from secgraph.analysis.sectors import NOT_IN_GRAPH, SectorCoverage, Suggestion
from secgraph.analysis.stage.results import CommunityStage, stages_on
from secgraph.model import geography
from secgraph.model.dates import parse_date
from secgraph.model.geography import prefecture_name
from secgraph.model.graph import GraphData, community_of
from secgraph.model.headcounts import sum_headcounts
from secgraph.model.listing import more_text
from secgraph.model.records import Community, Event, Headcount, Organisation, Person
from secgraph.model.vocabulary import (
    COMMUNITY_STATUSES,
    EVENT_TYPES,
    SECTOR_GROUP_LABELS,
    SECTORS,
    HeadcountKind,
    Sector,
    SectorGroup,
    kind_label,
    sector_group,
    sector_label,
)
from secgraph.viz import pdf
from secgraph.viz.charts import chart_table
from secgraph.viz.charts.common import COUNTED_ONLY, GROUP, GROUP_NAME, NAMED, TOTAL
from secgraph.viz.charts.common import font as chart_font
from secgraph.viz.charts.common import render as render_chart
from secgraph.viz.charts.sector_composition import GROUP_COLOURS
from secgraph.viz.fonts import CSS_FONT_STACK

NOT_RECORDED = ("記載なし", "Not recorded")
#: Rows of the 協力機関 table, in the documents' order (産学官個, finance, media), then the rest.
COMMUNITY_ROW = "community"
UNKNOWN_ROW = "unknown"
ROW_ORDER: tuple[str, ...] = (*(g.value for g in SectorGroup), COMMUNITY_ROW)
SECTOR_GROUP_CODES = frozenset(g.value for g in SectorGroup)
ROW_LABELS: dict[str, tuple[str, str]] = {
    **{g.value: (label.ja, label.en) for g, label in SECTOR_GROUP_LABELS.items()},
    COMMUNITY_ROW: ("コミュニティ", "Communities"),
    UNKNOWN_ROW: ("不明", "Unknown"),
}
#: Health indicators whose value is a change, shown with its sign.
SIGNED_INDICATORS = frozenset({"growth", "attendance_trend"})
#: Longest name or evidence line drawn before it is cut with 「…」 (names may be 500 characters).
NAME_CHARS = 48
LINE_CHARS = 110


# ---------------------------------------------------------------------------------------------- budgets


@dataclass(frozen=True)
class Budget:
    """How much of each list one page shows; the most detailed budget that fits one A4 page is used."""

    text_chars: int  # of 設立の経緯・狙い and of 取組方針, each
    names_per_group: int  # bodies named per sector group (and partners)
    events: int  # latest events listed
    suggestions: int  # organisations suggested per missing sector
    key_persons: int
    reasons: int  # reasons given per key person (and whether a suggestion's reason is)
    rule_evidence: bool  # the evidence line under each rule of the stage reached
    advice: int  # steps toward the next stage
    change_names: int  # names per line of the change table
    chart: bool  # the sector-composition chart


BUDGETS: tuple[Budget, ...] = (
    Budget(420, 6, 5, 2, 3, 1, True, 2, 4, True),
    Budget(300, 5, 4, 2, 3, 1, False, 1, 3, True),
    Budget(200, 4, 4, 1, 3, 1, False, 1, 3, False),
    Budget(120, 3, 3, 1, 2, 1, False, 1, 2, False),
    Budget(60, 2, 2, 1, 1, 0, False, 0, 1, False),
)


# ---------------------------------------------------------------------------------------------- the profile


@dataclass(frozen=True)
class Text:
    """A line in Japanese with its English beside it."""

    ja: str
    en: str


@dataclass(frozen=True)
class Body:
    """One named body (or person) of the community."""

    name: str
    sector: Text
    secretariat: bool


@dataclass
class PartnerRow:
    """One sector group of the 協力機関 table: named bodies and members known only as counts."""

    code: str
    label: Text
    bodies: list[Body] = field(default_factory=list)
    counted: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class EventRow:
    date: str
    title: str
    kind: Text
    attendees: int | None
    applicants: int | None


@dataclass(frozen=True)
class RuleRow:
    stage: int
    label: Text
    value: str
    threshold: str
    met: bool
    evidence: Text | None


@dataclass(frozen=True)
class SuggestionRow:
    name: str
    where: Text | None
    reason: Text | None


@dataclass(frozen=True)
class NeedRow:
    label: Text
    met: bool
    suggestions: list[SuggestionRow]
    #: 不明: members counted but not named may include it (``NeedCoverage.unknown``).
    unknown: bool = False


@dataclass(frozen=True)
class KeyPersonRow:
    rank: int
    name: str
    kind: Text
    sector: Text | None
    score: str
    reasons: list[Text]


@dataclass(frozen=True)
class IndicatorRow:
    code: str
    label: Text
    value: str


@dataclass(frozen=True)
class ChangeView:
    since: str
    until: str
    joined: list[str]
    left: list[str]
    events: list[str]
    stage: str
    deltas: list[tuple[Text, str]]


@dataclass
class CommunityProfile:
    """Everything one profile page shows, computed once and cut to a :class:`Budget` when drawn."""

    community_id: str
    name: str
    abbreviation: str | None
    name_en: str | None
    region: Text | None
    prefectures: list[str]
    founded: Text | None
    status: Text
    legal_form: str | None
    url: str | None
    purpose: str | None
    policy: str | None
    source: str
    as_of: str
    names_hidden: bool
    secretariat: list[str]
    partners: list[str]
    rows: list[PartnerRow]
    counted_total: list[str]
    members_named: int
    members_counted: int
    members_estimate: int
    events_held: int
    events: list[EventRow]
    stage: CommunityStage
    rules: list[RuleRow]
    advice: list[Text]
    needs: list[NeedRow]
    key_persons: list[KeyPersonRow]
    indicators: list[IndicatorRow]
    health: HealthSummary
    change: ChangeView | None
    chart_svg: bytes | None = None
    chart_note: Text | None = None  # said in words where there is no chart to draw

    @property
    def groups_present(self) -> list[Text]:
        """Sector groups with a named body or a counted member (for the comparison table)."""
        return [row.label for row in self.rows if row.code in SECTOR_GROUP_CODES and (row.bodies or row.counted)]

    @property
    def missing(self) -> list[Text]:
        return [need.label for need in self.needs if not need.met]


def prepared(data: GraphData, hide_names: bool) -> GraphData:
    """The data a document is drawn from: anonymised when names are hidden (a view with names
    hidden already is kept as it is, and its ``names_hidden`` marks the document)."""
    return visible_graph(data, Visibility.ANONYMISED) if hide_names else data


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: max(limit - 1, 1)] + "…"


def date_ja(text: str) -> str:
    """「2014年9月」 for ``2014-09`` (a date as precise as the record is); 「2023年度」 for ``FY2023``."""
    day = parse_date(text)
    if day.fiscal:
        return f"{day.year}年度"
    out = f"{day.year}年"
    if day.month is not None:
        out += f"{day.month}月"
    if day.day is not None:
        out += f"{day.day}日"
    return out


def _region_text(code: str | None) -> Text | None:
    if not code:
        return None
    region = geography.region(code)
    return Text(f"{region.name}（{region.bureau}管内）", f"{region.name_en} ({region.bureau_en})")


def _sector_text(sector: str | None) -> Text:
    if not sector:
        return Text(*ROW_LABELS[UNKNOWN_ROW])
    return Text(sector_label(sector), sector_label(sector, "en"))


def _row_of(act: CommunityActivity, body_id: str) -> str:
    node = act.index.data.nodes.get(body_id)
    if isinstance(node, Community):
        return COMMUNITY_ROW
    group = act.index.group_of(body_id)
    if group is None:
        # a person who joined on their own, with no affiliation recorded, is 個 (an individual)
        return SectorGroup.INDIVIDUAL.value if isinstance(node, Person) else UNKNOWN_ROW
    return group.value


def _body_sector(act: CommunityActivity, body_id: str) -> Text:
    node = act.index.data.nodes.get(body_id)
    if isinstance(node, Organisation):
        return _sector_text(node.sector)
    if isinstance(node, Person):
        return Text("個人", "Person")
    if isinstance(node, Community):
        return Text("コミュニティ", "Community")
    return Text(*ROW_LABELS[UNKNOWN_ROW])


def _partner_rows(act: CommunityActivity) -> tuple[list[PartnerRow], list[str]]:
    """Named members and secretariat bodies by sector group, with the latest member counts."""
    rows = {code: PartnerRow(code, Text(*ROW_LABELS[code])) for code in (*ROW_ORDER, UNKNOWN_ROW)}
    secretariat = set(act.secretariat)
    for body_id in sorted(set(act.members) | secretariat):
        if body_id == act.id:
            continue
        rows[_row_of(act, body_id)].bodies.append(
            Body(_cut(act.index.name(body_id), NAME_CHARS), _body_sector(act, body_id), body_id in secretariat)
        )
    total: list[str] = []
    for count in membership_count(act).rows:
        wording = count.label or f"{'約' if count.approximate else ''}{count.count}"
        if count.sector:
            sector = Sector(count.sector)
            rows[sector_group(sector).value].counted.append(f"{wording}（{SECTORS[sector].label.ja}）")
        elif count.group:
            rows[SectorGroup(count.group).value].counted.append(wording)
        else:
            total.append(wording)
    for row in rows.values():
        # secretariat first (as the documents list it), then by sector and name
        row.bodies.sort(key=lambda b: (not b.secretariat, b.sector.ja, b.name))
        row.counted.sort()
    return [row for row in rows.values() if row.bodies or row.counted], sorted(total)


def _event_count(act: CommunityActivity, event: Event, kind: HeadcountKind) -> int | None:
    """An event's attendees or applicants: its own field, else the total of its latest counts."""
    own = event.attendees if kind == HeadcountKind.ATTENDEES else event.applicants
    if own is not None:
        return own
    counts = [
        n
        for n in act.index.data.nodes.values()
        if isinstance(n, Headcount) and n.subject_id == event.id and n.count_kind == kind
    ]
    if not counts:
        return None
    latest = max(parse_date(h.as_of).first_day() for h in counts)
    rows = [h for h in counts if parse_date(h.as_of).first_day() == latest]
    summed = sum_headcounts(rows)
    return summed.count if summed else None


def _event_rows(act: CommunityActivity) -> list[EventRow]:
    """Held events of the community, latest first."""
    rows = []
    for event in sorted(act.events, key=lambda e: (parse_date(e.start).first_day(), e.id), reverse=True):
        label = EVENT_TYPES[event.event_type]  # type: ignore[index]
        rows.append(
            EventRow(
                date=event.start,
                title=_cut(event.title, NAME_CHARS),
                kind=Text(label.ja, label.en),
                attendees=_event_count(act, event, HeadcountKind.ATTENDEES),
                applicants=_event_count(act, event, HeadcountKind.APPLICANTS),
            )
        )
    return rows


def _number(value: float) -> str:
    """3 for 3.0, 0.5 for 0.5, 134.6 for 134.6: no trailing zeros."""
    return str(int(value)) if float(value).is_integer() else f"{value:.2f}".rstrip("0").rstrip(".")


def _short(text: str, separator: str) -> str:
    """The rule's name: its text up to the colon that starts the definition."""
    return text.split(separator, 1)[0].strip()


def _rule_rows(stage: CommunityStage) -> list[RuleRow]:
    rows = []
    for rule in stage.rules:
        first = rule.evidence[0] if rule.evidence else None
        rows.append(
            RuleRow(
                stage=rule.stage,
                label=Text(_short(rule.ja, "："), _short(rule.en, ":")),
                value=_number(rule.value),
                threshold=_number(rule.threshold),
                met=rule.met,
                evidence=Text(_cut(first.ja, LINE_CHARS), _cut(first.en, LINE_CHARS)) if first else None,
            )
        )
    return rows


def _prefecture_names(code: str | None) -> Text | None:
    if not code:
        return None
    return Text(prefecture_name(code), prefecture_name(code, "en"))


def _need_rows(coverage: SectorCoverage) -> list[NeedRow]:
    return [
        NeedRow(Text(n.ja, n.en), n.met, [_suggestion(s) for s in n.suggestions], n.unknown) for n in coverage.needs
    ]


def _suggestion(suggestion: Suggestion) -> SuggestionRow:
    # the first reason that is a fact about the organisation (nearness, ties), not the scoring rule
    reason = next((r for r in suggestion.reasons if r.kind != "rule"), None)
    # A body from the directory keeps its mark however long its name: it is not in the graph yet.
    mark = "" if suggestion.in_graph else f"（{NOT_IN_GRAPH[0]}）"
    return SuggestionRow(
        name=_cut(suggestion.name, NAME_CHARS) + mark,
        where=_prefecture_names(suggestion.prefecture),
        reason=Text(_cut(reason.ja, LINE_CHARS), _cut(reason.en, LINE_CHARS)) if reason else None,
    )


def _key_person_rows(candidates: list[KeyPersonCandidate]) -> list[KeyPersonRow]:
    rows = []
    for c in candidates:
        # the first item restates the score; the reasons are the measures after it
        reasons = [Text(_cut(e.ja, LINE_CHARS), _cut(e.en, LINE_CHARS)) for e in c.evidence if e.kind != "rule"]
        rows.append(
            KeyPersonRow(
                rank=c.rank,
                name=_cut(c.name, NAME_CHARS),
                kind=Text(kind_label(c.kind), kind_label(c.kind, "en")),
                sector=_sector_text(c.sector) if c.sector else None,
                score=f"{c.score:.2f}",
                reasons=reasons,
            )
        )
    return rows


def indicator_text(value: float | None, unit_en: str, signed: bool = False) -> str:
    """An indicator's value as the table shows it: shares in per cent, indices to two places."""
    if value is None:
        return "—"
    sign = "+" if signed and value > 0 else ""
    if unit_en == "share":
        return f"{sign}{value * 100:.0f}%"
    if unit_en == "index":
        return f"{sign}{value:.2f}"
    return f"{sign}{_number(round(value, 1))}"


def _indicator_rows(health: HealthSummary) -> list[IndicatorRow]:
    return [
        IndicatorRow(
            i.code,
            Text(i.ja, i.en),
            indicator_text(i.value, i.unit_en, i.code in SIGNED_INDICATORS)
            + (f" {i.unit_ja}" if i.value is not None and i.unit_en not in ("share", "index") else ""),
        )
        for i in health.indicators
    ]


def _change_view(changes: CommunityChanges, since: dt.date, until: dt.date, units: dict[str, str]) -> ChangeView:
    def stage_text(value: int | None) -> str:
        return "—" if value is None else str(value)

    deltas = [
        (
            Text(d.ja, d.en),
            f"{indicator_text(d.earlier, units[d.code])} → {indicator_text(d.later, units[d.code])}",
        )
        for d in changes.health
        if d.earlier != d.later
    ]
    return ChangeView(
        since=since.isoformat(),
        until=until.isoformat(),
        joined=[_cut(m.name, NAME_CHARS) for m in changes.joined],
        left=[_cut(m.name, NAME_CHARS) for m in changes.left],
        events=[f"{e.start} {_cut(e.title, NAME_CHARS)}" for e in changes.events],
        stage=f"{stage_text(changes.stage.earlier)} → {stage_text(changes.stage.later)}",
        deltas=deltas,
    )


#: The profile's chart is drawn at the size it is printed: one of the page's two columns wide.
CHART_WIDTH_IN = 94.0 / 25.4


def _sector_chart(data: GraphData, scope: Scope) -> bytes | None:
    """The community's members by sector group (the numbers of the sector-composition chart), as a
    small SVG drawn at its printed size so that its text is 7 pt on paper; None when no member is
    recorded (the page says so in words instead of an empty chart)."""
    table = chart_table("sector-composition", data, scope)
    if table.empty or not table[TOTAL].sum():
        return None
    groups = [
        (str(r[GROUP]), str(r[GROUP_NAME]), int(r[NAMED]), int(r[COUNTED_ONLY])) for r in table.to_dict("records")
    ][::-1]  # the first group on top

    def draw(figure: Figure) -> None:
        axes = figure.add_subplot()
        for y, (group, _, named, counted) in enumerate(groups):
            colour = GROUP_COLOURS.get(group, "#999999")
            axes.barh(y, named, color=colour, height=0.7)
            axes.barh(y, counted, left=named, color=colour, alpha=0.55, hatch="////", edgecolor="white", height=0.7)
            axes.text(named + counted, y, f" {named + counted}", fontproperties=chart_font(7), va="center")
        axes.set_yticks(range(len(groups)), [g[1] for g in groups], fontproperties=chart_font(7))
        axes.tick_params(axis="x", labelsize=7, length=2)
        axes.margins(x=0.15)
        axes.spines[["top", "right"]].set_visible(False)
        label = "構成員数（斜線: 人数のみの記録）\nMembers (hatched: counted only)"
        axes.set_xlabel(label, fontproperties=chart_font(7))

    return render_chart("svg", (CHART_WIDTH_IN, 0.75 + 0.16 * len(groups)), draw)


def build_profile(
    data: GraphData,
    community_id: str,
    *,
    as_of: dt.date | None = None,
    since: dt.date | None = None,
    names_hidden: bool = False,
    index: ActivityIndex | None = None,
) -> CommunityProfile:
    """The profile of one community from ``data`` as given (already anonymised when names are hidden).

    Raises ``KeyError`` when the community is not in the data (or not founded by ``as_of``) and
    ``ValueError`` when ``since`` is not before the date judged on.
    """
    community_of(data, community_id)
    index = index or activity_index(data, as_of)
    if not isinstance(index.data.nodes.get(community_id), Community):
        raise KeyError(
            f"community '{community_id}' was not founded by {index.reference_date} "
            f"/ コミュニティ「{community_id}」は{index.reference_date}時点で設立されていません"
        )
    scope = Scope(community=community_id, as_of=as_of)
    act = index.activity(community_id)
    node = act.community
    stage = stages_on(index, scope).community(community_id)
    health = health_on(index, scope).communities[0]
    coverage = missing_sectors(data, scope, suggestions_per_sector=3).communities[0]
    candidates = key_person_candidates(data, scope, limit=5).candidates
    change = None
    if since is not None:
        until = index.reference_date
        if since >= until:
            raise ValueError(
                f"since {since} must be before {until} / 比較の起点 {since} は基準日 {until} より前にしてください"
            )
        changed = changes_between(data, since, until, Scope(community=community_id))
        units = {i.code: i.unit_en for i in health.indicators}
        change = _change_view(changed.communities[0], since, until, units)
    rows, total = _partner_rows(act)
    count = membership_count(act)
    status = COMMUNITY_STATUSES[node.status]  # type: ignore[index]
    sector_chart = _sector_chart(data, scope) if rows else None
    return CommunityProfile(
        community_id=community_id,
        name=node.name,
        abbreviation=node.abbreviation,
        name_en=node.name_en,
        region=_region_text(node.region),
        prefectures=[geography.prefecture(code).name for code in node.prefectures],
        founded=Text(date_ja(node.founded), node.founded) if node.founded else None,
        status=Text(status.ja, status.en),
        legal_form=node.legal_form,
        url=node.url,
        purpose=node.purpose,
        policy=node.policy,
        source=node.source,
        as_of=index.reference_date.isoformat(),
        names_hidden=names_hidden,
        secretariat=[_cut(act.index.name(b), NAME_CHARS) for b in act.secretariat],
        partners=[_cut(act.index.name(p), NAME_CHARS) for p in act.partners],
        rows=rows,
        counted_total=total,
        members_named=count.named,
        members_counted=count.counted,
        members_estimate=count.estimate,
        events_held=len(act.events),
        events=_event_rows(act),
        stage=stage,
        rules=_rule_rows(stage),
        advice=[Text(_cut(a.ja, LINE_CHARS), _cut(a.en, LINE_CHARS)) for a in stage.advice],
        needs=_need_rows(coverage),
        key_persons=_key_person_rows(candidates),
        indicators=_indicator_rows(health),
        health=health,
        change=change,
        # a chart of no members would be an empty axis: drawn only when there is something to show
        chart_svg=sector_chart,
        chart_note=None if sector_chart else Text("構成員の記録がありません", "No members recorded"),
    )


# ---------------------------------------------------------------------------------------------- drawing


@cache
def environment() -> Environment:
    """The documents' Jinja2 environment: every value autoescaped, an undefined name an error."""
    env = Environment(
        loader=PackageLoader("secgraph.viz", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.globals.update(
        font_stack=Markup(CSS_FONT_STACK),  # our constant, inside <style>: must not be entity-escaped
        not_recorded=NOT_RECORDED,
        cut=_cut,
        svg_data_uri=svg_data_uri,
        more_text=more_text,
    )
    return env


def svg_data_uri(svg: bytes) -> str:
    """An SVG as an ``<img>`` source: drawn as an image, so nothing in it can act as markup or script."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")


def profile_html(profile: CommunityProfile, budget: Budget = BUDGETS[0]) -> str:
    """The profile drawn with ``budget``, as one self-contained HTML page."""
    return environment().get_template("profile.html.j2").render(p=profile, b=budget)


def fitted_profile(profile: CommunityProfile) -> tuple[str, Document]:
    """The most detailed drawing of the profile that prints on one A4 page, and its layout.

    Most communities fit with every detail, so that is tried first; otherwise the leaner budgets
    are searched by halving (less detail never takes more room, and a layout costs about a second).
    If even the leanest overflows (an extreme record), it is printed as it is: text is never clipped.
    """

    def attempt(budget: Budget) -> tuple[str, Document]:
        page = profile_html(profile, budget)
        return page, pdf.render(page)

    found = attempt(BUDGETS[0])
    if len(found[1].pages) == 1:
        return found
    low, high = 1, len(BUDGETS) - 1
    fitting: tuple[str, Document] | None = None
    while low <= high:
        middle = (low + high) // 2
        tried = attempt(BUDGETS[middle])
        if len(tried[1].pages) == 1:
            fitting, high = tried, middle - 1
        else:
            low = middle + 1
    return fitting or attempt(BUDGETS[-1])


def community_profile(
    data: GraphData,
    community_id: str,
    *,
    as_of: dt.date | None = None,
    since: dt.date | None = None,
    hide_names: bool = False,
) -> CommunityProfile:
    """The profile of ``community_id``, from anonymised data when ``hide_names``."""
    shown = prepared(data, hide_names)
    return build_profile(shown, community_id, as_of=as_of, since=since, names_hidden=shown.names_hidden)


def community_profile_html(
    data: GraphData,
    community_id: str,
    *,
    as_of: dt.date | None = None,
    since: dt.date | None = None,
    hide_names: bool = False,
) -> str:
    """The one-page profile of a community as a self-contained HTML page (prints on one A4 page).

    ``as_of``: the network as it stood on that date (default: the latest date in the data);
    ``since``: also show what changed from that date; ``hide_names``: people by role and affiliation.
    Raises ``KeyError`` for an unknown community, ``ValueError`` for ``since`` not before ``as_of``.
    """
    profile = community_profile(data, community_id, as_of=as_of, since=since, hide_names=hide_names)
    return fitted_profile(profile)[0]


def community_profile_pdf(
    data: GraphData,
    community_id: str,
    *,
    as_of: dt.date | None = None,
    since: dt.date | None = None,
    hide_names: bool = False,
) -> bytes:
    """The same page as :func:`community_profile_html`, printed to a one-page A4 PDF."""
    profile = community_profile(data, community_id, as_of=as_of, since=since, hide_names=hide_names)
    return pdf.write_pdf([fitted_profile(profile)[1]])


__all__ = [
    "BUDGETS",
    "Budget",
    "CommunityProfile",
    "build_profile",
    "community_profile",
    "community_profile_html",
    "community_profile_pdf",
    "fitted_profile",
    "prepared",
    "profile_html",
]
