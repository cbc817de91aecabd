"""The read side of the access matrix: every GET endpoint the service documents × every role × its
own and another community × a confidential record and a public one.

Endpoints come from the service's own OpenAPI document, so a route added later is covered without
editing this file (an unknown path parameter fails the test until it is given values below). Each
answer is turned into text whatever its format (JSON, HTML, CSV, a zip of CSVs, XLSX, GraphML,
GEXF, SVG, PDF through pdftotext) and checked: a secretariat finds no confidential record, a
viewer no confidential record and no personal name, in data, evidence, figures or documents alike.
Writes per role and community are in test_api.py (WRITES × ALLOWED).
"""

from __future__ import annotations

import io
import itertools
import subprocess
import zipfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pytest

from tests.test_api_world import SECRET_NAMES, Api, embedded_api

ROLES = ("admin", "planner", "sec_a", "sec_b", "viewer")
#: What a secretariat may not see: the confidential organisation, person and contact and their ids.
CONFIDENTIAL = ("秘密商事", "org-secret", "隠岐", "per-secret", "r-contact", "r-secret-a")
HIDDEN = {
    "admin": (),
    "planner": (),
    "sec_a": CONFIDENTIAL,
    "sec_b": CONFIDENTIAL,
    "viewer": tuple(dict.fromkeys((*CONFIDENTIAL, *SECRET_NAMES))),
}
#: Values for each path parameter, by the route's first path segment: (value, who may see it), where
#: "all" is every role, "confidential" only admins and planners, "named" all but viewers (who know
#: people by pseudonym only), "none" nobody (an id that does not exist).
RECORDS: dict[str, tuple[tuple[str, str], ...]] = {
    "organisations": (("org-police", "all"), ("org-secret", "confidential")),
    "people": (("per-yamada", "named"), ("per-secret", "confidential")),
    "communities": (("com-a", "all"), ("com-b", "all")),
    "event-series": (("ser-a", "all"),),
    "events": (("ev-a1", "all"), ("ev-b1", "all")),
    "headcounts": (("hc-a", "all"),),
    "notes": (("note-a", "named"),),
    "relationships": (("r-police-a", "all"), ("r-contact", "confidential")),
    "documents": (("com-a", "all"), ("com-b", "all")),
}
#: Scopes tried on every route that takes them: the country, each community, a region.
SCOPES: tuple[dict[str, str], ...] = ({}, {"community": "com-a"}, {"community": "com-b"}, {"region": "mic-kinki"})
REQUIRED_QUERY = {
    "region": "mic-kinki",
    "group_a": "police",
    "group_b": "university",
    "earlier": "2020-04-01",
    "later": "2021-03-31",
}


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    yield from embedded_api(tmp_path_factory.mktemp("matrix"))


def _text(response: httpx.Response, tmp: Path) -> str:
    """Everything a reader of the answer could see, as text."""
    kind = response.headers.get("content-type", "")
    content = response.content
    if "pdf" in kind:
        pdf = tmp / "answer.pdf"
        pdf.write_bytes(content)
        return subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    if content[:2] == b"PK":  # a zip of CSVs, or an XLSX workbook (whose text is in its XML parts)
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return "\n".join(archive.read(name).decode("utf-8-sig", "replace") for name in archive.namelist())
    if "image/png" in kind:
        return ""  # pixels: the same figure's SVG and PDF are read instead
    return content.decode("utf-8-sig", "replace")


def _routes(api: Api) -> list[tuple[str, dict]]:
    schema = api.client.get("/openapi.json").json()
    return [(path, ops["get"]) for path, ops in sorted(schema["paths"].items()) if "get" in ops]


def _enum(parameter: dict) -> list[str]:
    schema = parameter.get("schema", {})
    options = schema.get("enum") or next((s.get("enum") for s in schema.get("anyOf", []) if s.get("enum")), None)
    return list(options or [])


def _values(api: Api, path: str, parameter: dict) -> list[tuple[str, str]]:
    name = parameter["name"]
    if _enum(parameter):
        return [(value, "all") for value in _enum(parameter)]
    if name == "name" and path.startswith("/charts"):
        return [(chart["name"], "all") for chart in api.get("admin", "/charts").json()]
    if name == "name" and path.startswith("/views/layouts"):
        return [("matrix", "all")]
    segment = path.strip("/").split("/")[0]
    assert segment in RECORDS, f"give {path}'s parameter {name!r} values in RECORDS"
    return list(RECORDS[segment])


def _requests(api: Api, path: str, operation: dict) -> Iterator[tuple[str, str]]:
    """(url, who may see it) for each combination of path values, formats and scopes."""
    parameters = operation.get("parameters", [])
    in_path = [p for p in parameters if p["in"] == "path"]
    query = {p["name"]: p for p in parameters if p["in"] == "query"}
    required = {name: REQUIRED_QUERY[name] for name, p in query.items() if p.get("required")}
    formats = _enum(query["format"]) if "format" in query else [None]
    scopes = SCOPES if {"community", "region"} <= set(query) else ({},)
    for combination in itertools.product(*(_values(api, path, p) for p in in_path)):
        url = path
        visible = "all"
        for parameter, (value, who) in zip(in_path, combination, strict=True):
            url = url.replace("{" + parameter["name"] + "}", value)
            visible = who if who != "all" else visible
        # every scope in the first format; the other formats (the same drawing) for the country and one community
        tried = [(formats[0], scope) for scope in scopes] + [(f, s) for f in formats[1:] for s in scopes[:2]]
        for fmt, scope in tried:
            params = {**required, **scope, **({"format": fmt} if fmt else {})}
            yield (f"{url}?{urlencode(params)}" if params else url), visible


def test_every_read_endpoint_shows_each_role_only_what_it_may_see(api: Api, tmp_path: Path) -> None:
    # a stored layout to read back, saved by a role that sees everything
    saved = api.put("planner", "/views/layouts/matrix?community=com-a", json={})
    assert saved.status_code in (200, 201), saved.text
    tried = 0
    for (path, operation), role in itertools.product(_routes(api), ROLES):
        if path in ("/health", "/docs", "/redoc", "/openapi.json", "/me", "/keys") or path.startswith("/imports"):
            continue
        for url, visible in _requests(api, path, operation):
            response = api.get(role, url)
            tried += 1
            if visible == "none":
                assert response.status_code == 404, (role, url)
                continue
            if (visible == "confidential" and HIDDEN[role]) or (visible == "named" and role == "viewer"):
                assert response.status_code == 404, (role, url, response.status_code)
                continue
            assert response.status_code == 200, (role, url, response.status_code, response.text[:300])
            text = _text(response, tmp_path)
            leaked = [secret for secret in HIDDEN[role] if secret in text]
            assert not leaked, (role, url, leaked)
    assert tried > 500  # every route, role, scope and format
    artifacts = Path(__file__).resolve().parents[1] / "test-artifacts"
    artifacts.mkdir(exist_ok=True)
    routes = len({path for path, _op in _routes(api)})
    (artifacts / "access_matrix.json").write_text(f'{{"requests": {tried}, "routes": {routes}}}\n', encoding="utf-8")


def test_confidential_records_do_reach_the_roles_that_may_see_them(api: Api, tmp_path: Path) -> None:
    """The check above is not vacuous: the same answers do carry the confidential text for planners."""
    for url in ("/exports/graph?format=json", "/views/network", "/exports/graph?format=graphml"):
        for role in ("admin", "planner"):
            assert "秘密商事" in _text(api.get(role, url), tmp_path), (role, url)
        assert "山田" in _text(api.get("planner", url), tmp_path), url
