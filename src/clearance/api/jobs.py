"""Asynchronous batch screening jobs: upload a file, poll progress, download the results.

Job state lives in files under the jobs directory (``<id>/job.json``, the input, the committed
chunks and the results), not in memory, so with ``--workers N`` any worker can answer
``GET /jobs/{id}`` for a job another worker runs. Reading and screening are the batch module's
(:func:`clearance.batch.read_records`, :func:`clearance.batch.screen_partition`): every record
with a name is screened, warnings are in the results, rejected rows in ``rejects.csv``.

Crash safety: the process running a job holds an exclusive lock on ``<id>/lock`` (released by
the kernel when the process dies) and commits the output of every chunk of records to
``<id>/chunks/`` before it counts the chunk as done. At start, a server marks every job still
``queued`` or ``running`` whose lock is free as ``interrupted``; ``POST /jobs/{id}/resume``
queues it again and it continues after its last committed chunk. Errors name the uploaded
file's name, never the server's path.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import secrets
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Annotated, Any, Literal

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
INPUT_SUFFIXES = {".csv", ".tsv", ".parquet", ".jsonl", ".ndjson"}
#: Records screened and committed together: the unit of progress and of resumption.
CHUNK_ROWS = 500
#: Most warnings and rejects listed in a job's state (all of them are in its files).
LISTED_PROBLEMS = 100
#: States a job is left in by a server that stopped, unless that server still holds its lock.
UNFINISHED = ("queued", "running")


class JobRunner:
    """Runs batch jobs one at a time in a background thread of this process; at start, marks
    the jobs that a stopped server left unfinished as ``interrupted``."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="clearance-job")
        self._lock = threading.Lock()
        self._held: dict[str, IO[str]] = {}  # job id -> its open, locked lock file
        self.mark_interrupted()

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

    # --- the lock that says "a live process runs this job" -------------------------------------

    def _take(self, job_id: str) -> bool:
        """Lock the job for this process; False when another live process holds it."""
        handle = (self._dir(job_id) / "lock").open("a")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            return False
        with self._lock:
            self._held[job_id] = handle
        return True

    def _release(self, job_id: str) -> None:
        with self._lock:
            handle = self._held.pop(job_id, None)
        if handle is not None:
            handle.close()  # closing the file releases the lock

    def mark_interrupted(self) -> list[str]:
        """Mark the unfinished jobs nobody runs as ``interrupted``; returns their ids."""
        marked = []
        if not self.root.is_dir():
            return marked
        for folder in sorted(self.root.iterdir()):
            if not (folder / "job.json").is_file() or not folder.name.isalnum():
                continue
            job_id = folder.name
            if self.state(job_id)["status"] not in UNFINISHED or not self._take(job_id):
                continue
            try:
                state = self.state(job_id)  # again, under the lock
                if state["status"] in UNFINISHED:
                    was = state["status"]
                    state["status"] = "interrupted"
                    state["finished_at"] = datetime.now(UTC).isoformat()
                    state["errors"] = [
                        *state["errors"],
                        f"interrupted: the server stopped while the job was {was}, "
                        f"{state['rows_done']} of {state['rows_total'] or '?'} records done; "
                        f"POST /jobs/{job_id}/resume continues after the last committed chunk",
                    ]
                    self._write(job_id, state)
                    marked.append(job_id)
                    log.warning("batch job %s was left %s: marked interrupted", job_id, was)
            finally:
                self._release(job_id)
        return marked

    # --- running ---------------------------------------------------------------------------

    def submit(
        self,
        filename: str,
        data: bytes,
        owner: Principal,
        screener: Any,
        threshold: float | None,
        limit: int,
        date_order: str | None = None,
        all_records: bool = False,
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
            "filename": Path(filename).name,
            "input": f"input{suffix}",
            "owner": owner.key_id,
            "rows_total": None,
            "rows_done": 0,
            "hits": 0,
            "rejected": 0,
            "records_with_warnings": 0,
            "warnings": [],
            "errors": [],
            "created_at": datetime.now(UTC).isoformat(),
            "finished_at": None,
            "threshold": threshold,
            "limit": limit,
            "date_order": date_order,
            "all_records": all_records,
        }
        self._write(job_id, state)
        self._queue(job_id, screener, state)
        return state

    def resume(self, job_id: str, screener: Any) -> dict[str, Any]:
        """Queue an interrupted job again; it goes on after its last committed chunk."""
        state = self.state(job_id)
        if state["status"] != "interrupted":
            raise HTTPException(
                409, f"Job {job_id} is {state['status']}; only an interrupted job resumes."
            )
        state["status"] = "queued"
        state["finished_at"] = None
        self._write(job_id, state)
        self._queue(job_id, screener, state)
        return state

    def _queue(self, job_id: str, screener: Any, state: dict[str, Any]) -> None:
        if not self._take(job_id):
            raise HTTPException(409, f"Job {job_id} is being run by another server process.")
        self._executor.submit(self._run, job_id, screener, state)

    def _run(self, job_id: str, screener: Any, state: dict[str, Any]) -> None:
        try:
            self._screen(job_id, screener, state)
            state["status"] = "done"
        except ClearanceError as exc:
            state["status"] = "failed"
            state["errors"] = [*state["errors"], self._public(job_id, state, str(exc))]
        except Exception:
            log.exception("batch job %s failed", job_id)
            state["status"] = "failed"
            state["errors"] = [*state["errors"], "internal error; see the server log"]
        finally:
            state["finished_at"] = datetime.now(UTC).isoformat()
            self._write(job_id, state)
            self._release(job_id)

    def _screen(self, job_id: str, screener: Any, state: dict[str, Any]) -> None:
        import pandas as pd

        from clearance.batch import BatchSummary, read_records, screen_partition, write_results
        from clearance.records_io import write_rejects

        folder = self._dir(job_id)
        state["status"] = "running"
        self._write(job_id, state)
        path = folder / state.setdefault("input", next(folder.glob("input.*")).name)
        records, rejects = read_records(path, date_order=state.get("date_order"))
        summary = BatchSummary(rejects=rejects)
        summary.count_records(records)
        write_rejects(rejects, folder / "rejects.csv")
        state["rows_total"] = len(records)
        state["rejected"] = len(rejects)
        state["records_with_warnings"] = summary.warned
        state["warnings"] = [
            f"{state['filename']}, line {line}: {text}"
            for line, texts in zip(records["line"], records["warnings"], strict=True)
            for text in texts
        ][:LISTED_PROBLEMS]
        state["errors"] = [
            self._public(job_id, state, f"rejected: {r}") for r in rejects[:LISTED_PROBLEMS]
        ]
        chunks = folder / "chunks"
        chunks.mkdir(exist_ok=True)
        parts = []
        state["rows_done"] = state["hits"] = 0
        for number, start in enumerate(range(0, len(records), CHUNK_ROWS)):
            committed = chunks / f"{number:06d}.parquet"
            if committed.exists():  # done before an interruption
                part = pd.read_parquet(committed)
            else:
                chunk = records.iloc[start : start + CHUNK_ROWS]
                options = (state["threshold"], state["limit"], state.get("all_records", False))
                part = screen_partition(chunk, screener, *options)
                tmp = committed.with_suffix(".tmp")
                write_results([part], tmp, "parquet")
                os.replace(tmp, committed)
            parts.append(part)
            state["rows_done"] = min(len(records), start + CHUNK_ROWS)
            state["hits"] += int((part["status"] == "hit").sum())
            self._write(job_id, state)
        write_results(parts, folder / "results.parquet")

    def _public(self, job_id: str, state: dict[str, Any], text: str) -> str:
        """``text`` with the server's paths of the job replaced by the uploaded file's name."""
        folder = self._dir(job_id)
        text = text.replace(str(folder / state["input"]), state["filename"])
        return text.replace(str(folder), f"job {job_id}")


