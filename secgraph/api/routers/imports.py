"""一括読み込み / Imports: one CSV file, a zip of CSV files or an Excel workbook, all or nothing."""

from __future__ import annotations

import shutil
from pathlib import Path as FilePath
from typing import Annotated, Any

from fastapi import APIRouter, File, Path, Query, Request, UploadFile
from fastapi.responses import JSONResponse

from secgraph.api.deps import CurrentPrincipal, Imports
from secgraph.api.imports import new_upload_folder, safe_upload_name, save_upload, unpack_zip
from secgraph.api.problems import ProblemError, ProblemOut
from secgraph.api.routers import ERROR_RESPONSES
from secgraph.api.schemas import ImportJobOut, ImportReport

router = APIRouter(prefix="/imports", tags=["imports"], responses=ERROR_RESPONSES)


@router.post(
    "",
    response_model=ImportReport,
    summary="ファイルを読み込む（全部か無か） / Import a file, all or nothing",
    description=(
        "`file` に organisations.csv などのCSV、CSVをまとめたzip、またはExcelブック（シート名＝表の名前）を送ります。"
        "1行でも誤りがあれば何も書き込まず、422 でファイル・行・列・理由を返します（`secgraph load` と同じ報告）。"
        "大きなファイル（既定 1 MB 超）や `background=true` は 202 とジョブを返すので `GET /imports/{id}` で進み具合を"
        "確認します。管理者と企画担当が使えます（企画担当はメモ・ロングリスト・接触のみ）。\n\n"
        "Send `file`: a CSV named after its table (organisations.csv …), a zip of such CSVs, or a workbook whose "
        "sheets are named so. One bad row and nothing is written: 422 with file, row, column and reason for every "
        "problem — the report `secgraph load` prints. Large files (over 1 MB by default) or `background=true` "
        "answer 202 with a job to poll at `GET /imports/{id}`. For administrators and planners (planners: notes, "
        "long lists and contacts only)."
    ),
    responses={
        202: {"model": ImportJobOut, "description": "バックグラウンドで実行中 / Running in the background"},
        415: {"model": ProblemOut, "description": "読めない形式 / Not a CSV, zip or xlsx file"},
    },
    operation_id="create_import",
)
def create_import(
    request: Request,
    principal: CurrentPrincipal,
    imports: Imports,
    file: Annotated[UploadFile, File(description="CSV・zip・xlsx / A CSV, zip or xlsx file")],
    check_only: Annotated[bool, Query(description="検証のみ、書き込まない / Validate only, write nothing")] = False,
    background: Annotated[
        bool | None, Query(description="バックグラウンドで実行（省略時は大きさで判断） / Run as a job (default: size)")
    ] = None,
) -> Any:
    imports.check_role(principal)
    settings = request.app.state.settings
    name = safe_upload_name(file.filename)
    folder: FilePath | None = new_upload_folder()
    try:
        saved = save_upload(file.file, folder, name, settings.max_import_bytes)
        size = saved.stat().st_size
        data = unpack_zip(saved, folder, settings.max_unpacked_bytes) if name.lower().endswith(".zip") else saved
        if background if background is not None else size > settings.background_import_bytes:
            job = imports.submit(principal, folder, data, name, check_only)
            folder = None  # the job removes it when it ends
            return JSONResponse(job.as_dict(), status_code=202, headers={"Location": f"/imports/{job.id}"})
        outcome = imports.run(principal, data, name, check_only, phase=lambda _: None)
    finally:
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
    if outcome.problem is not None:
        problem = outcome.problem
        raise ProblemError(problem.status, problem.detail, problem.errors, report=outcome.report)
    return outcome.report


@router.get(
    "/{job_id}",
    response_model=ImportJobOut,
    summary="読み込みジョブの状況 / An import job's progress",
    description="ジョブを作ったキー（または管理者）だけが見られます / Only the key that started it (or an "
    "administrator) sees a job.",
    operation_id="get_import",
)
def get_import(
    principal: CurrentPrincipal,
    imports: Imports,
    job_id: Annotated[str, Path(description="ジョブID / Job id", examples=["Zk3v1Q9xTq0aB2cd"])],
) -> dict[str, Any]:
    return imports.job(principal, job_id).as_dict()
