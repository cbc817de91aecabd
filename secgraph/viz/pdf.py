"""PDF出力 / HTML pages to PDF with WeasyPrint, the same bytes for the same page.

A committee document is an HTML page (Jinja2, autoescaped) laid out for A4 and printed by WeasyPrint.
What makes the PDF reproducible from one meeting to the next:

- no creation or modification date and a fixed producer (WeasyPrint would write its version);
- no file identifier (pydyf would otherwise hash the content with the time-independent but
  version-dependent objects; leaving it out keeps the bytes a function of the page alone);
- fonts subset by WeasyPrint from the family ``CSS_FONT_STACK`` names (Noto Sans CJK JP), whose
  subset tags are derived from the glyphs used, not drawn at random.

Nothing is fetched while rendering: the only URLs a page may use are ``data:`` ones (inline images),
so a page cannot reach the network or read files, whatever text it holds.
"""

from __future__ import annotations

from collections.abc import Iterable

import pydyf
from weasyprint import HTML, Document
from weasyprint.document import Page
from weasyprint.urls import URLFetcher

#: The producer written into every PDF instead of WeasyPrint's version string.
PRODUCER = "secgraph"


def _offline_fetcher() -> URLFetcher:
    """A fetcher that serves ``data:`` URLs and refuses everything else (http, file …)."""
    return URLFetcher(allowed_protocols={"data"}, allow_redirects=False)


def render(page_html: str) -> Document:
    """Lay out one HTML page (A4 and the rest come from its own CSS) without writing the PDF."""
    return HTML(string=page_html, base_url=None, url_fetcher=_offline_fetcher(), media_type="print").render()


def page_count(page_html: str) -> int:
    """How many pages ``page_html`` takes when printed."""
    return len(render(page_html).pages)


def _fixed_metadata(_document: Document, pdf: pydyf.PDF) -> None:
    """Remove what would change between two runs or two WeasyPrint versions."""
    for key in ("CreationDate", "ModDate", "Creator"):
        pdf.info.pop(key, None)
    pdf.info["Producer"] = pydyf.String(PRODUCER)


def write_pdf(documents: Iterable[Document]) -> bytes:
    """The pages of ``documents``, in order, as one PDF (metadata and language from the first)."""
    rendered = list(documents)
    if not rendered:
        raise ValueError("nothing to print / 印刷するページがありません")
    pages: list[Page] = [page for document in rendered for page in document.pages]
    combined = rendered[0].copy(pages) if len(rendered) > 1 else rendered[0]
    return combined.write_pdf(finisher=_fixed_metadata, pdf_identifier=False)


def html_to_pdf(page_html: str) -> bytes:
    """One HTML page as PDF bytes, deterministic."""
    return write_pdf([render(page_html)])