def job_info(state: dict[str, Any]) -> JobInfo:
    done = state["status"] == "done"
    return JobInfo(
        id=state["id"],
        status=state["status"],
        filename=state["filename"],
        rows_total=state["rows_total"],
        rows_done=state["rows_done"],
        hits=state["hits"],
        rejected=state.get("rejected", 0),
        records_with_warnings=state.get("records_with_warnings", 0),
        warnings=state.get("warnings", []),
        errors=state["errors"],
        created_at=state["created_at"],
        finished_at=state["finished_at"],
        results_url=f"/jobs/{state['id']}/results" if done else None,
        rejects_url=f"/jobs/{state['id']}/rejects" if done else None,
    )


def owned_job(request: Request, principal: Principal, job_id: str) -> dict[str, Any]:
    """The job's state if the caller started it (admins see every job); 404 otherwise."""
    state = request.app.state.jobs.state(job_id)
    if state["owner"] != principal.key_id and not principal.role.allows(Role.ADMIN):
        raise HTTPException(404, f"No job {job_id!r}.")
    return state


def start_job(
    request: Request,
    principal: Principal,
    filename: str,
    data: bytes,
    threshold: float | None,
    date_order: str | None = None,
    all_records: bool = False,
) -> dict[str, Any]:
    """Queue a batch job (shared by the API and the web UI)."""
    screener = request.app.state.services.screener()
    state = request.app.state.jobs.submit(
        filename, data, principal, screener, threshold, 5, date_order, all_records
    )
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
    date_order: Annotated[
        Literal["dmy", "mdy"] | None,
        Form(description="How to read a birth date like 03/04/1954 (default: match both)"),
    ] = None,
    all_records: Annotated[
        bool, Form(description="A no_hit row for every record without hits too")
    ] = False,
) -> JobInfo:
    """Start screening a file; poll ``GET /jobs/{id}`` and download the results when done.

    Every record with a name is screened; a field that cannot be used is left out and listed in
    the record's ``warnings``; rows that cannot be screened are rejected (``GET
    /jobs/{id}/rejects``)."""
    data = await file.read()
    state = start_job(
        request, principal, file.filename or "upload.csv", data, threshold, date_order, all_records
    )
    return job_info(state)


