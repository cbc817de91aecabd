"""What the fields of the analysis results mean, in Japanese and English, in one place.

The same field names recur across results (``evidence``, ``score``, ``communities``…); describing
each once here keeps the API's documentation complete and consistent. Every result model derives
from :class:`ResultModel`, which gives each of its fields without a bilingual description its entry
from this glossary.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel

FIELDS: dict[str, tuple[str, str]] = {
    "actor_id": ("団体・個人のID", "Id of the actor"),
    "actors": ("対象の団体・個人（コミュニティを含む）", "Actors in scope (organisations, people, communities)"),
    "advice": ("次にすべきこと", "What to do next"),
    "area": ("地域", "Area"),
    "areas": ("地域ごとの結果", "Results per area"),
    "as_of": ("基準日", "Date the network is taken as of"),
    "attendees": ("参加者数", "Attendees"),
    "best_communities": ("最も進んだコミュニティ", "Communities at the best stage"),
    "best_stage": ("地域内で最も進んだ段階", "Best stage in the area"),
    "brokers": ("仲介者", "Brokers"),
    "by": ("グループの種類", "What the groups are"),
    "candidates": ("候補", "Candidates"),
    "change": ("変化", "Change"),
    "changed": ("変化したか", "Whether it changed"),
    "code": ("コード", "Code"),
    "communities": ("コミュニティ", "Communities"),
    "community_id": ("コミュニティのID", "Community id"),
    "cut_off_count": ("切り離される団体・個人の数", "How many actors would be cut off"),
    "dependence": ("離脱時の分断リスク", "Fragmentation if this actor left"),
    "detached_parts": ("他とつながっていない部分", "Parts not linked to the rest"),
    "distribution": ("段階ごとのコミュニティ数", "Communities per stage"),
    "dormant_months": ("休眠とみなす月数", "Months without activity that count as dormant"),
    "earlier": ("前回の日付", "Earlier date"),
    "earlier_met": ("前回満たしていたか", "Met on the earlier date"),
    "earlier_value": ("前回の値", "Value on the earlier date"),
    "en": ("英語の説明", "Explanation in English"),
    "event_id": ("イベントのID", "Event id"),
    "events": ("イベント", "Events"),
    "evidence": ("根拠", "Evidence"),
    "first_observed": ("初回確認（加入日の記録なし）", "First observed on a list (no join date recorded)"),
    "gaps": ("欠けているもの", "What is missing"),
    "gaps_en": ("記録の不足（英語）", "Gaps of the record, in English"),
    "gaps_ja": ("記録の不足（前の段階の満たされないルール）", "Gaps of the record (earlier stages), in Japanese"),
    "group_a": ("グループA", "Group A"),
    "group_b": ("グループB", "Group B"),
    "health": ("健全性指標", "Health indicators"),
    "id": ("識別子", "Id"),
    "indicators": ("指標", "Indicators"),
    "ja": ("日本語の説明", "Explanation in Japanese"),
    "joined": ("加わったもの", "Joined"),
    "kind": ("種類", "Kind"),
    "later": ("今回の日付", "Later date"),
    "later_met": ("今回満たしているか", "Met on the later date"),
    "later_value": ("今回の値", "Value on the later date"),
    "left": ("離れたもの", "Left"),
    "linked_in_same_region": ("同じ地域内でのつながり", "Links within the same region"),
    "measure": ("測る量", "What is measured"),
    "met": ("満たしているか・満たしている項目", "Met, or the needs that are met"),
    "meti_region": ("経済産業局の管轄", "METI bureau area"),
    "mic_region": ("総合通信局の管轄", "MIC telecom-bureau area"),
    "missing": ("欠けている項目", "What is missing"),
    "missing_en": ("次の段階に足りないもの（英語）", "What the next stage lacks, in English"),
    "missing_ja": ("次の段階に足りないもの", "What the next stage lacks, in Japanese"),
    "name": ("名称", "Name"),
    "name_en": ("英語名", "English name"),
    "nearest_ties": ("つなぐことのできる近いつながり", "Nearest ties that could connect it"),
    "needs": ("必要なセクターごとの充足", "Coverage per required sector"),
    "next_stage": ("次の段階", "Next stage"),
    "organisation_id": ("団体のID", "Organisation id"),
    "params": ("ルールのパラメータ", "Rule parameters"),
    "period_end": ("期間の終了", "Period end"),
    "period_start": ("期間の開始", "Period start"),
    "prefecture": ("都道府県", "Prefecture"),
    "prefecture_brokerage": ("都道府県間の仲介", "Brokerage between prefectures"),
    "prefectures": ("都道府県", "Prefectures"),
    "prefectures_cut_off_entirely": ("丸ごと切り離される都道府県", "Prefectures cut off entirely"),
    "prefectures_without_community": ("コミュニティのない都道府県", "Prefectures without a community"),
    "proximity": ("近さ", "Nearness"),
    "rank": ("順位", "Rank"),
    "reasons": ("理由", "Reasons"),
    "recorded": ("記録があるか（なければ「記録なし」）", "Whether anything is recorded (if not: no evidence recorded)"),
    "region_kind": ("地域区分（総合通信局・経済産業局）", "Kind of region (MIC or METI)"),
    "regions": ("地域", "Regions"),
    "role": ("役割", "Role"),
    "rule_id": ("ルールID", "Rule id"),
    "rules": ("ルールごとの判定", "Result per rule"),
    "rules_title_en": ("ルール集の英語名", "Title of the rules in English"),
    "rules_title_ja": ("ルール集の日本語名", "Title of the rules in Japanese"),
    "scope": ("対象範囲", "Scope"),
    "score": ("得点", "Score"),
    "score_components": ("得点の内訳", "Components of the score"),
    "sector": ("セクター", "Sector"),
    "sector_brokerage": ("セクター間の仲介", "Brokerage between sectors"),
    "sectors": ("セクター", "Sectors"),
    "series_id": ("シリーズのID", "Series id"),
    "shared_communities": ("共通のコミュニティ", "Communities in common"),
    "shared_events": ("共通のイベント", "Events in common"),
    "single_bridges": ("一つの橋だけでつながる部分", "Parts hanging on a single bridge"),
    "size": ("規模", "Size"),
    "stage": ("段階", "Stage"),
    "stage_en": ("段階の英語名", "Stage in English"),
    "stage_ja": ("段階の日本語名", "Stage in Japanese"),
    "start": ("開始", "Start"),
    "status": ("状態", "Status"),
    "subject_id": ("対象のID", "Id of the subject"),
    "suggestions": ("声をかける候補", "Organisations to approach"),
    "summary_en": ("段階と記録の不足（英語）", "Stage with the gaps of its record, in English"),
    "summary_ja": ("段階と記録の不足", "Stage with the gaps of its record, in Japanese"),
    "threshold": ("基準値", "Threshold"),
    "ties": ("つながり", "Ties"),
    "title": ("名称", "Title"),
    "typical_stage": ("地域の典型的な段階", "Typical stage in the area"),
    "unit_en": ("単位（英語）", "Unit in English"),
    "unit_ja": ("単位（日本語）", "Unit in Japanese"),
    "unlinked_communities": ("横連携のないコミュニティ", "Communities with no link to another region"),
    "value": ("値", "Value"),
}

_JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


def _is_bilingual(text: str | None) -> bool:
    return bool(text and _JAPANESE.search(text) and re.search(r"[A-Za-z]{2,}", text))


class ResultModel(BaseModel):
    """An analysis result, or a part of one, documented from the glossary: every field without a
    Japanese and English description gets its entry from :data:`FIELDS` (a description already
    given in one language is kept after it), so the API documents every result the same way."""

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        described = False
        for name, field in cls.model_fields.items():
            if not _is_bilingual(field.description) and name in FIELDS:
                ja, en = FIELDS[name]
                field.description = f"{ja} / {en}" + (f" — {field.description}" if field.description else "")
                described = True
        if described:
            # pydantic builds the schema before this hook runs: built again with the descriptions.
            cls.model_rebuild(force=True, raise_errors=False)
