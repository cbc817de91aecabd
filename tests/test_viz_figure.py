"""The network map as a static figure: PNG at 300 dpi, SVG, PDF; the same bytes twice; Japanese drawn
as glyphs (not tofu boxes); names hidden and user text escaped in what the file holds."""

from __future__ import annotations

import io
import struct
import subprocess
import zlib
from pathlib import Path

import pytest
from matplotlib.transforms import Bbox
from PIL import Image, ImageChops

from secgraph.analysis.network import Scope
from secgraph.model.graph import GraphData
from secgraph.viz.fonts import cjk_font_path, deterministic_drawing, save_figure
from secgraph.viz.network_figure import MEDIA_TYPES, draw_map_figure, network_figure
from secgraph.viz.network_map import network_map
from tests.browser import ARTIFACTS
from tests.builders import GraphBuilder
from tests.glyphs import assert_japanese_drawn, decode_png, dejavu_path, render_with_font
from tests.test_viz_network import EVIL, sample, two_communities

#: Two labels of the same length whose glyphs differ greatly in ink; as tofu they are the same boxes.
SPARSE, DENSE = "一二三", "識議饗"


@pytest.fixture(autouse=True)
def fresh_font_choice() -> object:
    cjk_font_path.cache_clear()
    yield
    cjk_font_path.cache_clear()


def png_chunks(png: bytes) -> dict[bytes, bytes]:
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    chunks, pos = {}, 8
    while pos < len(png):
        (length,) = struct.unpack(">I", png[pos : pos + 4])
        kind = png[pos + 4 : pos + 8]
        chunks[kind] = chunks.get(kind, b"") + png[pos + 8 : pos + 8 + length]
        pos += 12 + length
    return chunks


def test_png_at_300_dpi() -> None:
    png = network_figure(sample(), fmt="png")
    x_per_metre, y_per_metre, unit = struct.unpack(">IIB", png_chunks(png)[b"pHYs"])
    assert unit == 1 and x_per_metre == y_per_metre
    assert x_per_metre * 0.0254 >= 299.9
    with Image.open(io.BytesIO(png)) as image:
        assert image.info["dpi"][0] >= 299.9
        assert image.size == (3507, 2481)  # A4 landscape at 300 dpi
    assert len(set(zlib.decompress(png_chunks(png)[b"IDAT"]))) > 30  # not blank
    assert png_chunks(network_figure(sample(), fmt="png", dpi=600))[b"pHYs"] != png_chunks(png)[b"pHYs"]


