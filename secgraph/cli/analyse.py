"""``secgraph analyse``: run an analysis of the registry (``secgraph.analysis.registry``) and print
its table, or its whole result as JSON. Each analysis's own parameters become options, from the
registry; the same options serve ``secgraph export table``."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import typing
from collections.abc import Callable
from typing import Any

from secgraph.cli.common import (
    DATE_FORMS,
    EXIT_OK,
    EXIT_REFUSED,
    _,
    add_command,
    day_option,
    format_table,
    language,
    open_service,
)

#: The options naming a place: (flag, help in Japanese, help in English).
PLACE_OPTIONS: tuple[tuple[str, str, str], ...] = (
    ("--community", "コミュニティID", "community id"),
    ("--region", "地域（mic-kinki, 近畿）", "region (mic-kinki, 近畿)"),
    ("--prefecture", "都道府県（27, 大阪府）", "prefecture (27, 大阪府)"),
)


def add_scope_options(parser: argparse.ArgumentParser) -> None:
    """``--community``, ``--region``, ``--prefecture`` and ``--as-of``."""
    for flag, help_ja, help_en in PLACE_OPTIONS:
        parser.add_argument(flag, help=_(help_ja, help_en))
    parser.add_argument("--as-of", type=day_option(), help=_("基準日", "as of date") + _(*DATE_FORMS))


def _analysis_options() -> dict[str, tuple[Any, list[str]]]:
    """Every analysis's own parameters, as options: name → (its field, the analyses that take it)."""
    from secgraph.analysis.registry import ANALYSES

    options: dict[str, tuple[Any, list[str]]] = {}
    for analysis in ANALYSES.values():
        for name in analysis.own_parameters:
            field, slugs = options.setdefault(name, (analysis.parameters.model_fields[name], []))
            slugs.append(analysis.slug)
    return options


def _flag(name: str) -> str:
    return "--" + name.replace("_", "-")


def add_analysis_options(parser: argparse.ArgumentParser) -> None:
    """The options of every analysis's own parameters (``--limit``, ``--earlier`` …), from the registry;
    each says which analyses take it. A parameter holding several values is repeated (``--need``)."""
    for name, (field, slugs) in _analysis_options().items():
        kinds = (field.annotation, *typing.get_args(field.annotation))  # ``X | None`` is (X | None, X, None)
        several = any(typing.get_origin(kind) is tuple for kind in kinds)
        if field.annotation is bool:
            # a switch: ``--local-only`` alone is true, ``--include-inferred false`` turns a default off
            # (the value is read by the parameter model); absent, the analysis's default
            described = f"{field.description} ({', '.join(slugs)})"
            parser.add_argument(_flag(name), dest=name, nargs="?", const=True, metavar="true|false", help=described)
            continue
        if dt.date in kinds:
            # where a span begins (``--period-start``), a month or a year stands for its first day
            reader = day_option(first=name.endswith("_start"))
            described = f"{field.description}{_(*DATE_FORMS)} ({', '.join(slugs)})"
            parser.add_argument(_flag(name), dest=name, type=reader, help=described)
            continue
        parser.add_argument(
            _flag(name),
            dest=name,
            action="append" if several else "store",
            help=f"{field.description} ({', '.join(slugs)})" + (_("（複数可）", " (repeatable)") if several else ""),
        )


def _analysis_parameters(args: argparse.Namespace) -> tuple[Any, Any]:
    """The analysis the arguments name and its parameters, validated by the registry's model; a
    ``ValueError`` naming each option that is missing, wrong or not taken by this analysis."""
    from pydantic import ValidationError

    from secgraph.analysis.registry import ANALYSES, SCOPE_FIELDS

    analysis = ANALYSES[args.analysis]
    names = (*SCOPE_FIELDS, *_analysis_options())
    given = {name: value for name in names if (value := getattr(args, name, None)) is not None}
    try:
        return analysis, analysis.parameters_of(**given)
    except ValidationError as error:
        problems = []
        for item in error.errors():
            flag = _flag(str(item["loc"][0])) if item["loc"] else ""
            if item["type"] == "extra_forbidden":
                problems.append(_(f"{analysis.slug} は {flag} を使いません", f"{analysis.slug} does not take {flag}"))
            elif item["type"] == "missing":
                problems.append(_(f"{analysis.slug} には {flag} が必要です", f"{analysis.slug} needs {flag}"))
            else:
                reason = str(item["msg"]).removeprefix("Value error, ")
                problems.append(f"{flag}: {reason}" if flag else reason)
        raise ValueError("; ".join(problems)) from None


