"""Clearance's own screening endpoints: one record, a document, a payment message."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, HTTPException, Query, Request, UploadFile
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from clearance.api.convert import default_threshold, hit_payload
from clearance.api.models import ErrorResponse, ScreenRequest, ScreenResponse
from clearance.api.security import Principal, Role, audit, require

router = APIRouter(tags=["screening"])

ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorResponse} for code in (400, 401, 403, 413, 429, 503)
}


def screen_record(request: Request, record: ScreenRequest) -> dict[str, Any]:
    """Screen one record with the process's screener (shared by the API and the web UI).

    Returns the response as plain data (hits as ``Hit.to_dict`` gives them), sent without a
    second validation pass through the response model: this is the hot path of the API.
    """
    screener = request.app.state.services.screener()
    threshold = default_threshold() if record.threshold is None else record.threshold
    hits = screener.screen(
        record.name,
        schema=record.schema_,
        birth_date=record.birth_date,
        country=record.country,
        identifiers=tuple(record.identifiers),
        limit=record.limit,
        threshold=threshold,
    )
    query = record.model_dump(by_alias=True, exclude={"limit", "threshold"})
    return {"query": query, "threshold": threshold, "hits": [hit_payload(hit) for hit in hits]}


@router.post("/screen", response_model=ScreenResponse, responses=ERRORS)
async def screen(
    request: Request,
    record: ScreenRequest,
    principal: Annotated[Principal, Depends(require(Role.SCREENING))],
) -> JSONResponse:
    """Screen one record: hits with scores, explanations and the legal consequences."""
    # One record takes about a millisecond of CPU: screening on the event loop costs less than
    # handing it to a thread (the GIL allows no parallelism there anyway).
    result = screen_record(request, record)
    audit(request, "/screen", result["query"], len(result["hits"]))
    return JSONResponse(result)


async def _text_of(request: Request, file: UploadFile | None) -> tuple[bytes, str]:
    if file is not None:
        return await file.read(), file.filename or "upload"
    body = await request.body()
    if not body:
        raise HTTPException(400, "Send the content as the request body or as a 'file' upload.")
    return body, "body"


@router.post(
    "/scan",
    responses=ERRORS,
    openapi_extra={
        "requestBody": {
            "content": {
                "text/plain": {"schema": {"type": "string"}},
                "text/html": {"schema": {"type": "string"}},
                "application/pdf": {"schema": {"type": "string", "format": "binary"}},
            }
        }
    },
)
async def scan(
    request: Request,
    principal: Annotated[Principal, Depends(require(Role.ANALYST))],
    file: Annotated[UploadFile | None, File(description="Text, HTML or PDF document")] = None,
    threshold: Annotated[float | None, Query(ge=0.0, le=1.0)] = None,
) -> dict[str, Any]:
    """Find mentions of listed parties in a text, HTML or PDF document (body or upload)."""
    from clearance.documents import scan as scan_text
    from clearance.documents.extract import extract_bytes

    data, name = await _text_of(request, file)
    screener = request.app.state.services.screener()
    document = await run_in_threadpool(extract_bytes, data, name)
    mentions = await run_in_threadpool(scan_text, document.text, screener, threshold)
    audit(request, "/scan", {"document": name, "bytes": len(data)}, len(mentions))
    return {
        "document": {"source": name, "kind": document.kind, "characters": len(document.text)},
        "mentions": [m.to_dict() for m in mentions],
    }


@router.post("/payments/screen", responses=ERRORS)
async def screen_payment(
    request: Request,
    principal: Annotated[Principal, Depends(require(Role.ANALYST))],
    file: Annotated[
        UploadFile | None, File(description="pacs.008, pain.001 or MT103 message")
    ] = None,
    threshold: Annotated[float | None, Query(ge=0.0, le=1.0)] = None,
) -> dict[str, Any]:
    """Screen every party and free-text field of a payment message; returns the verdict
    (``block`` / ``review`` / ``clear``) with its reasons. Malformed messages are a 400 naming
    the field and line, never a ``clear``."""
    from clearance.payments import parse_message, screen_message

    data, name = await _text_of(request, file)
    screener = request.app.state.services.screener()
    message = parse_message(data, name)
    result = await run_in_threadpool(screen_message, message, screener, threshold)
    audit(
        request,
        "/payments/screen",
        {"message": name, "reference": message.reference},
        len(result.hits),
    )
    return result.to_dict()
