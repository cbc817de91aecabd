"""Imports over HTTP: one uploaded CSV file, zip of CSV files or Excel workbook, loaded all or
nothing through the same importer as ``secgraph load``, with the same row-level report.

The upload is written to a fresh temporary folder (a zip is unpacked there, refusing paths that
climb out of it, and more than ``max_unpacked_bytes`` or ``MAX_ZIP_FILES`` files) and removed when
the import ends. Large uploads run as background jobs one at a time; a job reports its phase and,
when done, the report (or the problem that stopped it).
"""

from __future__ import annotations

import datetime as dt
import secrets
import shutil
import tempfile
import threading
import time
import zipfile
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO

from secgraph.access import Principal, Role, write_refusals
from secgraph.api.problems import ProblemError, problem_body, unavailable_errors
from secgraph.api.services import GraphService, forbidden
from secgraph.io.importer import LoadReport, plan_against, read_load
from secgraph.io.limits import DEFAULT_LIMITS, ReadLimits
from secgraph.io.tables import TABLE_NAMES, table_name_for
from secgraph.store import ChangeRefused, StoreError, WriteConflict
from secgraph.store.base import WRITE_ATTEMPTS

MAX_ZIP_FILES = DEFAULT_LIMITS.archive_files
MAX_JOBS_KEPT = 100
_CHUNK = 1024 * 1024
IMPORT_ROLES = (Role.ADMIN, Role.PLANNER)

#: phase -> (step, Japanese, English)
PHASES: dict[str, tuple[int, str, str]] = {
    "queued": (0, "待機中", "waiting for earlier imports"),
    "validating": (1, "検証中（読み込み・名寄せ・参照確認）", "reading, merging and checking every row"),
    "writing": (2, "書き込み中（1トランザクション）", "writing in one transaction"),
    "finished": (3, "完了", "finished"),
}


def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


def safe_upload_name(filename: str | None) -> str:
    """The uploaded file's own name (no folders), if it is a kind of file the importer reads."""
    name = PurePosixPath((filename or "").replace("\\", "/")).name.strip()
    suffix = PurePosixPath(name).suffix.casefold()
    if not name or name in (".", "..") or "\x00" in name or suffix not in (".csv", ".xlsx", ".zip", ".json"):
        raise ProblemError(
            415,
            "upload a .csv file, a .zip of .csv files, an .xlsx workbook or a secgraph JSON export"
            " / .csv・.zip・.xlsx・secgraphのJSON出力を送ってください",
            [{"field": "file", "reason": f"unsupported file '{name}' / 読めない形式です"}],
        )
    if suffix == ".csv" and table_name_for(PurePosixPath(name).stem) is None:
        names = ", ".join(f"{t}.csv" for t in TABLE_NAMES)
        raise ProblemError(
            422,
            f"a CSV file is named after what its rows are: {names} / CSVのファイル名は表の名前にしてください",
            [{"field": "file", "reason": f"'{name}' is not one of {names}"}],
        )
    return name


def save_upload(source: BinaryIO, folder: Path, name: str, limit: int) -> Path:
    """Copy the upload into ``folder`` in chunks, refusing it past ``limit`` bytes."""
    target = folder / name
    written = 0
    with open(target, "wb") as out:
        while chunk := source.read(_CHUNK):
            written += len(chunk)
            if written > limit:
                raise ProblemError(413, f"the upload is larger than {limit // 1024} KiB / ファイルが大きすぎます")
            out.write(chunk)
    return target


def unpack_zip(archive: Path, folder: Path, max_bytes: int) -> Path:
    """Unpack ``archive`` into ``folder/data`` safely; return that folder."""
    data = folder / "data"
    data.mkdir()
    try:
        with zipfile.ZipFile(archive) as zipped:
            members = [m for m in zipped.infolist() if not m.is_dir()]
            if len(members) > MAX_ZIP_FILES:
                raise ProblemError(413, f"the zip holds more than {MAX_ZIP_FILES} files / ファイル数が多すぎます")
            total = 0
            for member in members:
                path = PurePosixPath(member.filename.replace("\\", "/"))
                if path.is_absolute() or ".." in path.parts or (path.parts and ":" in path.parts[0]):
                    raise ProblemError(
                        422,
                        "the zip holds a path outside its own folder / zip内のパスが不正です",
                        [{"field": "file", "reason": f"unsafe path '{member.filename}'"}],
                    )
                if path.parts[0] == "__MACOSX" or path.name.startswith("."):
                    continue  # what macOS adds to every zip
                target = data.joinpath(*path.parts)
                target.parent.mkdir(parents=True, exist_ok=True)
                with zipped.open(member) as source, open(target, "wb") as out:
                    # Sizes in the zip's directory can lie: count what actually comes out.
                    while chunk := source.read(_CHUNK):
                        total += len(chunk)
                        if total > max_bytes:
                            mib = max_bytes // 1024 // 1024
                            raise ProblemError(413, f"the zip unpacks to more than {mib} MiB / 展開後が大きすぎます")
                        out.write(chunk)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError) as error:
        raise ProblemError(
            422,
            f"not a readable zip file: {error} / zipファイルとして読めません",
            [{"field": "file", "reason": str(error)}],
        ) from None
    return data


@dataclass
class ImportJob:
    id: str
    owner: str  # key id
    file: str
    check_only: bool
    status: str = "queued"  # queued, running, done, refused, failed
    phase: str = "queued"
    created_at: str = field(default_factory=_now)
    finished_at: str | None = None
    started: float = field(default_factory=time.monotonic)
    report: dict[str, Any] | None = None
    problem: dict[str, Any] | None = None

    def as_dict(self) -> dict[str, Any]:
        step, ja, en = PHASES[self.phase]
        return {
            "id": self.id,
            "file": self.file,
            "check_only": self.check_only,
            "status": self.status,
            "progress": {"phase": self.phase, "step": step, "steps": 3, "ja": ja, "en": en},
            "created_at": self.created_at,
            "finished_at": self.finished_at,
            "elapsed_s": round(time.monotonic() - self.started, 2),
            "report": self.report,
            "problem": self.problem,
        }


