"""A real Neo4j 5.26 server for tests, without Docker.

Neo4j runs embedded in a small Java launcher (tools/neo4j-launcher) that exposes Bolt on
127.0.0.1. This module builds that launcher with Maven when needed, starts and stops it as a
child process, and offers the session-scoped ``neo4j_server`` pytest fixture.

Set ``NEO4J_URI`` (plus optional ``NEO4J_USER``, ``NEO4J_PASSWORD``, ``NEO4J_DATABASE``) to test
against an existing server instead; nothing is started then.
"""

import atexit
import contextlib
import fcntl
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import pytest
from neo4j import GraphDatabase

REPO_ROOT = Path(__file__).resolve().parent.parent
LAUNCHER_DIR = REPO_ROOT / "tools" / "neo4j-launcher"
LAUNCHER_POM = LAUNCHER_DIR / "pom.xml"
LAUNCHER_SOURCES = LAUNCHER_DIR / "src"
JVM_OPTIONS_FILE = LAUNCHER_DIR / "jvm.options"
LAUNCHER_TARGET = LAUNCHER_DIR / "target"
LAUNCHER_JAR = LAUNCHER_TARGET / "neo4j-launcher.jar"
LAUNCHER_LIB = LAUNCHER_TARGET / "lib"
MAIN_CLASS = "secgraph.launcher.Neo4jLauncher"

HOST = "127.0.0.1"
START_TIMEOUT_S = 180.0
STOP_TIMEOUT_S = 60.0
# A cold build downloads ~120 MB of jars from Maven Central.
BUILD_TIMEOUT_S = 1800.0
LOG_TAIL_LINES = 60
# Only an auto-picked port can lose the race between probing it and the JVM binding it.
AUTO_PORT_ATTEMPTS = 3
# Neo4j warns unless -Xms is set; -Xms equal to -Xmx (its advice for production) roughly doubled
# the idle RSS of a test server here (~510 MiB vs ~410 MiB), so start small and let the heap grow.
MAX_INITIAL_HEAP = "256m"
_SIZE_SUFFIXES = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}


class Neo4jStartError(RuntimeError):
    """The launcher did not come up; the message carries the tail of its log."""


class LauncherBuildError(RuntimeError):
    """Maven could not build tools/neo4j-launcher."""


def _launcher_inputs() -> list[Path]:
    return [LAUNCHER_POM, *sorted(LAUNCHER_SOURCES.rglob("*.java"))]


def _launcher_is_fresh() -> bool:
    if not LAUNCHER_JAR.is_file() or not LAUNCHER_LIB.is_dir():
        return False
    jar_mtime = LAUNCHER_JAR.stat().st_mtime
    return all(path.stat().st_mtime <= jar_mtime for path in _launcher_inputs())


