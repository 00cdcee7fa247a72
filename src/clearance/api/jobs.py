"""Asynchronous batch screening jobs: upload a file, poll progress, download the results.

Job state lives in files under the jobs directory (``<id>/job.json``, the input and the
results), not in memory, so with ``--workers N`` any worker can answer ``GET /jobs/{id}`` for a
job another worker runs. The screening itself is the batch module's partition function.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import FileResponse

from clearance.api.models import ErrorResponse, JobInfo
from clearance.api.security import Principal, Role, audit, require
from clearance.errors import ClearanceError

log = logging.getLogger("clearance.api")

router = APIRouter(tags=["batch jobs"])
ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorResponse} for code in (400, 401, 403, 404, 409, 413, 429, 503)
}
INPUT_SUFFIXES = {".csv", ".parquet", ".jsonl", ".ndjson"}
#: Rows screened between progress updates.
CHUNK_ROWS = 500


class JobRunner:
    """Runs batch jobs one at a time in a background thread of this process."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="clearance-job")
        self._lock = threading.Lock()

    def shutdown(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)

    def _dir(self, job_id: str) -> Path:
        if not job_id.isalnum():
            raise HTTPException(404, f"No job {job_id!r}.")
        return self.root / job_id

    def _write(self, job_id: str, state: dict[str, Any]) -> None:
        path = self._dir(job_id) / "job.json"
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(state, default=str))
        os.replace(tmp, path)

    def state(self, job_id: str) -> dict[str, Any]:
        path = self._dir(job_id) / "job.json"
        if not path.exists():
            raise HTTPException(404, f"No job {job_id!r}.")
        return json.loads(path.read_text())

    def submit(
        self,
        filename: str,
        data: bytes,
        owner: Principal,
        screener: Any,
        threshold: float | None,
        limit: int,
    ) -> dict[str, Any]:
        suffix = Path(filename).suffix.lower()
        if suffix not in INPUT_SUFFIXES:
            raise HTTPException(
                400, f"Unsupported file type {suffix or '(none)'!r}: upload CSV, Parquet or JSONL."
            )
        job_id = secrets.token_hex(8)
        folder = self.root / job_id
        folder.mkdir(parents=True)
        (folder / f"input{suffix}").write_bytes(data)
        state = {
            "id": job_id,
            "status": "queued",
            "filename": filename,
            "owner": owner.key_id,
            "rows_total": None,
            "rows_done": 0,
            "hits": 0,
            "errors": [],
            "created_at": datetime.now(UTC).isoformat(),
            "finished_at": None,
            "threshold": threshold,
            "limit": limit,
        }
        self._write(job_id, state)
        self._executor.submit(self._run, job_id, folder / f"input{suffix}", screener, state)
        return state

    def _run(self, job_id: str, path: Path, screener: Any, state: dict[str, Any]) -> None:
        from clearance.batch import read_records, screen_partition, write_results

        state["status"] = "running"
        self._write(job_id, state)
        try:
            records, problems = read_records(path)
            state["rows_total"] = len(records)
            state["errors"] = [str(p) for p in problems][:100]
            self._write(job_id, state)
            parts = []
            for start in range(0, len(records), CHUNK_ROWS):
                chunk = records.iloc[start : start + CHUNK_ROWS]
                hits = screen_partition(
                    chunk, screener=screener, threshold=state["threshold"], limit=state["limit"]
                )
                parts.append(hits)
                state["rows_done"] = min(len(records), start + CHUNK_ROWS)
                state["hits"] += len(hits)
                self._write(job_id, state)
            write_results(parts, self._dir(job_id) / "results.parquet")
            state["status"] = "done"
        except ClearanceError as exc:
            state["status"] = "failed"
            state["errors"] = [*state["errors"], str(exc)]
        except Exception:
            log.exception("batch job %s failed", job_id)
            state["status"] = "failed"
            state["errors"] = [*state["errors"], "internal error; see the server log"]
        state["finished_at"] = datetime.now(UTC).isoformat()
        self._write(job_id, state)


def job_info(state: dict[str, Any]) -> JobInfo:
    return JobInfo(
        id=state["id"],
        status=state["status"],
        filename=state["filename"],
        rows_total=state["rows_total"],
        rows_done=state["rows_done"],
        hits=state["hits"],
        errors=state["errors"],
        created_at=state["created_at"],
        finished_at=state["finished_at"],
        results_url=f"/jobs/{state['id']}/results" if state["status"] == "done" else None,
    )


def owned_job(request: Request, principal: Principal, job_id: str) -> dict[str, Any]:
    """The job's state if the caller started it (admins see every job); 404 otherwise."""
    state = request.app.state.jobs.state(job_id)
    if state["owner"] != principal.key_id and not principal.role.allows(Role.ADMIN):
        raise HTTPException(404, f"No job {job_id!r}.")
    return state


def start_job(
    request: Request, principal: Principal, filename: str, data: bytes, threshold: float | None
) -> dict[str, Any]:
    """Queue a batch job (shared by the API and the web UI)."""
    screener = request.app.state.services.screener()
    state = request.app.state.jobs.submit(filename, data, principal, screener, threshold, limit=5)
    audit(request, "/screen/batch", {"file": filename, "bytes": len(data)}, 0)
    return state


@router.post("/screen/batch", response_model=JobInfo, status_code=202, responses=ERRORS)
async def screen_batch(
    request: Request,
    principal: Annotated[Principal, Depends(require(Role.ANALYST))],
    file: Annotated[
        UploadFile, File(description="CSV, Parquet or JSONL with id,name,schema,birth_date,country")
    ],
    threshold: Annotated[float | None, Form(ge=0.0, le=1.0)] = None,
) -> JobInfo:
    """Start screening a file; poll ``GET /jobs/{id}`` and download the results when done."""
    data = await file.read()
    state = start_job(request, principal, file.filename or "upload.csv", data, threshold)
    return job_info(state)


@router.get("/jobs/{job_id}", response_model=JobInfo, responses=ERRORS)
def get_job(
    request: Request,
    job_id: str,
    principal: Annotated[Principal, Depends(require(Role.ANALYST))],
) -> JobInfo:
    """Progress of a batch job."""
    return job_info(owned_job(request, principal, job_id))


@router.get(
    "/jobs/{job_id}/results",
    responses={
        **ERRORS,
        200: {"content": {"text/csv": {}, "application/vnd.apache.parquet": {}}},
    },
    response_class=FileResponse,
)
def job_results(
    request: Request,
    job_id: str,
    principal: Annotated[Principal, Depends(require(Role.ANALYST))],
    format: str = "csv",
) -> FileResponse:
    """The job's hits as CSV or Parquet (one row per hit)."""
    state = owned_job(request, principal, job_id)
    if state["status"] != "done":
        raise HTTPException(
            409, f"Job {job_id} is {state['status']}; results come when it is done."
        )
    if format not in ("csv", "parquet"):
        raise HTTPException(400, "format must be csv or parquet.")
    folder = request.app.state.jobs.root / job_id
    parquet = folder / "results.parquet"
    if format == "parquet":
        return FileResponse(
            parquet, media_type="application/vnd.apache.parquet", filename=f"{job_id}.parquet"
        )
    csv_path = folder / "results.csv"
    if not csv_path.exists():
        import pandas as pd

        pd.read_parquet(parquet).to_csv(csv_path, index=False)
    return FileResponse(csv_path, media_type="text/csv", filename=f"{job_id}.csv")
