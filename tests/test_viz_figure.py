"""The network map as a static figure: PNG at 300 dpi, SVG, PDF; the same bytes twice; Japanese drawn
as glyphs (not tofu boxes); names hidden and user text escaped in what the file holds."""

from __future__ import annotations

import io
import re
import struct
import subprocess
import zlib
from pathlib import Path

import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.transforms import Bbox
from PIL import Image, ImageChops

from secgraph.analysis.network import Scope
from secgraph.model.graph import GraphData
from secgraph.viz.fonts import cjk_font_path, deterministic_drawing, save_figure
from secgraph.viz.network_figure import MEDIA_TYPES, MIN_TEXT_PT, draw_map_figure, map_figure, network_figure
from secgraph.viz.network_map import NetworkMap, network_map
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
        # a key person's label is 「★rank name」: keyed by the name
        boxes = {re.sub(r"^★\d+ ", "", t.get_text()): t.get_window_extent() for t in figure.axes[0].texts}
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
    width, height = decode_png(png).size
    assert width == 3507 and height % 2481 == 0  # A4 landscape pages: the map, then its panel continued


# -- the Kyushu map at A4, drawn once for the checks below -----------------------------------------


@pytest.fixture(scope="module")
def kyushu(seed: GraphData) -> tuple[NetworkMap, Figure, object]:
    nmap = network_map(seed, Scope(region="mic-kyushu"))
    with deterministic_drawing():
        figure = draw_map_figure(nmap, dpi=150)
        renderer = FigureCanvasAgg(figure).get_renderer()
        figure.draw(renderer)
    return nmap, figure, renderer


def _texts(figure: Figure) -> list[Text]:
    return [t for t in figure.findobj(Text) if t.get_visible() and t.get_text().strip()]


def test_map_labels_do_not_overlap_and_stay_inside_the_map(kyushu: tuple[NetworkMap, Figure, object]) -> None:
    nmap, figure, renderer = kyushu
    ax = figure.axes[0]
    frame = ax.get_window_extent(renderer)  # type: ignore[arg-type]
    boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in ax.texts]  # type: ignore[arg-type]
    assert len(boxes) >= len(nmap.communities())
    for text, box in boxes:  # not clipped at the map's edge
        assert frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0 and box.y1 <= frame.y1, text
    overlapping = [
        (a, b)
        for i, (a, box_a) in enumerate(boxes)
        for b, box_b in boxes[i + 1 :]
        if min(box_a.x1, box_b.x1) - max(box_a.x0, box_b.x0) > 0.5
        and min(box_a.y1, box_b.y1) - max(box_a.y0, box_b.y0) > 0.5
    ]
    assert overlapping == []


def test_every_actor_named_or_numbered_and_every_text_at_least_7_pt(
    kyushu: tuple[NetworkMap, Figure, object],
) -> None:
    nmap, figure, _ = kyushu
    texts = _texts(figure)
    small = sorted({t.get_fontsize() for t in texts if t.get_fontsize() < MIN_TEXT_PT})
    assert small == []
    assert not [t.get_text() for t in texts if "…" in t.get_text() or "ほか" in t.get_text()]  # nothing cut short
    bare = lambda text: "".join(text.split())  # noqa: E731  (labels wrap at spaces)
    written = bare("".join(t.get_text() for t in texts))
    for community in nmap.communities():  # on the map or in the grid, whole
        assert bare(community.label) in written
    on_map = {bare(t.get_text()) for t in figure.axes[0].texts}
    numbered = {str(n) for n in range(1, nmap.actors_total + 1)}
    listed = {bare(t.get_text()) for t in texts}
    for node in (n for n in nmap.nodes if not n.ghost):  # named on the map, or numbered and listed
        assert any(bare(node.label) in text for text in on_map) or any(
            text.endswith(f".{bare(node.label)}") for text in listed
        ), node.label
    assert on_map & numbered  # the rest are numbered, their names listed beside the map
    gaps = [t for t in texts if t.get_text() in ("✓", "×")]
    assert len(gaps) == len(nmap.gaps) * len(nmap.needs())  # a ✓/× cell per community and need
    assert len(figure.subfigs) >= 2  # what does not fit beside the map continues below it


def test_kyushu_map_pdf_pages(kyushu: tuple[NetworkMap, Figure, object], tmp_path: Path) -> None:
    nmap, _, _ = kyushu
    pdf = map_figure(nmap, fmt="pdf")
    (tmp_path / "map.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "60", "-png", str(tmp_path / "map.pdf"), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page*.png"))
    assert len(pages) >= 2
    text = subprocess.run(["pdftotext", str(tmp_path / "map.pdf"), "-"], capture_output=True, text=True, check=True)
    assert "続き" in text.stdout and "不足セクター" in text.stdout
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "network_figure_kyushu.pdf").write_bytes(pdf)
    for number, page in enumerate(pages, start=1):
        (ARTIFACTS / f"network_figure_kyushu-{number}.png").write_bytes(page.read_bytes())
