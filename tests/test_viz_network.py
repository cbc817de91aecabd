"""The interactive network view: standalone, escaped, deterministic, names hideable, drawn by a real browser."""

from __future__ import annotations

import json
import re
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

from secgraph.analysis.network import Scope
from secgraph.viz.network_view import network_view_html
from tests.builders import GraphBuilder

REPO = Path(__file__).resolve().parents[1]
ARTIFACTS = REPO / "test-artifacts"
EVIL = "<script>window.__pwned=1</script>"


def sample():  # type: ignore[no-untyped-def]
    return (
        GraphBuilder()
        .org("police-osaka", "police", "27", name="大阪府警察")
        .org("univ-kobe", "university", "28", name="神戸大学")
        .org("bank-kansai", "bank", "27", name="関西銀行")
        .org("evil", "sme", "27", name=EVIL)
        .community("kansai-secnet", "mic-kinki")
        .person("p-yamada", "univ-kobe", name="山田太郎")
        .tie("MEMBER_OF", "police-osaka", "kansai-secnet")
        .tie("MEMBER_OF", "univ-kobe", "kansai-secnet")
        .tie("MEMBER_OF", "bank-kansai", "kansai-secnet")
        .tie("MEMBER_OF", "evil", "kansai-secnet")
        .tie("SECRETARIAT_OF", "police-osaka", "kansai-secnet")
        .build()
    )


def _data_block(page: str) -> dict:
    match = re.search(r'<script id="sg-data" type="application/json">(.*?)</script>', page, re.S)
    assert match
    return json.loads(match.group(1))


def test_no_external_resource() -> None:
    page = network_view_html(sample())
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", page, re.I)
    assert not re.search(r"""<(script|link|img|iframe)[^>]*\s(src|href)\s*=""", page, re.I)
    assert "@import" not in page
    assert not re.search(r"url\(\s*[\"']?(https?:)?//", page, re.I)
    for host in ("cdnjs", "jsdelivr", "unpkg", "bootstrapcdn", "googleapis", "gstatic"):
        assert host not in page.lower()


def test_contains_node_data_and_legend() -> None:
    page = network_view_html(sample())
    data = _data_block(page)
    labels = {n["label"] for n in data["nodes"]}
    assert {"大阪府警察", "神戸大学", "関西銀行", "kansai-secnet", "山田太郎", EVIL} <= labels
    assert len(data["edges"]) >= 5
    assert all(n["physics"] is False and isinstance(n["x"], float) for n in data["nodes"])
    groups = {n["label"]: n["sectorGroup"] for n in data["nodes"]}
    assert groups["大阪府警察"] == "government" and groups["神戸大学"] == "academia"
    assert groups["関西銀行"] == "finance" and groups["山田太郎"] == "person"
    for legend in ("官", "学", "金融", "Finance", "コミュニティ"):
        assert legend in page
    assert data["options"]["physics"]["enabled"] is False
    hub = next(n for n in data["nodes"] if n["label"] == "kansai-secnet")
    leaf = next(n for n in data["nodes"] if n["label"] == "山田太郎")
    assert hub["size"] > leaf["size"]  # sized by degree


def test_user_text_is_escaped() -> None:
    page = network_view_html(sample(), title=EVIL)
    assert EVIL not in page
    assert "window.__pwned=1" in page  # present, as inert text
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in page  # the heading
    assert "\\u003cscript\\u003ewindow.__pwned=1\\u003c/script\\u003e" in page  # the JSON data
    assert page.count("</script>") == 3  # data, vis-network, the page's own: nothing closed early


def test_same_data_same_bytes() -> None:
    assert network_view_html(sample()) == network_view_html(sample())
    assert network_view_html(sample(), seed=3) == network_view_html(sample(), seed=3)
    positions = lambda page: [(n["x"], n["y"]) for n in _data_block(page)["nodes"]]  # noqa: E731
    assert positions(network_view_html(sample(), seed=1)) != positions(network_view_html(sample(), seed=2))


def test_hide_names() -> None:
    page = network_view_html(sample(), hide_names=True)
    assert "山田太郎" not in page
    assert "p-yamada" not in page
    labels = {n["label"] for n in _data_block(page)["nodes"]}
    assert any(label.startswith("人物") and "神戸大学" in label for label in labels)  # role and affiliation
    assert "大阪府警察" in labels  # organisations keep their names


def test_scope_limits_nodes() -> None:
    data = (
        GraphBuilder()
        .org("a", "police", "27")
        .org("b", "police", "40")
        .community("c1", "mic-kinki")
        .community("c2", "mic-kyushu")
        .tie("MEMBER_OF", "a", "c1")
        .tie("MEMBER_OF", "b", "c2")
        .build()
    )
    labels = {n["label"] for n in _data_block(network_view_html(data, Scope(community="c1")))["nodes"]}
    assert labels == {"a", "c1"}


def test_empty_graph() -> None:
    page = network_view_html(GraphBuilder().build())
    assert _data_block(page)["nodes"] == []


# -- a real browser ------------------------------------------------------------------------------