def analysis_slugs() -> list[str]:
    from secgraph.analysis.registry import ANALYSES

    return list(ANALYSES)


def analysis_titles() -> tuple[str, str]:
    from secgraph.analysis.registry import ANALYSES

    titles = [a.title for a in ANALYSES.values()]
    return "分析（" + "・".join(t.ja for t in titles) + "）", "analyses: " + "; ".join(t.en for t in titles)


def run_analysis(args: argparse.Namespace, data: Any) -> Any:
    analysis, parameters = _analysis_parameters(args)
    return analysis.run(data, parameters)


def _text(item: Any, position: int = 0) -> str:
    """A result item's evidence (or reason) at ``position`` — or its last one — in the chosen language."""
    for field in ("evidence", "reasons"):
        found = getattr(item, field, None)
        if found:
            chosen = found[min(position, len(found) - 1)]
            return chosen.ja if language() == "ja" else chosen.en
    return ""


Rows = tuple[list[str], list[list[str]]]


def _kind(kind: str) -> str:
    from secgraph.model.vocabulary import kind_label

    return kind_label(kind, language())


def _key_person_rows(result: Any) -> Rows:
    headers = [_("順位", "rank"), _("名称", "name"), _("種類", "kind"), _("得点", "score"), _("理由", "why")]
    # The first piece of evidence states the score; the next says why it is high.
    return headers, [[str(c.rank), c.name, _kind(c.kind), f"{c.score:.3f}", _text(c, 1)] for c in result.candidates]


def _broker_rows(result: Any) -> Rows:
    headers = [_("順位", "rank"), _("名称", "name"), _("種類", "kind"), _("割合", "share"), _("根拠", "evidence")]
    return headers, [[str(b.rank), b.name, _kind(b.kind), f"{b.share:.3f}", _text(b)] for b in result.brokers]


def _isolated_rows(result: Any) -> Rows:
    from secgraph.analysis.regions.findings import GAP_LABELS

    headers = [_("都道府県", "prefecture"), _("欠けているもの", "gaps"), _("根拠", "evidence")]
    gaps = (
        (lambda p: "、".join(GAP_LABELS[g][0] for g in p.gaps))
        if language() == "ja"
        else (lambda p: "; ".join(GAP_LABELS[g][1] for g in p.gaps))
    )
    rows = [[p.name if language() == "ja" else p.name_en, gaps(p), _text(p)] for p in result.prefectures]
    rows += [[_("【橋】", "[bridge] ") + b.name, str(b.cut_off_count), _text(b)] for b in result.single_bridges]
    return headers, rows


def _missing_rows(result: Any) -> Rows:
    headers = [
        _("コミュニティ", "community"),
        _("不足", "missing"),
        _("不明（人数のみの構成員）", "unknown (counted, not named)"),
        _("最初の候補", "first suggestion"),
    ]
    ja = language() == "ja"
    comma = "、" if ja else ", "
    rows = []
    for coverage in result.communities:
        name = {n.code: n.ja if ja else n.en for n in coverage.needs}
        missing = comma.join(name[c] for c in coverage.missing) or "—"
        unknown = comma.join(name[c] for c in coverage.unknown) or "—"
        firsts = [f"{name[n.code]}: {n.suggestions[0].label(language())}" for n in coverage.needs if n.suggestions]
        rows.append([coverage.name, missing, unknown, _("；", "; ").join(firsts)])
    return headers, rows