@router.post("/jobs/{job_id}/resume", response_model=JobInfo, status_code=202, responses=ERRORS)
def resume_job(
    request: Request,
    job_id: str,
    principal: Annotated[Principal, Depends(require(Role.ANALYST))],
) -> JobInfo:
    """Resume an ``interrupted`` job after its last committed chunk (409 for other states)."""
    owned_job(request, principal, job_id)
    screener = request.app.state.services.screener()
    state = request.app.state.jobs.resume(job_id, screener)
    audit(request, f"/jobs/{job_id}/resume", {"job": job_id}, 0)
    return job_info(state)


@router.get(
    "/jobs/{job_id}/rejects",
    responses={**ERRORS, 200: {"content": {"text/csv": {}}}},
    response_class=FileResponse,
)
def job_rejects(
    request: Request,
    job_id: str,
    principal: Annotated[Principal, Depends(require(Role.ANALYST))],
) -> FileResponse:
    """The job's rejected rows as CSV (line, column, reason, record); header only if none."""
    state = owned_job(request, principal, job_id)
    if state["status"] != "done":
        raise HTTPException(409, f"Job {job_id} is {state['status']}; rejects come when done.")
    path = request.app.state.jobs.root / job_id / "rejects.csv"
    return FileResponse(path, media_type="text/csv", filename=f"{job_id}-rejects.csv")


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
    """The job's output as CSV or Parquet: one row per hit, a ``no_hit`` row for a record with
    warnings (or every record, with ``all_records``), the list versions on every row."""
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

        from clearance.batch import write_results

        write_results([pd.read_parquet(parquet)], csv_path, "csv")
    return FileResponse(csv_path, media_type="text/csv", filename=f"{job_id}.csv")
