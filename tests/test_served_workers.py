"""``secgraph serve --workers 2`` as real processes on 127.0.0.1, over the seed data, on each store:
every worker answers from the same store revision.

- the one-off admin key ``serve`` prints works in every worker;
- a write through one worker is seen by the next read through any other (the record itself, and
  analyses computed on a revision at least the write's);
- an analysis both workers hold in their caches is answered anew by both after a write through one;
- a key revoked with ``secgraph keys revoke`` is refused by every worker at its next request;
- the same name sent to both workers at once is created once (each write is judged on the revision
  it lands on, whichever process judged it).

Which worker answered is read from the operating system, not from the service: the server's end of
the test's TCP connection (``/proc/net/tcp``) is a socket only the accepting worker holds among its
open files (``/proc/<pid>/fd``). Each check opens fresh connections until both workers answered it.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from secgraph.access import KeyStore
from secgraph.io.importer import load
from secgraph.store.embedded import EmbeddedStore
from tests.conftest import SEED_DATA, open_neo4j
from tests.neo4j_server import free_port

pytestmark = pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="reads which worker answered from /proc")

WORKERS = 2
#: Fresh connections tried before concluding that a worker never answers (the kernel hands each new
#: connection to whichever worker accepts first; both accept all the time).
CONNECTIONS_AT_MOST = 200
P = {"source": "workers test", "as_of": "2026-11"}


@dataclass
class Answer:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def revision(self) -> int:
        return int(self.headers["X-Graph-Revision"])


@dataclass
class Served:
    process: subprocess.Popen[bytes]
    port: int
    log_path: Path
    keys_path: Path
    env: dict[str, str]
    admin: str = ""

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def worker_pids(self) -> list[int]:
        """The workers uvicorn reports having started, each still running."""
        pids = [int(pid) for pid in re.findall(r"Started server process \[(\d+)\]", self.log())]
        return [pid for pid in pids if Path(f"/proc/{pid}").exists()]

    def worker_of(self, client_port: int) -> int:
        """The worker holding the server's end of the connection from ``client_port``."""
        local, remote = f"0100007F:{self.port:04X}", f"0100007F:{client_port:04X}"
        inode = next(
            fields[9]
            for fields in (line.split() for line in Path("/proc/net/tcp").read_text().splitlines()[1:])
            if fields[1] == local and fields[2] == remote
        )
        for pid in self.worker_pids():
            for fd in Path(f"/proc/{pid}/fd").iterdir():
                try:
                    if os.readlink(fd) == f"socket:[{inode}]":
                        return pid
                except OSError:
                    continue  # closed meanwhile
        raise AssertionError(f"no worker holds the connection from port {client_port}")

    def connect(self) -> Connection:
        return Connection(self)


class Connection:
    """One TCP connection to the server (kept alive between calls) and the worker that accepted it."""

    def __init__(self, server: Served) -> None:
        self.server = server
        self.http = http.client.HTTPConnection("127.0.0.1", server.port, timeout=120)
        self.pid: int | None = None

    def call(self, method: str, path: str, key: str | None = None, body: object = None) -> Answer:
        headers = {"Authorization": f"Bearer {key or self.server.admin}"}
        payload = None
        if body is not None:
            payload = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        self.http.request(method, path, body=payload, headers=headers)
        response = self.http.getresponse()
        answer = Answer(response.status, response.headers, response.read())
        if self.pid is None:  # accepted by now: the answer came back over it
            assert self.http.sock is not None
            self.pid = self.server.worker_of(self.http.sock.getsockname()[1])
        return answer

    def close(self) -> None:
        self.http.close()


def through_every_worker(server: Served, check: Callable[[Connection], None]) -> dict[int, int]:
    """``check`` on fresh connections until every worker ran it; how many times each did."""
    seen: dict[int, int] = {}
    for _ in range(CONNECTIONS_AT_MOST):
        connection = server.connect()
        try:
            check(connection)
            assert connection.pid is not None
            seen[connection.pid] = seen.get(connection.pid, 0) + 1
        finally:
            connection.close()
        if len(seen) == WORKERS:
            return seen
    raise AssertionError(f"after {CONNECTIONS_AT_MOST} connections only workers {sorted(seen)} answered")


@pytest.fixture(scope="module", params=["embedded", "neo4j"])
def served(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """``python -m secgraph serve --workers 2`` over the seed data, no keys in its key file (so it makes
    its one-off admin key), until both workers have started."""
    folder = tmp_path_factory.mktemp(f"workers-{request.param}")
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("NEO4J_", "SECGRAPH_"))},
        "SECGRAPH_KEYS": str(folder / "keys.db"),
        "LANG": "C.UTF-8",
    }
    if request.param == "embedded":
        env["SECGRAPH_DB"] = str(folder / "graph.db")
        store = EmbeddedStore(folder / "graph.db")
    else:
        target = request.getfixturevalue("neo4j_server")
        env |= {"SECGRAPH_STORE": "neo4j", "NEO4J_URI": target.uri}
        env |= {
            name: value
            for name, value in (
                ("NEO4J_USER", target.user),
                ("NEO4J_PASSWORD", target.password),
                ("NEO4J_DATABASE", target.database),
            )
            if value
        }
        store = open_neo4j(target)
        store.clear()
    try:
        assert load(store, SEED_DATA, progress=False).ok
    finally:
        store.close()
    port = free_port()
    log_path = folder / "serve.log"
    with log_path.open("w") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "secgraph", "serve", "--port", str(port), "--workers", str(WORKERS)],
            cwd=folder,
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    server = Served(process, port, log_path, folder / "keys.db", env)
    try:
        deadline = time.monotonic() + 180  # a busy machine takes a while to start two Python processes
        while server.log().count("Application startup complete.") < WORKERS:
            assert process.poll() is None, server.log()
            assert time.monotonic() < deadline, "the workers did not start:\n" + server.log()
            time.sleep(0.2)
        server.admin = re.findall(r"\bsg_[A-Za-z0-9_-]+", server.log())[0]
        assert len(server.worker_pids()) == WORKERS
        yield server
    finally:
        process.terminate()
        process.wait(timeout=60)