def _stage_rows(result: Any) -> Rows:
    headers = [
        _("コミュニティ", "community"),
        _("段階", "stage"),
        _("ただし記録の不足（前の段階）", "but the record lacks (earlier stages)"),
        _("次の段階に足りないもの", "missing for next"),
    ]
    if language() == "ja":
        return headers, [
            [c.name, c.stage_ja, "、".join(c.gaps_ja), "、".join(c.missing_ja)] for c in result.communities
        ]
    return headers, [[c.name, c.stage_en, "; ".join(c.gaps_en), "; ".join(c.missing_en)] for c in result.communities]


def _health_rows(result: Any) -> Rows:
    first = result.communities[0].indicators if result.communities else []
    names = [i.ja if language() == "ja" else i.en for i in first]
    return [_("コミュニティ", "community"), *names], [
        [h.name, *(str(i.value) if i.value is not None else "—" for i in h.indicators)] for h in result.communities
    ]


#: How a community stands between the two dates of ``changes``.
_CHANGE_STATUS: dict[str, tuple[str, str]] = {
    "new": ("新規", "new"),
    "existing": ("継続", "existing"),
    "gone": ("消滅", "gone"),
}


def _change_rows(result: Any) -> Rows:
    headers = [
        _("コミュニティ", "community"),
        _("状態", "status"),
        _("加入", "joined"),
        _("初回確認", "first observed"),
        _("離脱", "left"),
        _("段階", "stage"),
    ]
    return headers, [
        [
            c.name,
            _CHANGE_STATUS[c.status][0 if language() == "ja" else 1],
            str(len(c.joined)),
            str(len(c.first_observed)),
            str(len(c.left)),
            f"{c.stage.earlier} → {c.stage.later}" if getattr(c, "stage", None) else "",
        ]
        for c in result.communities
    ]


#: The terminal table of each analysis of the registry, by slug (a test checks every one has one).
ANALYSIS_ROWS: dict[str, Callable[[Any], Rows]] = {
    "key-persons": _key_person_rows,
    "brokers-between": _broker_rows,
    "isolated-regions": _isolated_rows,
    "missing-sectors": _missing_rows,
    "stage": _stage_rows,
    "health": _health_rows,
    "changes": _change_rows,
}


def _cmd_analyse(args: argparse.Namespace) -> int:
    service, principal = open_service(args.hide_names)
    try:
        data = service.view_for(principal).data
        try:
            result = run_analysis(args, data)
        except (KeyError, ValueError) as error:
            print(_("エラー: ", "error: ") + str(error.args[0] if error.args else error), file=sys.stderr)
            return EXIT_REFUSED
    finally:
        service.holder.close()
    if args.json:
        print(result.model_dump_json(indent=2))
        return EXIT_OK
    headers, rows = ANALYSIS_ROWS[args.analysis](result)
    print(format_table(headers, rows) if rows else _("該当なし", "nothing found"))
    return EXIT_OK


def add_commands(commands: Any) -> None:
    analyse_parser = add_command(
        commands,
        "analyse",
        _cmd_analyse,
        analysis_titles(),
        (
            "分析を実行して表で表示します（--json で全項目と根拠）。--community/--region/--prefecture で範囲を、"
            "--as-of でその日時点のネットワークを指定します。",
            "Runs an analysis and prints a table (--json for every field and its evidence). Scope it with "
            "--community, --region or --prefecture, and --as-of for the network as it stood on a date.",
        ),
    )
    analyse_parser.add_argument("analysis", choices=analysis_slugs(), help=_("分析の種類", "which analysis"))
    add_scope_options(analyse_parser)
    add_analysis_options(analyse_parser)
    analyse_parser.add_argument("--json", action="store_true", help=_("JSONで出力", "print JSON"))
    analyse_parser.add_argument(
        "--hide-names",
        action="store_true",
        help=_("閲覧者と同じ表示（人物は役割と所属だけ）", "what a viewer sees: people by role and affiliation"),
    )
