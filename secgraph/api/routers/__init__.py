"""One module per resource; each only translates HTTP to the service layer and back."""

from secgraph.api.problems import ProblemOut

#: Documented on every route that needs a key (the OpenAPI page lists them as problem+json).
ERROR_RESPONSES: dict[int | str, dict] = {
    code: {"model": ProblemOut, "description": description}
    for code, description in (
        (401, "APIキーがない・無効 / No or unknown API key"),
        (403, "このキーの役割では許されない / Not allowed for this key's role"),
        (404, "見つからない（見えない記録も同じ） / Not found (records this key may not see too)"),
        (409, "ストアが変更を拒否（参照切れ・重複） / The store refused the change"),
        (413, "本文が大きすぎる / Body too large"),
        (422, "入力の誤り（項目と理由の一覧） / Invalid input, each field with its reason"),
        (429, "失敗が多すぎる / Too many failed key attempts"),
        (503, "ストアに接続できない（自動で回復） / Store unreachable; recovers by itself"),
        (507, "ディスクが一杯・データフォルダが読み取り専用（何も変更なし） / Disk full or data folder read-only"),
    )
}
