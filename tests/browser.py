"""A real browser for the view tests: Debian's headless Chromium driven by Playwright, network off.

Not a test module: ``test_viz_*.py`` import ``open_view``. It opens one URL in a fresh profile and

- records every request the page makes (``page.on("request")``) and routes all of them: only
  ``file:``, ``data:``, ``about:``, ``blob:`` and the one local server ``http://127.0.0.1:<port>``
  the test started go through; anything else is aborted and listed in ``blocked``; a request the
  page's own Content-Security-Policy refuses is never sent (never routed) and is listed in
  ``failed`` with Chromium's reason;
- collects console errors and uncaught page errors;
- waits for ``body[data-sg-drawn]`` (set by the network view once vis-network drew);
- reads the vis-network data set (``window.secgraphNetwork``) and counts the inked pixels of the
  canvas, and saves screenshots into ``test-artifacts/``.

Playwright's own browser download is never used: Chromium comes from the Debian package.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from playwright.sync_api import ConsoleMessage, Error, Page, Route, sync_playwright

REPO = Path(__file__).resolve().parents[1]
ARTIFACTS = REPO / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
LOCAL_SCHEMES = ("file", "data", "about", "blob")

# Reads the data set as plain values (a tooltip is a DOM element: its text is read instead).
_READ_NODES = """() => window.secgraphNetwork.nodes.get().map(n => ({
  id: n.id, label: n.label, hidden: !!n.hidden, x: n.x, y: n.y, size: n.size, group: n.sectorGroup,
  ghost: !!n.ghost, keyRank: n.keyRank, part: n.part, borderWidth: n.borderWidth,
  tooltip: n.title instanceof Element ? n.title.textContent : null, tooltipIsElement: n.title instanceof Element
}))"""
# Pixels of the network's canvas that are not fully transparent.
_INK = """() => {
  const canvas = document.querySelector("#sg-network canvas");
  if (!canvas) return -1;
  const px = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  let inked = 0;
  for (let i = 3; i < px.length; i += 4) { if (px[i] !== 0) inked++; }
  return inked;
}"""


@dataclass
class BrowsedPage:
    """One opened page and everything recorded about it."""

    page: Page
    requests: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    #: URL -> Chromium's reason, for each request that failed (``csp``: the page's
    #: Content-Security-Policy stopped it before it was sent).
    failed: dict[str, str] = field(default_factory=dict)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)

    @property
    def drawn(self) -> str | None:
        return self.page.get_attribute("body", "data-sg-drawn")

    def nodes(self) -> list[dict[str, Any]]:
        """The vis-network data set as the page holds it now."""
        return self.page.evaluate(_READ_NODES)

    def shown(self) -> set[str]:
        """Labels of the nodes not hidden by a filter."""
        return {n["label"] for n in self.nodes() if not n["hidden"]}

    def ink(self) -> int:
        """How many pixels of the canvas are drawn on (-1: no canvas)."""
        return self.page.evaluate(_INK)

    def evaluate(self, script: str) -> Any:
        return self.page.evaluate(script)

    def screenshot(self, name: str) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / name
        path.unlink(missing_ok=True)
        self.page.screenshot(path=str(path))
        return path


def _allowed(url: str, local_origin: str | None) -> bool:
    parts = urlsplit(url)
    if parts.scheme in LOCAL_SCHEMES:
        return True
    return local_origin is not None and f"{parts.scheme}://{parts.netloc}" == local_origin


@contextmanager
def open_view(
    url: str,
    *,
    local_port: int | None = None,
    headers: dict[str, str] | None = None,
    wait_for: str | None = "body[data-sg-drawn]",
    timeout_ms: int = 60_000,
) -> Iterator[BrowsedPage]:
    """``url`` opened in a fresh headless Chromium; ``local_port`` is the one server it may reach.

    ``headers`` go with every request (Playwright's ``extra_http_headers``: the API key). The page
    is yielded once ``wait_for`` matches (``None``: once loaded).
    """
    assert CHROMIUM.is_file(), "chromium is not installed: apt-get install -y chromium"
    local_origin = f"http://127.0.0.1:{local_port}" if local_port is not None else None
    with tempfile.TemporaryDirectory(prefix="secgraph-chromium-") as profile, sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            profile,
            executable_path=str(CHROMIUM),
            headless=True,
            args=LAUNCH_ARGS,
            extra_http_headers=headers or {},
            viewport={"width": 1280, "height": 800},
            service_workers="block",
        )
        try:
            page = context.pages[0] if context.pages else context.new_page()
            browsed = BrowsedPage(page)

            def route(route: Route) -> None:
                if _allowed(route.request.url, local_origin):
                    route.continue_()
                else:
                    browsed.blocked.append(route.request.url)
                    route.abort("blockedbyclient")

            def console(message: ConsoleMessage) -> None:
                if message.type == "error":
                    browsed.console_errors.append(message.text)

            def page_error(error: Error) -> None:
                browsed.page_errors.append(str(error))

            context.route("**/*", route)
            page.on("request", lambda request: browsed.requests.append(request.url))
            page.on("requestfailed", lambda request: browsed.failed.update({request.url: request.failure or ""}))
            page.on("console", console)
            page.on("pageerror", page_error)
            page.goto(url, wait_until="load", timeout=timeout_ms)
            if wait_for:
                page.wait_for_selector(wait_for, state="attached", timeout=timeout_ms)
            yield browsed
        finally:
            context.close()
