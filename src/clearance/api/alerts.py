"""Monitoring alerts over HTTP: JSON endpoints (``/alerts``, ``/audit/verify``) and web pages
(``/ui/alerts``). Both call the same library workflow as the CLI; the acting user is the caller's
API key name, never a field of the request (bodies that carry one are refused with 422), so every
decision in the audit trail names who made it and four-eyes cannot be dodged by naming someone.

Status codes: 404 unknown alert, 409 when another analyst changed the alert first (optimistic
lock, send ``expected_version``), 400 for a step the workflow does not allow.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from clearance.api.models import ErrorResponse
from clearance.api.security import Principal, Role, require
from clearance.monitoring import Monitor
from clearance.monitoring.alerts import (
    DECISIONS,
    REASON_CODES,
    AlertConflict,
    AlertError,
    Workflow,
)
from clearance.monitoring.audit import verify_chain
from clearance.monitoring.queries import alert_with_history, list_alerts
from clearance.monitoring.reports import report_draft
from clearance.monitoring.tables import ALERT_STATUSES

router = APIRouter(tags=["alerts"])
ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorResponse} for code in (400, 401, 403, 404, 409, 429, 503)
}


class _Body(BaseModel):
    """Request bodies: unknown fields (such as a ``user``) are refused, not ignored."""

    model_config = ConfigDict(extra="forbid")


class ReviewRequest(_Body):
    expected_version: int | None = Field(None, description="The alert version you read.")


class DecideRequest(_Body):
    decision: str = Field(..., description="true_match, false_positive or escalated")
    reason_code: str
    note: str = ""
    expected_version: int | None = None


class ConfirmRequest(_Body):
    approve: bool = True
    note: str = ""
    expected_version: int | None = None


class ResolveReviewRequest(_Body):
    close: bool = Field(..., description="true: close the alert; false: keep its decision")
    note: str = Field(..., description="Why (kept in the audit trail).")
    expected_version: int | None = None


def _monitor(request: Request) -> Monitor:
    return Monitor(request.app.state.services.store())


def _http_error(exc: AlertError) -> HTTPException:
    if isinstance(exc, AlertConflict):
        return HTTPException(409, str(exc))
    if str(exc).startswith("no alert"):
        return HTTPException(404, str(exc))
    return HTTPException(400, str(exc))


def _call(fn: Any, *args: Any, **kwargs: Any) -> Any:
    try:
        return fn(*args, **kwargs)
    except AlertError as exc:
        raise _http_error(exc) from None


@router.get("/alerts", responses=ERRORS)
def alerts_index(
    request: Request,
    principal: Annotated[Principal, Depends(require(Role.ANALYST))],
    status: str | None = Query(None, description=" / ".join(ALERT_STATUSES)),
    record_id: str | None = None,
    entity_id: str | None = None,
    review: bool = Query(False, description="Only alerts with an open review task."),
    limit: int = Query(100, ge=1, le=1000),
    offset: int = Query(0, ge=0),
) -> dict[str, Any]:
    """Alerts, newest first; ``review_task`` is set where a person must act (delisted match)."""
    with _monitor(request).sessions() as session:
        rows = _call(
            list_alerts,
            session,
            status=status,
            record_id=record_id,
            entity_id=entity_id,
            review=review,
            limit=limit,
            offset=offset,
        )
    return {"alerts": rows, "limit": limit, "offset": offset}


@router.get("/alerts/{alert_id}", responses=ERRORS)
def alert_detail(
    request: Request,
    alert_id: int,
    principal: Annotated[Principal, Depends(require(Role.ANALYST))],
) -> dict[str, Any]:
    """One alert with its record, full history (audit events) and ``audit_problems`` (what
    failed verification for this alert; empty when it verifies)."""
    with _monitor(request).sessions() as session:
        return _call(alert_with_history, session, alert_id)


@router.post("/alerts/{alert_id}/review", responses=ERRORS)
def alert_review(
    request: Request,
    alert_id: int,
    body: ReviewRequest,
    principal: Annotated[Principal, Depends(require(Role.ANALYST))],
) -> dict[str, Any]:
    """Take an open alert into review."""
    flow = Workflow(_monitor(request).sessions)
    return _call(flow.review, alert_id, principal.name, expected_version=body.expected_version)


@router.post("/alerts/{alert_id}/decide", responses=ERRORS)
def alert_decide(
    request: Request,
    alert_id: int,
    body: DecideRequest,
    principal: Annotated[Principal, Depends(require(Role.ANALYST))],
) -> dict[str, Any]:
    """Decide an alert with a reason code (final unless four-eyes is on)."""
    flow = Workflow(_monitor(request).sessions)
    return _call(
        flow.decide,
        alert_id,
        principal.name,
        body.decision,
        body.reason_code,
        body.note,
        expected_version=body.expected_version,
    )


@router.post("/alerts/{alert_id}/confirm", responses=ERRORS)
def alert_confirm(
    request: Request,
    alert_id: int,
    body: ConfirmRequest,
    principal: Annotated[Principal, Depends(require(Role.ANALYST))],
) -> dict[str, Any]:
    """Four-eyes: a different user confirms (or sends back) the decision."""
    flow = Workflow(_monitor(request).sessions)
    return _call(
        flow.confirm,
        alert_id,
        principal.name,
        approve=body.approve,
        note=body.note,
        expected_version=body.expected_version,
    )


@router.post("/alerts/{alert_id}/resolve-review", responses=ERRORS)
def alert_resolve_review(
    request: Request,
    alert_id: int,
    body: ResolveReviewRequest,
    principal: Annotated[Principal, Depends(require(Role.ANALYST))],
) -> dict[str, Any]:
    """Resolve the alert's review task: close the alert, or keep its decision."""
    flow = Workflow(_monitor(request).sessions)
    return _call(
        flow.resolve_review,
        alert_id,
        principal.name,
        close=body.close,
        note=body.note,
        expected_version=body.expected_version,
    )


