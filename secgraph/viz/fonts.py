"""日本語フォント / The Japanese font every static figure and PDF is drawn with.

matplotlib's default family (DejaVu Sans) has no Japanese glyphs, and networkx' drawing functions
pass their own ``font_family`` to matplotlib, overriding any rcParams default. So the font is found
once, here, and handed explicitly to every drawing call as a :class:`FontProperties` built from the
file itself (not a family name a fontconfig or matplotlib cache might resolve differently).

The font is Noto Sans CJK JP from Debian's ``fonts-noto-cjk``, which ``run.sh`` installs; IPAex
Gothic and Takao are accepted where an office machine has those instead. ``SECGRAPH_CJK_FONT``
names a file to use in place of the search.
"""

from __future__ import annotations

import io
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any, Literal

import matplotlib
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties

#: Where Debian (and most Linux distributions) put Japanese fonts, best first.
CANDIDATES: tuple[str, ...] = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJKjp-Regular.otf",
    "/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf",
    "/usr/share/fonts/truetype/fonts-japanese-gothic.ttf",
    "/usr/share/fonts/truetype/takao-gothic/TakaoPGothic.ttf",
)
#: The family name CSS (WeasyPrint, browsers) asks fontconfig for, with fallbacks.
CSS_FONT_STACK = '"Noto Sans CJK JP", "Noto Sans JP", "IPAexGothic", "Yu Gothic", Meiryo, "Hiragino Sans", sans-serif'


class FontMissing(RuntimeError):
    """No Japanese font on this machine: figures would show boxes (tofu) instead of text."""


@cache
def cjk_font_path() -> Path:
    """The file of the Japanese font used for every figure."""
    chosen = os.environ.get("SECGRAPH_CJK_FONT")
    for candidate in (chosen, *CANDIDATES) if chosen else CANDIDATES:
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    raise FontMissing(
        "日本語フォントが見つかりません。`bash run.sh main` が fonts-noto-cjk を入れます（または SECGRAPH_CJK_FONT）。"
        " / No Japanese font found: `bash run.sh main` installs fonts-noto-cjk (or set SECGRAPH_CJK_FONT)."
    )


#: Named after the font's own family in SVG text, for a machine that lacks it (Windows, macOS).
SVG_FALLBACK_FAMILIES: tuple[str, ...] = ("Noto Sans JP", "Yu Gothic", "Meiryo", "Hiragino Sans")


@cache
def _family_name(path: Path) -> str:
    from matplotlib.ft2font import FT2Font

    return str(FT2Font(str(path)).family_name)


def cjk_font(size: float | None = None, weight: str = "normal") -> FontProperties:
    """A FontProperties for the Japanese font, to pass as ``fontproperties=`` / ``font_family=``.
    Drawn from the file itself; its family is the font's own name (then common Japanese faces), so
    an SVG, whose text stays text, names the font it was laid out with."""
    family = list(dict.fromkeys([_family_name(cjk_font_path()), *SVG_FALLBACK_FAMILIES]))
    return FontProperties(family=family, fname=str(cjk_font_path()), size=size, weight=weight)


def cjk_font_name() -> str:
    """The family name of the Japanese font (networkx' ``font_family`` wants a name, not a file)."""
    from matplotlib import font_manager

    path = cjk_font_path()
    # registered once so that the name resolves to exactly this file
    if not any(Path(entry.fname) == path for entry in font_manager.fontManager.ttflist):
        font_manager.fontManager.addfont(str(path))
    return cjk_font().get_name()


#: matplotlib settings that make the same figure the same bytes: no dates, fixed ids; SVG text as text.
DETERMINISTIC_RC: dict[str, object] = {
    "svg.hashsalt": "secgraph",
    "svg.fonttype": "none",  # text stays text (editable in PowerPoint); the font is named, see below
    # Type 3, not 42: Noto Sans CJK has CFF outlines, which matplotlib would declare as TrueType in a
    # Type 42 embedding (poppler warns "Mismatch between font type and embedded font file"; stricter
    # readers may refuse). Type 3 glyphs carry a ToUnicode map, so the text stays searchable.
    "pdf.fonttype": 3,
    "axes.unicode_minus": False,  # the minus sign of most Japanese fonts is missing or odd
}
#: Metadata that leaves out creation dates and software versions (per format, as matplotlib wants).
DETERMINISTIC_METADATA: dict[str, dict[str, object]] = {
    "png": {"Software": None},
    "svg": {"Date": None, "Creator": None},
    "pdf": {"CreationDate": None, "ModDate": None, "Producer": None, "Creator": None},
}

#: matplotlib's rcParams belong to the whole process: two figures drawn at once (two API requests in
#: the server's thread pool) would each restore the defaults in the middle of the other's drawing,
#: and the second would be saved with random SVG ids or a PDF font whose text cannot be extracted.
_DRAWING = threading.RLock()


@contextmanager
def deterministic_drawing() -> Iterator[None]:
    """Draw and save a figure inside this: ``DETERMINISTIC_RC`` in force, one figure at a time."""
    with _DRAWING, matplotlib.rc_context(DETERMINISTIC_RC):
        yield


FigureFormat = Literal["png", "svg", "pdf"]
#: The formats every static figure comes in, and their media types.
FIGURE_MEDIA_TYPES: dict[str, str] = {"png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf"}


def save_figure(figure: Figure, fmt: FigureFormat, *, dpi: float | None = None, **options: Any) -> bytes:
    """``figure`` as ``fmt`` bytes (at ``dpi``, else its own), without dates or versions in them."""
    if fmt not in FIGURE_MEDIA_TYPES:
        raise ValueError(f"format must be png, svg or pdf: {fmt!r} / 形式は png・svg・pdf のいずれか")
    buffer = io.BytesIO()
    figure.savefig(buffer, format=fmt, dpi=dpi or figure.dpi, metadata=DETERMINISTIC_METADATA[fmt], **options)
    return buffer.getvalue()