@dataclass(frozen=True)
class ImportOutcome:
    status: int
    report: dict[str, Any] | None
    problem: ProblemError | None = None


class ImportService:
    def __init__(self, graph: GraphService, limits: ReadLimits = DEFAULT_LIMITS):
        self.graph = graph
        self.limits = limits
        self._jobs: OrderedDict[str, ImportJob] = OrderedDict()
        self._lock = threading.Lock()
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="secgraph-import")

    @staticmethod
    def check_role(principal: Principal) -> None:
        if principal.role not in IMPORT_ROLES:
            raise ProblemError(
                403,
                "imports are for administrators and planners / 一括読み込みは管理者と企画担当のみです",
                [{"field": "role", "reason": f"role {principal.role} may not import"}],
            )

    def run(
        self, principal: Principal, path: Path, shown_as: str, check_only: bool, phase: Callable[[str], None]
    ) -> ImportOutcome:
        """Validate and (unless ``check_only``) write ``path``: all or nothing.

        Reading the file and checking every row take the time (and a hostile file could take a
        lot): they run before the write lock, as does the plan against the graph of that moment.
        The lock is held only to write — and to plan again first, should another write have landed
        in between — so that what was checked is what is written over; a write of another process
        landing between that plan and the transaction sends it round again (``WriteConflict``)."""
        phase("validating")
        read = read_load(path, limits=self.limits, progress=False)
        read.path = shown_as
        if not read.ok:
            return _refused(read.report())
        revision, graph = self.graph.snapshot()
        report, change = plan_against(read, graph)
        if not report.ok:
            return _refused(report)
        with self.graph.write_lock:
            for attempt in range(1, WRITE_ATTEMPTS + 1):
                current, graph = self.graph.snapshot()
                if current != revision:
                    report, change = plan_against(read, graph)
                    if not report.ok:
                        return _refused(report)
                    revision = current
                refusals = write_refusals(principal, graph, change)
                if refusals:
                    return ImportOutcome(403, None, forbidden(refusals))
                if check_only or change.is_empty():
                    break
                phase("writing")
                try:
                    # another process's write since ``current`` sends the import round again
                    report.revision = self.graph.store.write(change, based_on=current)
                except WriteConflict:
                    if attempt == WRITE_ATTEMPTS:
                        raise
                    continue
                report.written = True
                break
        body = report.as_dict() | {"revision": report.revision}
        return ImportOutcome(200, body)

    # -- background jobs -------------------------------------------------------------------------

    def submit(self, principal: Principal, folder: Path, path: Path, shown_as: str, check_only: bool) -> ImportJob:
        job = ImportJob(id=secrets.token_urlsafe(12), owner=principal.key_id, file=shown_as, check_only=check_only)
        with self._lock:
            self._jobs[job.id] = job
            while len(self._jobs) > MAX_JOBS_KEPT:
                oldest = next(iter(self._jobs))
                if self._jobs[oldest].status in ("queued", "running"):
                    break
                self._jobs.pop(oldest)
        self._executor.submit(self._run_job, job, principal, folder, path)
        return job

    def _run_job(self, job: ImportJob, principal: Principal, folder: Path, path: Path) -> None:
        def phase(name: str) -> None:
            job.phase = name
            job.status = "running"

        try:
            outcome = self.run(principal, path, job.file, job.check_only, phase)
            job.report = outcome.report
            if outcome.problem is not None:
                job.problem = _problem_dict(outcome.problem, job)
            job.status = "done" if outcome.status == 200 else "refused"
        except ChangeRefused as error:
            job.problem = problem_body(
                409,
                "the store refused the change; nothing was written / 変更は拒否されました",
                f"/imports/{job.id}",
                [{"record": p.record, "field": p.field, "reason": p.reason} for p in error.problems],
            )
            job.status = "refused"
        except (*unavailable_errors(), StoreError):
            job.problem = problem_body(
                503, "the store is unavailable; nothing was written / ストアに接続できません", f"/imports/{job.id}"
            )
            job.status = "failed"
        except Exception:  # a bug must still end the job visibly, not leave it running forever
            job.problem = problem_body(500, "unexpected error / 予期しないエラー", f"/imports/{job.id}")
            job.status = "failed"
        finally:
            job.phase = "finished"
            job.finished_at = _now()
            shutil.rmtree(folder, ignore_errors=True)

    def job(self, principal: Principal, job_id: str) -> ImportJob:
        with self._lock:
            job = self._jobs.get(job_id)
        if job is None or (job.owner != principal.key_id and principal.role != Role.ADMIN):
            raise ProblemError(404, f"no import job '{job_id}' / 読み込みジョブ「{job_id}」はありません")
        return job

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=False)


def _refused(report: LoadReport) -> ImportOutcome:
    problem = ProblemError(
        422,
        f"{len(report.errors)} problems; nothing was written / {len(report.errors)}件の問題、書き込みなし",
        [e.__dict__ for e in report.errors],
    )
    return ImportOutcome(422, report.as_dict(), problem)


def _problem_dict(problem: ProblemError, job: ImportJob) -> dict[str, Any]:
    return problem_body(problem.status, problem.detail, f"/imports/{job.id}", problem.errors)


def new_upload_folder() -> Path:
    return Path(tempfile.mkdtemp(prefix="secgraph-import-"))
