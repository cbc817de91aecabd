"""The command line: keys, list and search, language, help, and serve (refusal and a real start)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from secgraph.cli import main
from secgraph.cli.common import choose_language, format_table
from secgraph.cli.serve import most_workers
from tests.neo4j_server import free_port

REPO = Path(__file__).resolve().parents[1]
GOOD = REPO / "tests" / "data" / "good"


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An embedded store and a keys file of this test's own, English messages by default."""
    monkeypatch.setenv("SECGRAPH_DB", str(tmp_path / "graph.db"))
    monkeypatch.setenv("SECGRAPH_KEYS", str(tmp_path / "keys.db"))
    for name in ("NEO4J_URI", "SECGRAPH_STORE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_keys_are_created_shown_once_listed_without_secrets_and_revoked(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "keys", "create", "--role", "planner", "--name", "近畿局")
    assert code == 0
    key = next(word for word in out.split() if word.startswith("sg_"))
    assert key.encode() not in (env / "keys.db").read_bytes()
    code, listing, _ = run(capsys, "keys", "list")
    key_id = key.split("_")[1]
    assert code == 0 and key_id in listing and "近畿局" in listing and key not in listing
    code, listed, _ = run(capsys, "keys", "list", "--json")
    assert json.loads(listed)[0]["role"] == "planner" and key not in listed
    assert run(capsys, "keys", "revoke", key_id)[0] == 0
    assert json.loads(run(capsys, "keys", "list", "--json")[1])[0]["revoked_at"]
    assert run(capsys, "keys", "list", "--active")[1].startswith("No keys")
    code, _, err = run(capsys, "keys", "revoke", key_id)
    assert code == 2 and "already revoked" in err
    assert "none created" not in run(capsys, "keys", "create", "--role", "admin", "--only-if-none")[1]
    assert "none created" in run(capsys, "keys", "create", "--role", "admin", "--only-if-none")[1]


def test_a_secretariat_key_names_an_existing_community(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "keys", "create", "--role", "secretariat", "--community", "nowhere")
    assert code == 2 and "nowhere" in err
    assert run(capsys, "load", str(GOOD))[0] == 0
    assert run(capsys, "keys", "create", "--role", "secretariat", "--community", "t-com-ksn")[0] == 0
    code, _, err = run(capsys, "keys", "create", "--role", "secretariat")
    assert code == 2 and "--community" in err


def test_list_and_search_print_tables_or_json(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "load", str(GOOD))[0] == 0
    code, table, _ = run(capsys, "list", "organisations", "--sector", "security_vendor")
    assert code == 0 and "トレンドマイクロ" in table and "Security vendor" in table.splitlines()[2]
    code, out, _ = run(capsys, "list", "organisations", "--json", "--limit", "1")
    page = json.loads(out)
    assert page["limit"] == 1 and len(page["items"]) == 1 and page["total"] > 1
    code, out, _ = run(capsys, "search", "(株)トレンドマイクロ")
    assert code == 0 and "Organisation" in out and "t-org-trend" in out
    assert "関西" in run(capsys, "list", "communities", "--region", "近畿")[1]
    assert "MEMBER_OF" in run(capsys, "list", "relationships", "--type", "MEMBER_OF")[1]
    assert run(capsys, "search", "zzz-nothing")[1].strip() == "nothing found"
    code, _, err = run(capsys, "list", "organisations", "--sector", "宇宙")
    assert code == 2 and "宇宙" in err


def test_hide_names_shows_what_a_viewer_sees(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "load", str(GOOD))[0] == 0
    assert "山田" in run(capsys, "list", "people")[1]
    hidden = run(capsys, "list", "people", "--hide-names", "--json")[1]
    assert "山田" not in hidden and "Yamada" not in hidden and "t-per-1" not in hidden
    assert json.loads(hidden)["items"][0]["name"].startswith("講師")


def test_messages_follow_the_flag_or_the_locale(
    env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert choose_language(["--lang", "ja"], {}) == "ja"
    assert choose_language(["--lang=en"], {"LANG": "ja_JP.UTF-8"}) == "en"
    assert choose_language([], {"LC_ALL": "ja_JP.UTF-8", "LANG": "en_US"}) == "ja"
    assert choose_language([], {"LANG": "ja_JP.UTF-8"}) == "ja"
    assert choose_language([], {}) == "en"
    assert run(capsys, "--lang", "ja", "search", "zzz")[1].strip() == "該当なし"
    monkeypatch.setenv("LANG", "ja_JP.UTF-8")
    assert run(capsys, "search", "zzz")[1].strip() == "該当なし"


@pytest.mark.parametrize(
    "argv", [[], ["load"], ["info"], ["list"], ["search"], ["keys"], ["keys", "create"], ["serve"]]
)
@pytest.mark.parametrize("lang", ["ja", "en"])
def test_every_command_explains_itself(capsys: pytest.CaptureFixture[str], argv: list[str], lang: str) -> None:
    with pytest.raises(SystemExit) as done:
        main(["--lang", lang, *argv, "--help"])
    assert done.value.code == 0
    text = capsys.readouterr().out
    assert text.startswith("usage: secgraph") and len(text) > 100
    if lang == "ja":
        assert any("\u3040" <= c <= "\u30ff" or "\u4e00" <= c <= "\u9fff" for c in text)


def test_serving_beyond_loopback_without_keys_is_refused(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "serve", "--host", "0.0.0.0")
    assert code == 2 and "keys create" in err and "0.0.0.0" in err and out == ""


@pytest.mark.parametrize("workers", ["0", "-1", str(most_workers() + 1)])
@pytest.mark.parametrize("lang", ["ja", "en"])
def test_a_nonsensical_number_of_workers_is_refused(
    env: Path, capsys: pytest.CaptureFixture[str], workers: str, lang: str
) -> None:
    code, out, err = run(capsys, "--lang", lang, "serve", "--workers", workers)
    assert code == 2 and out == "" and "--workers" in err and f"{most_workers()}" in err and workers in err
    assert ("コア数" in err) == (lang == "ja") and ("per core" in err) == (lang == "en")
    assert not (env / "keys.db").exists()  # refused before anything was made


def test_serve_prints_where_to_go_and_the_key_to_use(tmp_path: Path) -> None:
    port = free_port()
    environment = {
        **{k: v for k, v in os.environ.items() if k not in ("NEO4J_URI", "SECGRAPH_STORE")},
        "SECGRAPH_DB": str(tmp_path / "graph.db"),
        "SECGRAPH_KEYS": str(tmp_path / "keys.db"),
        "LANG": "C.UTF-8",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "secgraph", "serve", "--port", str(port)],
        cwd=tmp_path,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert f"http://127.0.0.1:{port}/docs" in line
        key = next(word for word in line.split() if word.startswith("sg_"))
        assert f"http://127.0.0.1:{port}/ " in line and line.split()[-1] == key  # the sign-in page, then the key
        deadline = time.monotonic() + 30
        while True:
            try:
                me = httpx.get(f"http://127.0.0.1:{port}/me", headers={"Authorization": f"Bearer {key}"})
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline and process.poll() is None
                time.sleep(0.1)
        assert me.json()["role"] == "admin"
        assert key.encode() not in (tmp_path / "keys.db").read_bytes()  # the one-off key is never stored
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_tables_line_up_japanese_text() -> None:
    table = format_table(["id", "name"], [["a", "大阪府警察"], ["bb", "IPA"]]).splitlines()
    assert table[2] == "a   大阪府警察" and table[3] == "bb  IPA"
    assert format_table(["x"], [["あ" * 60]]).splitlines()[2].endswith("…")
