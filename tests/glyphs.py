"""A shared check that a figure draws Japanese as glyphs, not as tofu boxes.

Not a test module of its own: figure tests import :func:`assert_japanese_drawn` and hand it a
function that renders their figure as PNG bytes.

The check renders the figure twice: once with the project's Japanese font, and once with
``SECGRAPH_CJK_FONT`` pointing at matplotlib's bundled DejaVu Sans, which has no Japanese glyphs
(every kana and kanji comes out as the same .notdef box). If the figure really draws its text with
``secgraph.viz.fonts.cjk_font()``, the two pictures differ; and since the font of the first render
is checked to hold the Japanese characters, what differs is Japanese drawn as Japanese. A figure
that forgot the font (matplotlib's default DejaVu Sans) gives the same boxes both times and fails.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Callable
from pathlib import Path

import matplotlib
import pytest
from matplotlib.ft2font import FT2Font
from PIL import Image, ImageChops

from secgraph.viz.fonts import cjk_font_path

#: Characters every Japanese font has and DejaVu Sans lacks (kana, kanji, a full-width mark).
JAPANESE_SAMPLE = "日本語の地域セキュリティ・コミュニティ"


def dejavu_path() -> Path:
    """matplotlib's own DejaVu Sans: a real font file with no Japanese glyphs."""
    return Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"


def missing_glyphs(font_file: Path, text: str = JAPANESE_SAMPLE) -> list[str]:
    """The characters of ``text`` the font has no glyph for (maps to glyph 0, .notdef)."""
    font = FT2Font(str(font_file))
    return sorted({ch for ch in text if not ch.isspace() and font.get_char_index(ord(ch)) == 0})


def decode_png(data: bytes) -> Image.Image:
    """The picture in PNG bytes, as RGBA pixels (fails when the bytes are not a PNG)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    with Image.open(io.BytesIO(data)) as image:
        return image.convert("RGBA")


def pictures_differ(first: Image.Image, second: Image.Image) -> bool:
    if first.size != second.size:
        return True
    # every channel: an RGBA image's plain getbbox() looks at alpha only, and figures are opaque
    return ImageChops.difference(first, second).getbbox(alpha_only=False) is not None


def render_with_font(render: Callable[[], bytes], font_file: Path, monkeypatch: pytest.MonkeyPatch) -> bytes:
    """``render()`` with ``SECGRAPH_CJK_FONT`` set to ``font_file``; the font choice is restored after."""
    with monkeypatch.context() as patch:
        patch.setenv("SECGRAPH_CJK_FONT", str(font_file))
        cjk_font_path.cache_clear()
        try:
            with warnings.catch_warnings():
                # DejaVu lacking the glyphs is the point of the render: its warnings are expected.
                warnings.simplefilter("ignore")
                return render()
        finally:
            cjk_font_path.cache_clear()


def assert_japanese_drawn(
    render: Callable[[], bytes], monkeypatch: pytest.MonkeyPatch, *, drawn: bytes | None = None
) -> None:
    """Assert that ``render()`` (a figure as PNG bytes) draws its Japanese text with real glyphs.

    ``drawn``: what ``render()`` gave with the project's font, when the caller already has it (it is
    then only rendered again with the font lacking Japanese).

    Fails when the project's Japanese font lacks Japanese, when the render is not a PNG, or when
    the picture drawn with the Japanese font is the same as the one drawn with DejaVu Sans (the
    figure's text does not go through ``cjk_font()``, so it would show tofu on a machine whose
    default font lacks Japanese).
    """
    cjk_font_path.cache_clear()
    font_file = cjk_font_path()
    lacking = missing_glyphs(font_file)
    assert not lacking, f"the Japanese font {font_file} has no glyph for {''.join(lacking)}"
    with_japanese = decode_png(render() if drawn is None else drawn)
    fallback = dejavu_path()
    assert missing_glyphs(fallback), "DejaVu Sans was expected to lack Japanese glyphs"
    with_tofu = decode_png(render_with_font(render, fallback, monkeypatch))
    assert pictures_differ(with_japanese, with_tofu), (
        "the figure looks the same with a font lacking Japanese: its text is not drawn with cjk_font()"
    )