def test_svg_and_pdf(tmp_path: Path) -> None:
    svg = network_figure(sample(), fmt="svg")
    assert svg.lstrip().startswith(b"<?xml") and b"<svg" in svg
    pdf = network_figure(sample(), fmt="pdf", title="関西のネットワーク / Kansai")
    assert pdf.startswith(b"%PDF")
    (tmp_path / "map.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(tmp_path / "map.pdf"), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page*.png"))
    assert len(pages) == 1
    with Image.open(pages[0]) as page:
        assert page.convert("L").getextrema()[0] < 100  # something dark was drawn on the page
    text = subprocess.run(
        ["pdftotext", str(tmp_path / "map.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "関西のネットワーク" in text and "大阪府警察" in text and "凡例" in text  # text, not only shapes
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "network_figure.pdf").write_bytes(pdf)
    assert set(MEDIA_TYPES) == {"png", "svg", "pdf"}


@pytest.mark.parametrize("fmt", ["png", "svg", "pdf"])
def test_same_bytes_twice(fmt: str) -> None:
    first = network_figure(two_communities().build(), fmt=fmt, seed=2)  # type: ignore[arg-type]
    assert first == network_figure(two_communities().build(), fmt=fmt, seed=2)  # type: ignore[arg-type]
    assert first != network_figure(two_communities().build(), fmt=fmt, seed=3)  # type: ignore[arg-type]


def test_refuses_unknown_format_and_silly_dpi() -> None:
    with pytest.raises(ValueError):
        network_figure(sample(), fmt="gif")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        network_figure(sample(), fmt="png", dpi=10)


def test_japanese_glyphs_drawn(monkeypatch: pytest.MonkeyPatch) -> None:
    assert_japanese_drawn(lambda: network_figure(sample(), fmt="png", dpi=100), monkeypatch)


def labelled_pair() -> GraphData:
    """Two members of one community placed side by side, their labels clear of every line."""
    return (
        GraphBuilder()
        .community("com", prefectures=["27"])
        .org("sparse", "sme", "27", name=SPARSE)
        .org("dense", "sme", "27", name=DENSE)
        .tie("MEMBER_OF", "sparse", "com")
        .tie("MEMBER_OF", "dense", "com")
        .build()
    )


def render_labels() -> tuple[Image.Image, dict[str, Bbox]]:
    """The pair's figure as pixels, and where each map label landed (pixels, origin bottom-left)."""
    # the community above, the two members below it: their labels hang beneath them, away from the ties
    nmap = network_map(labelled_pair(), positions={"com": (0, -600), "sparse": (-300, 0), "dense": (300, 0)})
    with deterministic_drawing():
        figure = draw_map_figure(nmap, dpi=150)
        png = save_figure(figure, "png")
        boxes = {t.get_text(): t.get_window_extent() for t in figure.axes[0].texts}
    return decode_png(png), boxes


def crop(image: Image.Image, box: Bbox) -> Image.Image:
    return image.crop(
        (int(box.x0) - 1, int(image.height - box.y1) - 1, int(box.x1) + 2, int(image.height - box.y0) + 2)
    )


def ink(image: Image.Image) -> int:
    gray = image.convert("L")
    return gray.width * gray.height * 255 - sum(gray.histogram()[v] * v for v in range(256))


def test_labels_are_glyphs_not_boxes(monkeypatch: pytest.MonkeyPatch) -> None:
    japanese, boxes = render_labels()
    tofu, _ = render_with_font(lambda: render_labels(), dejavu_path(), monkeypatch)  # type: ignore[arg-type,return-value]
    for label in (SPARSE, DENSE):  # the pictures differ where the labels are
        assert ImageChops.difference(crop(japanese, boxes[label]), crop(tofu, boxes[label])).getbbox(alpha_only=False)
    sparse, dense = ink(crop(japanese, boxes[SPARSE])), ink(crop(japanese, boxes[DENSE]))
    assert dense > 1.5 * sparse  # two different Japanese labels do not render to the same pixels
    # the control: with a font lacking Japanese, both are the same three boxes (the check can fail)
    tofu_sparse, tofu_dense = ink(crop(tofu, boxes[SPARSE])), ink(crop(tofu, boxes[DENSE]))
    assert abs(tofu_dense - tofu_sparse) < 0.15 * max(tofu_dense, tofu_sparse)


def test_names_hidden_and_text_escaped_in_svg() -> None:
    with_names = network_figure(sample(), fmt="svg").decode("utf-8")
    assert "山田太郎" in with_names  # matplotlib keeps each drawn text as a comment: the check can fail
    hidden = network_figure(sample(), fmt="svg", hide_names=True).decode("utf-8")
    assert "山田太郎" not in hidden and "p-yamada" not in hidden
    assert "人物(神戸大学)" in hidden  # role and affiliation (the model writes half-width brackets)
    assert "<script" not in with_names and "window.__pwned=1" in with_names
    assert EVIL not in with_names


def test_scoped_figure() -> None:
    kinki = network_figure(two_communities().build(), Scope(prefecture="28"), fmt="svg").decode("utf-8")
    assert "兵庫テスト保険" in kinki and "福岡県警察" not in kinki


def test_seed_data_figure(seed: GraphData) -> None:
    svg = network_figure(seed, fmt="svg", hide_names=True).decode("utf-8")
    people = [n for n in seed.nodes.values() if n.kind == "Person"]
    assert not [p.name for p in people if p.name in svg]
    png = network_figure(seed, Scope(region="mic-kinki"), fmt="png")
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "network_figure_kinki.png").write_bytes(png)
    assert decode_png(png).size == (3507, 2481)
