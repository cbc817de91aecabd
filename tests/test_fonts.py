"""The Japanese font of every static figure: found, drawn as glyphs (not tofu), and deterministic."""

from __future__ import annotations

import io
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import matplotlib
import pytest
from matplotlib import font_manager
from matplotlib.figure import Figure

from secgraph.viz import fonts
from secgraph.viz.fonts import (
    DETERMINISTIC_METADATA,
    DETERMINISTIC_RC,
    FontMissing,
    cjk_font,
    cjk_font_name,
    cjk_font_path,
    deterministic_drawing,
)
from tests.glyphs import (
    JAPANESE_SAMPLE,
    assert_japanese_drawn,
    decode_png,
    dejavu_path,
    missing_glyphs,
    pictures_differ,
    render_with_font,
)

matplotlib.use("Agg")


@pytest.fixture(autouse=True)
def fresh_font_choice() -> object:
    """Each test finds the font anew and leaves no choice behind for the next."""
    cjk_font_path.cache_clear()
    yield
    cjk_font_path.cache_clear()


def text_png(text: str, *, use_cjk: bool = True, fmt: str = "png") -> bytes:
    """One line of text on a small opaque figure, with the Japanese font (or matplotlib's default)."""
    with deterministic_drawing():
        figure = Figure(figsize=(3, 1), facecolor="white")
        options = {"fontproperties": cjk_font(size=20)} if use_cjk else {"fontsize": 20}
        figure.text(0.05, 0.3, text, **options)
        out = io.BytesIO()
        figure.savefig(out, format=fmt, dpi=100, metadata=DETERMINISTIC_METADATA[fmt])
    return out.getvalue()


def draw(text: str) -> Callable[[], bytes]:
    return lambda: text_png(text)


def test_the_font_is_a_japanese_font() -> None:
    path = cjk_font_path()
    assert path.is_file()
    assert missing_glyphs(path) == []
    assert cjk_font().get_file() == str(path)


def test_two_japanese_strings_differ_with_the_font_and_are_the_same_boxes_without(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Same length, different characters: real glyphs differ, tofu boxes (the .notdef glyph) do not.
    first, second = "地域連携", "産学官民"
    assert pictures_differ(decode_png(text_png(first)), decode_png(text_png(second)))
    boxes = [decode_png(render_with_font(draw(t), dejavu_path(), monkeypatch)) for t in (first, second)]
    assert not pictures_differ(*boxes)
    # and the boxes are drawn (not nothing): the tofu picture is not a blank figure
    blank = decode_png(render_with_font(draw(""), dejavu_path(), monkeypatch))
    assert pictures_differ(boxes[0], blank)


@pytest.mark.filterwarnings("ignore:Glyph .* missing from font")  # the default font's render is meant to lack them
def test_shared_check_passes_for_the_font_and_fails_for_matplotlibs_default(monkeypatch: pytest.MonkeyPatch) -> None:
    assert_japanese_drawn(draw(JAPANESE_SAMPLE), monkeypatch)
    with pytest.raises(AssertionError, match="not drawn with cjk_font"):
        assert_japanese_drawn(lambda: text_png(JAPANESE_SAMPLE, use_cjk=False), monkeypatch)
    # the check leaves the real font in place
    assert missing_glyphs(cjk_font_path()) == []


def test_environment_names_the_font_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SECGRAPH_CJK_FONT", str(dejavu_path()))
    assert cjk_font_path() == dejavu_path()


def test_a_named_file_that_does_not_exist_falls_back_to_the_search(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("SECGRAPH_CJK_FONT", str(tmp_path / "missing.ttf"))
    assert cjk_font_path() in [Path(c) for c in fonts.CANDIDATES]


def test_no_font_at_all_says_how_to_install_one(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(fonts, "CANDIDATES", (str(tmp_path / "none.ttc"),))
    monkeypatch.delenv("SECGRAPH_CJK_FONT", raising=False)
    with pytest.raises(FontMissing, match="fonts-noto-cjk"):
        cjk_font_path()


def test_the_family_name_resolves_to_the_same_file() -> None:
    # networkx' drawing wants a family name: matplotlib must resolve it to this file, not another face
    name = cjk_font_name()
    found = font_manager.findfont(font_manager.FontProperties(family=name), fallback_to_default=False)
    assert Path(found) == cjk_font_path()


@pytest.mark.parametrize("fmt", ["png", "svg", "pdf"])
def test_same_text_same_bytes(fmt: str) -> None:
    assert text_png(JAPANESE_SAMPLE, fmt=fmt) == text_png(JAPANESE_SAMPLE, fmt=fmt)


def test_figures_drawn_at_once_in_threads_are_the_figures_drawn_alone() -> None:
    # an API server draws in a thread pool; rcParams are global to the process
    alone = text_png(JAPANESE_SAMPLE, fmt="svg")
    with ThreadPoolExecutor(max_workers=4) as pool:
        together = list(pool.map(lambda _: text_png(JAPANESE_SAMPLE, fmt="svg"), range(8)))
    assert together == [alone] * 8
    assert matplotlib.rcParams["svg.hashsalt"] != DETERMINISTIC_RC["svg.hashsalt"]  # restored afterwards