def build_launcher() -> Path:
    """Build the launcher jar if it is missing or older than its inputs; return its path."""
    if _launcher_is_fresh():
        return LAUNCHER_JAR
    mvn = shutil.which("mvn")
    if mvn is None:
        raise LauncherBuildError("mvn not found on PATH; Maven is needed to build tools/neo4j-launcher")
    LAUNCHER_TARGET.mkdir(parents=True, exist_ok=True)
    # Parallel pytest workers all land here at session start; one builds, the rest wait and then
    # find the jar fresh instead of running Maven concurrently on the same target/.
    with open(LAUNCHER_TARGET / ".build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if _launcher_is_fresh():
                return LAUNCHER_JAR
            cmd = [mvn, "-q", "-B", "-f", str(LAUNCHER_POM), "package", "-DskipTests"]
            try:
                result = subprocess.run(
                    cmd,
                    cwd=LAUNCHER_DIR,
                    stdin=subprocess.DEVNULL,
                    capture_output=True,
                    text=True,
                    timeout=BUILD_TIMEOUT_S,
                    check=False,
                )
            except subprocess.TimeoutExpired as exc:
                raise LauncherBuildError(f"{' '.join(cmd)} timed out after {BUILD_TIMEOUT_S:.0f}s") from exc
            if result.returncode != 0 or not LAUNCHER_JAR.is_file():
                output = (result.stdout + result.stderr).strip().splitlines()
                tail = "\n".join(output[-LOG_TAIL_LINES:])
                raise LauncherBuildError(f"{' '.join(cmd)} failed with exit code {result.returncode}:\n{tail}")
            return LAUNCHER_JAR
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def read_jvm_options(path: Path = JVM_OPTIONS_FILE) -> list[str]:
    """Flags from tools/neo4j-launcher/jvm.options: one per line, '#' comments and blanks skipped."""
    options: list[str] = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line and not line.startswith("#"):
            options.append(line)
    return options


def _java_executable() -> str:
    java_home = os.environ.get("JAVA_HOME")
    if java_home:
        candidate = Path(java_home) / "bin" / "java"
        if candidate.is_file():
            return str(candidate)
    java = shutil.which("java")
    if java is None:
        raise Neo4jStartError("java not found on PATH (nor JAVA_HOME/bin/java); Java 17+ is needed")
    return java


def _jvm_size_bytes(size: str) -> int:
    """Bytes in a JVM-style size such as '256m' or '1g'."""
    text = size.strip().lower()
    suffix = text[-1] if text and text[-1] in _SIZE_SUFFIXES else ""
    number = text[: len(text) - len(suffix)]
    if not number.isdigit():
        raise ValueError(f"not a JVM memory size: {size!r}")
    return int(number) * _SIZE_SUFFIXES[suffix]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


# Processes started by this module and not yet stopped; cleaned up at interpreter exit so an
# aborted test session does not leave JVMs holding ports and store locks.
_LIVE: set["Neo4jProcess"] = set()


@atexit.register
def _stop_leftovers() -> None:
    for process in list(_LIVE):
        with contextlib.suppress(Exception):
            process.stop()


class Neo4jProcess:
    """One launcher JVM serving one store directory over Bolt on 127.0.0.1."""

    def __init__(self) -> None:
        self._proc: subprocess.Popen[bytes] | None = None
        self._store_dir: Path | None = None
        self._port: int | None = None
        self._pagecache = "256m"
        self._heap = "1g"
        self._log_path: Path | None = None
        self._log_offset = 0

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("Neo4jProcess has not been started")
        return self._port

    @property
    def uri(self) -> str:
        return f"bolt://{HOST}:{self.port}"

    @property
    def routing_uri(self) -> str:
        return f"neo4j://{HOST}:{self.port}"

    @property
    def store_dir(self) -> Path:
        if self._store_dir is None:
            raise RuntimeError("Neo4jProcess has not been started")
        return self._store_dir

    @property
    def log_path(self) -> Path:
        """Launcher stdout+stderr; Neo4j's own debug.log is under store_dir/logs."""
        if self._log_path is None:
            raise RuntimeError("Neo4jProcess has not been started")
        return self._log_path

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self.is_running() and self._proc is not None else None

    @property
    def returncode(self) -> int | None:
        """Exit status of the last launcher process, or None while it runs or before any start."""
        return None if self._proc is None else self._proc.poll()

    def is_running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def rss_bytes(self) -> int | None:
        """Resident set size of the JVM (Linux /proc), for memory reporting."""
        pid = self.pid
        if pid is None:
            return None
        try:
            status = Path(f"/proc/{pid}/status").read_text(encoding="ascii")
        except OSError:
            return None
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
        return None

    def start(
        self,
        store_dir: Path,
        port: int | None = None,
        pagecache: str = "256m",
        heap: str = "1g",
    ) -> None:
        """Launch the server and return once Bolt answers a driver connectivity check."""
        if self.is_running():
            raise RuntimeError(f"Neo4jProcess already running on port {self._port}")
        _jvm_size_bytes(heap)  # reject a bad size here rather than as a JVM startup error
        store_dir = Path(store_dir).resolve()
        store_dir.mkdir(parents=True, exist_ok=True)
        self._store_dir = store_dir
        self._pagecache = pagecache
        self._heap = heap
        self._log_path = store_dir.parent / f"{store_dir.name}.launcher.log"

        attempts = 1 if port is not None else AUTO_PORT_ATTEMPTS
        for attempt in range(1, attempts + 1):
            self._port = port if port is not None else free_port()
            try:
                self._launch_and_wait()
                return
            except Neo4jStartError:
                lost_port_race = "Address already in use" in self._run_log()
                if attempt == attempts or not lost_port_race:
                    raise

    def restart(self) -> None:
        """Stop if running, then start again on the same store and port."""
        if self._store_dir is None or self._port is None:
            raise RuntimeError("Neo4jProcess has not been started")
        self.stop()
        self.start(self._store_dir, port=self._port, pagecache=self._pagecache, heap=self._heap)

    def stop(self, timeout: float = STOP_TIMEOUT_S) -> int | None:
        """SIGTERM the launcher (clean DBMS shutdown), SIGKILL after ``timeout``; return exit status."""
        proc = self._proc
        if proc is None:
            return None
        if proc.poll() is None:
            # Popen.send_signal targets exactly the child we started and is a no-op once it has
            # been reaped, so a recycled pid can never be hit.
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self._release(proc)
        return proc.returncode

    def kill(self) -> int | None:
        """SIGKILL the launcher: no checkpoint, so the next start runs recovery (for fault tests)."""
        proc = self._proc
        if proc is None:
            return None
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        self._release(proc)
        return proc.returncode

    def _release(self, proc: "subprocess.Popen[bytes]") -> None:
        if proc.stdin is not None:
            with contextlib.suppress(OSError):
                proc.stdin.close()
        _LIVE.discard(self)

    def _initial_heap(self) -> str:
        if _jvm_size_bytes(self._heap) < _jvm_size_bytes(MAX_INITIAL_HEAP):
            return self._heap
        return MAX_INITIAL_HEAP

    def _command(self) -> list[str]:
        classpath = os.pathsep.join([str(LAUNCHER_JAR), str(LAUNCHER_LIB / "*")])
        return [
            _java_executable(),
            f"-Xmx{self._heap}",
            f"-Xms{self._initial_heap()}",
            *read_jvm_options(),
            "-cp",
            classpath,
            MAIN_CLASS,
            "--store",
            str(self.store_dir),
            "--port",
            str(self.port),
            "--pagecache",
            self._pagecache,
            # The launcher exits when this pipe closes, i.e. when this Python process dies, even
            # by SIGKILL; stop() and kill() still signal it directly.
            "--watch-stdin",
        ]

    def _launch_and_wait(self) -> None:
        log_path = self.log_path
        command = self._command()
        with open(log_path, "ab") as log:
            log.write(f"\n=== {time.strftime('%Y-%m-%d %H:%M:%S')} {' '.join(command)}\n".encode())
            log.flush()
            # Restarts append to the same log; only output after this point belongs to this run.
            self._log_offset = log.tell()
            self._proc = subprocess.Popen(
                command,
                stdin=subprocess.PIPE,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=self.store_dir,
                # Own session: a Ctrl-C aimed at pytest must not race the fixture's orderly stop().
                start_new_session=True,
            )
        _LIVE.add(self)
        try:
            self._wait_until_ready(time.monotonic() + START_TIMEOUT_S)
        except BaseException:
            self.kill()
            raise

    def _wait_until_ready(self, deadline: float) -> None:
        assert self._proc is not None
        ready_line = f"NEO4J READY {self.uri}"
        while not self._log_has_line(ready_line):
            if self._proc.poll() is not None:
                self._fail(f"launcher exited with status {self._proc.returncode} before it was ready")
            if time.monotonic() > deadline:
                self._fail(f"no '{ready_line}' within {START_TIMEOUT_S:.0f}s")
            time.sleep(0.1)

        last_error: Exception | None = None
        while time.monotonic() <= deadline:
            if self._proc.poll() is not None:
                self._fail(f"launcher exited with status {self._proc.returncode} after printing READY")
            try:
                with GraphDatabase.driver(self.uri, auth=None) as driver:
                    driver.verify_connectivity()
                return
            except Exception as exc:  # any driver error just means "not yet"
                last_error = exc
                time.sleep(0.2)
        self._fail(f"Bolt at {self.uri} failed verify_connectivity within {START_TIMEOUT_S:.0f}s: {last_error!r}")

    def _run_log(self) -> str:
        """Launcher output of the current run only."""
        try:
            with open(self.log_path, "rb") as handle:
                handle.seek(self._log_offset)
                return handle.read().decode("utf-8", errors="replace")
        except OSError:
            return ""

    def _log_has_line(self, wanted: str) -> bool:
        return any(line.strip() == wanted for line in self._run_log().splitlines())

    def _fail(self, reason: str) -> NoReturn:
        raise Neo4jStartError(
            f"Neo4j launcher on port {self._port} failed: {reason}\n"
            f"launcher log: {self.log_path}\n"
            f"neo4j debug log: {self.store_dir / 'logs' / 'debug.log'}\n"
            f"--- last {LOG_TAIL_LINES} lines of launcher log ---\n"
            + "\n".join(self._run_log().splitlines()[-LOG_TAIL_LINES:])
        )


@dataclass(frozen=True)
class Neo4jTarget:
    """Where tests should connect; ``process`` is None when the server is external (NEO4J_URI)."""

    uri: str
    user: str | None
    password: str | None
    database: str | None
    process: Neo4jProcess | None

    @property
    def auth(self) -> tuple[str, str] | None:
        if self.user is None:
            return None
        return (self.user, self.password or "")


def _env(name: str) -> str | None:
    value = os.environ.get(name)
    return value if value else None


@pytest.fixture(scope="session")
def neo4j_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Neo4jTarget]:
    uri = _env("NEO4J_URI")
    if uri is not None:
        # Every test clears the store it is given: parallel workers on one server would clear each
        # other's data mid-test.
        if int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1")) > 1:
            raise RuntimeError(
                "NEO4J_URI は並列ワーカーで共有できません / NEO4J_URI cannot be shared by parallel workers: "
                "run pytest with -n 0"
            )
        yield Neo4jTarget(
            uri=uri,
            user=_env("NEO4J_USER"),
            password=_env("NEO4J_PASSWORD"),
            database=_env("NEO4J_DATABASE"),
            process=None,
        )
        return

    build_launcher()
    process = Neo4jProcess()
    process.start(tmp_path_factory.mktemp("neo4j") / "store")
    try:
        yield Neo4jTarget(uri=process.uri, user=None, password=None, database=None, process=process)
    finally:
        process.stop()
