"""List status, version diffs and (for admins) imports of list files."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, HTTPException, Request, UploadFile
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from clearance.api.models import ErrorResponse
from clearance.api.security import Principal, Role, audit, require
from clearance.store import Store, StoreError, VersionDiff

router = APIRouter(tags=["lists"])
ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorResponse} for code in (400, 401, 403, 404, 413, 429, 503)
}


def lists_status(store: Store) -> dict[str, Any]:
    """Active versions and every stored version, newest first (``VersionInfo.to_dict`` each)."""
    return {
        "active": [v.to_dict() for v in store.active_versions()],
        "versions": [v.to_dict() for v in reversed(store.versions())],
    }


def diff_versions(store: Store, dataset: str | None, a: str | None, b: str | None) -> VersionDiff:
    """The diff between versions ``a`` and ``b``; by default the dataset's two latest."""
    if a is None or b is None:
        if dataset is None:
            raise HTTPException(400, "Give versions a and b, or a dataset to compare its last two.")
        versions = store.versions(dataset=dataset)
        if len(versions) < 2:
            raise HTTPException(404, f"Dataset {dataset!r} has fewer than two stored versions.")
        a = a or str(versions[-2].id)
        b = b or str(versions[-1].id)
    try:
        return store.diff(a, b)
    except StoreError as exc:
        status = 404 if str(exc).startswith("no list version") else 400
        raise HTTPException(status, str(exc)) from None


@router.get("/lists", responses=ERRORS)
def lists(
    request: Request, principal: Annotated[Principal, Depends(require(Role.SCREENING))]
) -> dict[str, Any]:
    """Active list versions and every stored version (hash, source, time, counts)."""
    return lists_status(request.app.state.services.store())


@router.get("/lists/diff", responses=ERRORS)
def lists_diff(
    request: Request,
    principal: Annotated[Principal, Depends(require(Role.ANALYST))],
    dataset: str | None = None,
    a: str | None = None,
    b: str | None = None,
) -> dict[str, Any]:
    """Entities added, removed and changed (with field names) between two versions."""
    return diff_versions(request.app.state.services.store(), dataset, a, b).to_dict()


@router.post("/lists/import", responses=ERRORS)
async def lists_import(
    request: Request,
    principal: Annotated[Principal, Depends(require(Role.ADMIN))],
    files: Annotated[list[UploadFile], File(description="List files (formats detected)")],
) -> dict[str, Any]:
    """Import uploaded list files as new versions (each activated atomically)."""
    services = request.app.state.services
    store = services.store()
    with tempfile.TemporaryDirectory(prefix="clearance-import-") as folder:
        paths = []
        for index, upload in enumerate(files):
            name = Path(upload.filename or f"upload{index}").name
            target = Path(folder) / f"{index}" / name
            target.parent.mkdir()
            target.write_bytes(await upload.read())
            paths.append(target)
        report = await run_in_threadpool(store.import_paths, paths)
    await run_in_threadpool(services.reload_now)
    result = report.to_dict()
    audit(request, "/lists/import", {"files": [p.name for p in paths]}, len(paths))
    return result


@router.get(
    "/datasets/{name}/entities.ftm.json",
    responses={**ERRORS, 200: {"content": {"application/x-ndjson": {}}}},
    response_class=StreamingResponse,
    summary="The dataset's active entities as FollowTheMoney JSON lines",
)
def dataset_entities(
    request: Request,
    name: str,
    principal: Annotated[Principal, Depends(require(Role.SCREENING))],
) -> StreamingResponse:
    """Every active entity of the dataset with its sanctions, relations and wallets, one FtM
    record per line (as ``clearance lists export NAME``), with ``first_seen`` /
    ``last_seen`` / ``last_change``."""
    from clearance.export import ftm_lines, timelines

    store = request.app.state.services.store()
    active = [v.dataset for v in store.active_versions()]
    if name not in active:
        raise HTTPException(404, f"No active dataset {name!r}; active: {', '.join(active)}.")
    seen = timelines(store, [name])
    audit(request, f"/datasets/{name}/entities.ftm.json", {"dataset": name}, len(seen))
    return StreamingResponse(
        ftm_lines(store.entities(datasets=[name]), seen), media_type="application/x-ndjson"
    )