@router.get("/alerts/{alert_id}/report", responses=ERRORS)
def alert_report(
    request: Request,
    alert_id: int,
    principal: Annotated[Principal, Depends(require(Role.ANALYST))],
    kind: str | None = Query(None, description="blocked-property or rejected-transaction"),
    format: str = Query("json", description="json or md"),
) -> Response:
    """The OFAC report draft (501.603 / 501.604) for a true match, with its due date."""
    monitor = _monitor(request)
    with monitor.sessions() as session:
        draft = _call(report_draft, session, monitor.store, alert_id, kind)
    if format == "md":
        return PlainTextResponse(draft.to_markdown(), media_type="text/markdown")
    return Response(draft.to_json(), media_type="application/json")


@router.get("/audit/verify", responses=ERRORS)
def audit_verify(
    request: Request,
    principal: Annotated[Principal, Depends(require(Role.ADMIN))],
) -> dict[str, Any]:
    """Verify the keyed audit chain, its signed head and every alert row; names each problem."""
    with _monitor(request).sessions() as session:
        return verify_chain(session).to_dict()


# --- web pages -------------------------------------------------------------------------------


def _web() -> tuple[Any, Any]:
    from clearance.web.routes import _principal, _render

    return _principal, _render


@router.get("/ui/alerts", include_in_schema=False)
def alerts_page(request: Request, status: str = "open", review: bool = False) -> HTMLResponse:
    principal_of, render = _web()
    principal = principal_of(request, Role.ANALYST)
    if review:
        status = ""
    with _monitor(request).sessions() as session:
        try:
            rows = list_alerts(session, status=status or None, review=review, limit=500)
        except AlertError as exc:
            raise _http_error(exc) from None
    return render(
        request,
        "alerts.html",
        principal,
        page="alerts",
        alerts=rows,
        status=status,
        review=review,
        statuses=ALERT_STATUSES,
    )


@router.get("/ui/alerts/{alert_id}", include_in_schema=False)
def alert_page(request: Request, alert_id: int, error: str = "") -> HTMLResponse:
    principal_of, render = _web()
    principal = principal_of(request, Role.ANALYST)
    with _monitor(request).sessions() as session:
        try:
            alert = alert_with_history(session, alert_id)
        except AlertError as exc:
            raise _http_error(exc) from None
    return render(
        request,
        "alerts_detail.html",
        principal,
        page="alerts",
        alert=alert,
        decisions=DECISIONS,
        reasons=REASON_CODES,
        error=error,
    )


@router.post("/ui/alerts/{alert_id}", include_in_schema=False)
def alert_action(
    request: Request,
    alert_id: int,
    action: str = Form(...),
    expected_version: int = Form(...),
    decision: str = Form(""),
    reason_code: str = Form(""),
    note: str = Form(""),
) -> Response:
    principal_of, _ = _web()
    principal = principal_of(request, Role.ANALYST)
    flow = Workflow(_monitor(request).sessions)
    try:
        if action == "review":
            flow.review(alert_id, principal.name, expected_version=expected_version)
        elif action == "decide":
            flow.decide(
                alert_id,
                principal.name,
                decision,
                reason_code,
                note,
                expected_version=expected_version,
            )
        elif action in ("close_review", "keep_review"):
            flow.resolve_review(
                alert_id,
                principal.name,
                close=action == "close_review",
                note=note,
                expected_version=expected_version,
            )
        elif action in ("confirm", "reject"):
            flow.confirm(
                alert_id,
                principal.name,
                approve=action == "confirm",
                note=note,
                expected_version=expected_version,
            )
        else:
            raise AlertError(f"unknown action {action!r}")
    except AlertError as exc:
        from urllib.parse import quote

        return RedirectResponse(f"/ui/alerts/{alert_id}?error={quote(str(exc))}", status_code=303)
    return RedirectResponse(f"/ui/alerts/{alert_id}", status_code=303)