# Added to a copy of the exported file: once the network drew, report what the page holds.
PROBE = """<script>
(function () {
  var tries = 0;
  function check() {
    var drawn = document.body.getAttribute("data-sg-drawn");
    if (drawn === null && tries++ < 200) { setTimeout(check, 25); return; }
    var canvas = document.querySelector("#sg-network canvas");
    var inked = 0;
    if (canvas) {
      var ctx = canvas.getContext("2d");
      var px = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
      for (var i = 3; i < px.length; i += 4) { if (px[i] !== 0) inked++; }
    }
    var net = window.secgraphNetwork;
    var evil = net.nodes.get({filter: function (n) { return n.label.indexOf("__pwned") !== -1; }})[0];
    var tooltip = evil && evil.title instanceof Element ? evil.title.textContent.split("\\n")[0] : null;
    var sector = document.getElementById("sg-sector");
    sector.value = "finance";
    sector.dispatchEvent(new Event("change"));
    var shownFinance = net.nodes.get({filter: function (n) { return !n.hidden; }}).length;
    sector.value = "";
    sector.dispatchEvent(new Event("change"));
    var search = document.getElementById("sg-search");
    search.value = "神戸";
    search.dispatchEvent(new Event("input"));
    var selected = net.network.getSelectedNodes().map(function (id) { return net.nodes.get(id).label; });
    search.value = "";
    search.dispatchEvent(new Event("input"));
    var out = document.createElement("pre");
    out.id = "probe";
    out.textContent = JSON.stringify({
      drawn: drawn,
      nodes: net ? net.nodes.length : -1,
      labels: net ? net.nodes.get().map(function (n) { return n.label; }) : [],
      pwned: typeof window.__pwned,
      tooltip: tooltip,
      shownFinance: shownFinance,
      selected: selected,
      inked: inked,
      scripts: document.scripts.length
    });
    document.body.appendChild(out);
  }
  check();
})();
</script>"""

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def _chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM, "chromium is not installed: apt-get install -y chromium"
    profile = tmp_path / "profile"
    profile.mkdir(exist_ok=True)
    command = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        "--disable-extensions",
        "--disable-sync",
        "--host-resolver-rules=MAP * ~NOTFOUND",  # the network is off: any fetch would fail
        "--enable-logging=stderr",
        "--v=0",
        f"--user-data-dir={profile}",
        "--window-size=1280,800",
        "--virtual-time-budget=10000",
        *args,
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)


def _png_pixels(png: bytes) -> bytes:
    """The decompressed image data of a PNG (filter bytes included): enough to tell blank from drawn."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat = 8, b""
    while pos < len(png):
        (length,) = struct.unpack(">I", png[pos : pos + 4])
        kind = png[pos + 4 : pos + 8]
        if kind == b"IDAT":
            idat += png[pos + 8 : pos + 8 + length]
        pos += 12 + length
    return zlib.decompress(idat)


def test_browser_draws_exported_file(tmp_path: Path) -> None:
    page = network_view_html(sample())
    exported = tmp_path / "network.html"
    exported.write_text(page, encoding="utf-8")
    probed = tmp_path / "probed.html"
    probed.write_text(page.replace("</body>", PROBE + "\n</body>"), encoding="utf-8")

    result = _chromium(tmp_path, "--dump-dom", probed.as_uri())
    match = re.search(r'<pre id="probe">(.*?)</pre>', result.stdout, re.S)
    assert match, f"no probe output; stderr:\n{result.stderr[-3000:]}"
    report = json.loads(match.group(1).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&"))
    assert report["drawn"] == "6"
    assert report["nodes"] == 6
    assert EVIL in report["labels"]  # shown as a label, as text
    assert report["pwned"] == "undefined"  # the injected script never ran
    assert report["tooltip"] == EVIL  # the tooltip is a text node, not parsed HTML
    assert report["shownFinance"] == 1  # the sector filter
    assert report["selected"] == ["神戸大学"]  # the search box
    assert report["inked"] > 1000  # the canvas is not blank
    assert report["scripts"] == 4  # data, vis-network, the page's script, the probe: none added
    console_errors = [line for line in result.stderr.splitlines() if "CONSOLE" in line and "ERROR" in line.upper()]
    assert not console_errors, console_errors
    refused = [line for line in result.stderr.splitlines() if "Content Security Policy" in line]
    assert not refused, refused  # nothing tried to load from anywhere

    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "network_view.png"
    shot.unlink(missing_ok=True)
    result = _chromium(tmp_path, f"--screenshot={shot}", exported.as_uri())
    assert shot.exists(), result.stderr[-3000:]
    pixels = _png_pixels(shot.read_bytes())
    assert len(set(pixels)) > 30, "the screenshot is blank"
    shutil.copy(exported, ARTIFACTS / "network_view.html")


def test_writes_nothing_to_the_working_directory(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    network_view_html(sample())
    assert list(tmp_path.iterdir()) == []  # no lib/ folder, no index.html


def test_seed_data_map(seed) -> None:  # type: ignore[no-untyped-def]
    page = network_view_html(seed, hide_names=True)
    data = _data_block(page)
    assert len(data["nodes"]) > 50
    people = [n for n in seed.nodes.values() if n.kind == "Person"]
    assert not [p.name for p in people if p.name in page]
    assert page == network_view_html(seed, hide_names=True)
