"""Matching Japanese organisation names across the spellings the documents use.

The same body appears as 「株式会社○○」「○○株式会社」「(株)○○」「○○㈱」, in full-width or half-width
letters, with or without spaces, with or without its legal-form prefix (一般社団法人, 独立行政法人 …).
``name_key`` folds all of these to one key, so 「トレンドマイクロ株式会社」 and 「トレンドマイクロ」 match;
distinct spellings that folding cannot reach (IPA / 情報処理推進機構) are matched through aliases.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

#: Legal forms that may stand before or after a name without changing which body it is.
LEGAL_FORMS: tuple[str, ...] = (
    "株式会社", "有限会社", "合同会社", "合資会社", "合名会社",
    "一般社団法人", "公益社団法人", "一般財団法人", "公益財団法人",
    "特定非営利活動法人", "認定特定非営利活動法人", "NPO法人",
    "独立行政法人", "国立研究開発法人", "地方独立行政法人",
    "国立大学法人", "公立大学法人", "学校法人", "社会福祉法人", "医療法人",
    "協同組合", "事業協同組合",
)  # fmt: skip

_ABBREVIATED_FORMS = ("(株)", "(有)", "(同)", "(一社)", "(公社)", "(一財)", "(公財)", "(特非)", "(独)")
_DASHES = re.compile(r"[‐‑‒–—―−ｰ－ー-]")
_SPACES_AND_DOTS = re.compile(r"[\s・･·.,、，。'\"「」『』]")
_BRACKETS = re.compile(r"[()（）［］\[\]【】〈〉<>]")


def normalise_text(text: str) -> str:
    """NFKC (full-width → half-width letters, ㈱ → (株)), trimmed, single spaces.

    Text that is not Unicode text is refused with ``ValueError``: a lone surrogate (JSON's
    ``"\\ud800"``, the only thing a Python string may hold that UTF-8 cannot) could be written by no
    store, file or answer.
    """
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        where, code = error.start + 1, printable(text[error.start])
        raise ValueError(
            f"character {where} ({code}) is a lone surrogate, not text "
            f"/ {where}文字目（{code}）は対のないサロゲートで、文字ではありません"
        ) from None
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text)).strip()


def printable(text: str) -> str:
    """``text`` as it may be shown in a message: a lone surrogate written as its escape (``\\ud800``)."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def name_key(name: str) -> str:
    """The key two spellings of one organisation's name share.

    >>> name_key("株式会社 トレンドマイクロ") == name_key("トレンドマイクロ(株)") == name_key("トレンドマイクロ")
    True
    """
    text = normalise_text(name)
    for form in _ABBREVIATED_FORMS:
        text = text.replace(form, "")
    # Legal forms are removed wherever they stand, longest first so 認定特定非営利活動法人 goes whole.
    for form in sorted(LEGAL_FORMS, key=len, reverse=True):
        text = text.replace(form, "")
    text = _BRACKETS.sub("", text)
    text = _DASHES.sub("-", text)
    text = _SPACES_AND_DOTS.sub("", text)
    return text.casefold()


#: The fields a record is known by: its name, abbreviation and other names.
NAME_FIELDS: tuple[str, ...] = ("name", "abbreviation", "aliases")
#: Shorter keys are dropped: a one-letter name would join unrelated bodies.
MIN_KEY_LENGTH = 2


def name_keys(names: Iterable[str | None]) -> set[str]:
    """The ``name_key`` of each name, leaving out empty names and keys shorter than ``MIN_KEY_LENGTH``."""
    return {key for key in (name_key(n) for n in names if n) if len(key) >= MIN_KEY_LENGTH}


def record_name_keys(record: object) -> set[str]:
    """The keys a record (organisation, community, person …) is known by: those of its ``NAME_FIELDS``.

    Two records that share a key are taken to be the same body; this is the project's one rule for it.
    """
    texts: list[str] = []
    for field_name in NAME_FIELDS:
        value = getattr(record, field_name, None)
        texts.extend(value if isinstance(value, list) else [value] if value else [])
    return name_keys(texts)