def test_the_one_off_admin_key_works_in_every_worker(served: Served) -> None:
    def me(connection: Connection) -> None:
        answer = connection.call("GET", "/me")
        assert answer.status == 200 and answer.json()["role"] == "admin"

    through_every_worker(served, me)
    assert served.admin.encode() not in served.keys_path.read_bytes()  # held in memory, never stored
    secret = served.admin.split("_", 2)[2].encode()
    for pid in served.worker_pids():  # handed over as its salt and digest, not as the key
        environment = Path(f"/proc/{pid}/environ").read_bytes()
        assert b"SECGRAPH_SERVED_ADMIN_KEY=" in environment and secret not in environment


def test_a_write_through_one_worker_is_seen_by_the_next_read_through_any_other(served: Served) -> None:
    crossed = 0  # reads answered by another worker than the one that took the write
    for number in range(4):
        writer = served.connect()
        try:
            body = {"name": f"並行試験会社{number}", "sector": "sme", "prefecture": "13", **P}
            created = writer.call("POST", "/organisations", body=body)
            assert created.status == 201, created.body
            written = created.json()
            written_at = writer.call("GET", "/health").json()["revision"]  # the same worker, just after
        finally:
            writer.close()

        def sees_it(connection: Connection, written: dict[str, Any] = written, written_at: int = written_at) -> None:
            record = connection.call("GET", f"/organisations/{written['id']}")
            assert record.status == 200 and record.json() == written
            assert connection.call("GET", "/health").json()["revision"] >= written_at
            assert connection.call("GET", "/analyses/stage").revision >= written_at

        seen = through_every_worker(served, sees_it)
        crossed += sum(count for pid, count in seen.items() if pid != writer.pid)
    assert crossed > 0


def test_an_analysis_cached_in_both_workers_is_answered_anew_after_a_write_through_one(served: Served) -> None:
    first = served.connect()
    try:
        community = first.call("GET", "/communities?limit=1").json()["items"][0]["id"]
        before = first.call("GET", f"/analyses/missing-sectors?community={community}").json()
    finally:
        first.close()
    coverage = before["communities"][0]
    need = next(n for n in coverage["needs"] if not n["met"])
    path = f"/analyses/missing-sectors?community={community}"
    held: dict[int, int] = {}

    def cached(connection: Connection) -> None:
        answer = connection.call("GET", path)
        assert answer.status == 200 and need["code"] in answer.json()["communities"][0]["missing"]
        held[connection.pid or 0] = answer.revision

    through_every_worker(served, cached)
    writer = served.connect()
    try:
        body = {"name": f"不足を埋める会社{need['code']}", "sector": need["sectors"][0], "prefecture": "13", **P}
        org = writer.call("POST", "/organisations", body=body)
        assert org.status == 201, org.body
        tie = {"type": "MEMBER_OF", "from_id": org.json()["id"], "to_id": community, **P}
        assert writer.call("POST", "/relationships", body=tie).status == 201
    finally:
        writer.close()

    def anew(connection: Connection) -> None:
        answer = connection.call("GET", path)
        assert answer.status == 200 and answer.revision > held[connection.pid or 0]
        assert need["code"] not in answer.json()["communities"][0]["missing"]

    through_every_worker(served, anew)


def test_a_key_revoked_from_the_command_line_is_refused_by_every_worker(served: Served) -> None:
    planner, info = KeyStore(served.keys_path).create("planner", "revoked in the workers test")

    def accepted(connection: Connection) -> None:
        assert connection.call("GET", "/me", key=planner).status == 200  # and remembered by that worker

    through_every_worker(served, accepted)
    revoked = subprocess.run(
        [sys.executable, "-m", "secgraph", "keys", "revoke", info.id],
        env=served.env,
        capture_output=True,
        timeout=120,
    )
    assert revoked.returncode == 0, revoked.stderr

    def refused(connection: Connection) -> None:
        # 429 once a worker's failed-key limit for this address is reached: refused all the same
        assert connection.call("GET", "/me", key=planner).status in (401, 429)

    through_every_worker(served, refused)


def test_one_name_sent_to_both_workers_at_once_is_created_once(served: Served) -> None:
    def create(name: str) -> tuple[int, int]:
        connection = served.connect()
        try:
            answer = connection.call("POST", "/organisations", body={"name": name, "sector": "sme", **P})
            assert connection.pid is not None
            return answer.status, connection.pid
        finally:
            connection.close()

    rounds_on_both = 0
    with ThreadPoolExecutor(8) as pool:
        for number in range(6):
            name = f"同時に登録する会社{number}"
            outcomes = list(pool.map(create, [name] * 8))
            assert sorted(status for status, _pid in outcomes) == [201] + [409] * 7, outcomes
            rounds_on_both += len({pid for _status, pid in outcomes}) == WORKERS
            check = served.connect()
            try:
                found = check.call("GET", f"/organisations?q={quote(name)}").json()["items"]
            finally:
                check.close()
            assert [org["name"] for org in found] == [name]
    assert rounds_on_both > 0
