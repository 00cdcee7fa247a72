"""``clearance monitor|alerts|audit|reports``: ongoing monitoring and case management."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from clearance.cli.common import err, reporting_errors
from clearance.errors import ClearanceError

#: This module's commands; cli/main.py adds them to the ``clearance`` app.
app = typer.Typer()

monitor_app = typer.Typer(
    help="Watch customers and counterparties; re-screen on list change.", no_args_is_help=True
)
alerts_app = typer.Typer(help="Review and decide monitoring alerts.", no_args_is_help=True)
audit_app = typer.Typer(
    help="Verify, anchor and export the keyed (HMAC-signed) audit trail.", no_args_is_help=True
)
reports_app = typer.Typer(help="OFAC report drafts for true matches.", no_args_is_help=True)
app.add_typer(monitor_app, name="monitor")
app.add_typer(alerts_app, name="alerts")
app.add_typer(audit_app, name="audit")
app.add_typer(reports_app, name="reports")

MAP_HELP = "Rename a column of the file, theirs=ours, e.g. cust_no=id (repeatable)."
USER_HELP = "Who is acting (default: $CLEARANCE_USER, else the login name)."


def _default_user() -> str:
    return os.environ.get("CLEARANCE_USER") or os.environ.get("USER") or ""


def _monitor(*, resume: bool = True) -> Any:
    """The monitor over the store. With ``resume`` (monitor and alerts commands), re-screens
    still owed to earlier activations (a killed import, another tool's import) are done first."""
    from clearance.monitoring import Monitor
    from clearance.store import Store

    monitor = Monitor(Store.open())
    if resume:
        monitor.catch_up()
    return monitor


def _echo_json(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


# --- monitor -------------------------------------------------------------------------------


@monitor_app.command("add")
def monitor_add(
    file: Path = typer.Argument(..., help="CSV, TSV, JSONL or Parquet with id,name,... columns."),
    map_: list[str] = typer.Option([], "--map", help=MAP_HELP),
    user: str = typer.Option(_default_user, "--user", "-u", help=USER_HELP),
    format: str = typer.Option("table", "--format", "-f", help="table or json"),
    rejects: Path | None = typer.Option(
        None,
        "--rejects",
        dir_okay=False,
        help="CSV of the rows not monitored, with line and reason "
        "(default: FILE's name + .rejects.csv, beside it)",
    ),
    allow_rejects: bool = typer.Option(
        False, "--allow-rejects", help="exit 0 even when rows were rejected"
    ),
    date_order: str | None = typer.Option(
        None, "--date-order", help="dmy or mdy: how to read 03/04/1954 (default: both)"
    ),
) -> None:
    """Add or update monitored records by id, and screen new or changed ones at once.

    Same rules as screen-file: a field that cannot be used is left out (a warning); rows without
    a name or an id, repeated ids and ragged rows go to the rejects file, and the exit code is 1
    when there are any, unless --allow-rejects."""
    from clearance.records_io import default_rejects_path, parse_mapping, write_rejects

    with reporting_errors(doing="adding records"):
        monitor = _monitor(resume=False)  # add_file catches up first itself
        report = monitor.add_file(
            file, parse_mapping(map_), actor=user or "cli", date_order=date_order
        )
        runs = monitor.catch_up()

    rejects_path = rejects or default_rejects_path(file)
    with reporting_errors(doing="writing the rejects file"):
        write_rejects(report.rejects, rejects_path)
    data = {
        "added": report.upsert.added,
        "updated": report.upsert.updated,
        "reactivated": report.upsert.reactivated,
        "unchanged": report.upsert.unchanged,
        "rejected_rows": len(report.rejects),
        "fields_left_out": len(report.warnings),
        "screened": report.screening.screened,
        "alerts_opened": report.screening.opened + sum(r.opened for r in runs),
        "alerts_reopened": report.screening.reopened + sum(r.reopened for r in runs),
        "warnings": report.warnings,
        "rejects": [str(r) for r in report.rejects],
        "rejects_file": str(rejects_path),
    }
    if format == "json":
        _echo_json(data)
    else:
        for label, problems in (("warning", report.warnings), ("rejected", data["rejects"])):
            for problem in problems[:50]:
                err.print(f"[yellow]{label}:[/yellow] {problem}", soft_wrap=True, highlight=False)
            if len(problems) > 50:
                err.print(f"... and {len(problems) - 50} more ({label})")
        Console().print({k: v for k, v in data.items() if k not in ("warnings", "rejects")})
    if report.rejects and not allow_rejects:
        raise typer.Exit(1)


@monitor_app.command("remove")
def monitor_remove(
    ids: list[str] = typer.Argument(None, help="Record ids to stop monitoring."),
    file: Path | None = typer.Option(None, "--file", help="File whose id column lists the ids."),
    map_: list[str] = typer.Option([], "--map", help=MAP_HELP),
    reason: str = typer.Option("removed by user", help="Why (kept in the audit trail)."),
    user: str = typer.Option(_default_user, "--user", "-u", help=USER_HELP),
) -> None:
    """Stop monitoring records (kept for the record); their live alerts are closed."""
    from clearance.monitoring.records import read_records
    from clearance.records_io import parse_mapping

    with reporting_errors(doing="removing records"):
        wanted = list(ids or [])
        if file is not None:
            result = read_records(file, parse_mapping(map_))
            wanted += [r.id for r in result.records]
        if not wanted:
            raise ClearanceError("give record ids or --file")
        removed = _monitor().remove(wanted, actor=user or "cli", reason=reason)
    typer.echo(f"removed {removed} of {len(wanted)} record(s)")


@monitor_app.command("list")
def monitor_list(
    limit: int = typer.Option(50, help="How many records to show."),
    include_removed: bool = typer.Option(False, "--include-removed"),
    format: str = typer.Option("table", "--format", "-f", help="table or json"),
) -> None:
    """List monitored records."""
    from sqlalchemy import select

    from clearance.monitoring.tables import MonitoredRecord

    with reporting_errors(doing="listing records"):
        monitor = _monitor()
        with monitor.sessions() as session:
            query = select(MonitoredRecord).order_by(MonitoredRecord.id).limit(limit)
            if not include_removed:
                query = query.where(MonitoredRecord.active)
            rows = [
                {
                    "id": r.id,
                    "name": r.name,
                    "schema": r.schema,
                    "birth_date": r.birth_date,
                    "country": r.country,
                    "id_number": r.id_number,
                    "active": r.active,
                    "screened": r.screened_hash == r.content_hash,
                }
                for r in session.scalars(query)
            ]
    if format == "json":
        _echo_json(rows)
        return
    _table(rows, ("id", "name", "schema", "birth_date", "country", "id_number", "screened"))


@monitor_app.command("rescreen")
def monitor_rescreen(
    format: str = typer.Option("table", "--format", "-f", help="table or json"),
) -> None:
    """Screen pending records and catch up with list versions not yet re-screened."""
    from clearance.monitoring import webhooks

    with reporting_errors(doing="re-screening"):
        monitor = _monitor(resume=False)
        pending = monitor.screen_pending()
        runs = monitor.catch_up()
        delivery = webhooks.deliver_pending(monitor.sessions)
    data = {
        "records_screened": pending.screened,
        "record_alerts_opened": pending.opened,
        "runs": [r.to_dict() for r in runs],
        "webhooks_delivered": delivery.delivered,
        "webhooks_failed": delivery.failed,
    }
    if format == "json":
        _echo_json(data)
        return
    Console().print({k: v for k, v in data.items() if k != "runs"})
    _table(
        [r.to_dict() for r in runs],
        (
            "run_key",
            "added",
            "removed",
            "changed",
            "candidates",
            "opened",
            "updated",
            "reopened",
            "closed",
        ),
    )


@monitor_app.command("webhook-add")
def webhook_add(
    url: str = typer.Argument(..., help="Receiver URL (http/https)."),
    secret: str = typer.Option(
        ..., envvar="CLEARANCE_WEBHOOK_SECRET", help="Shared HMAC secret (>= 16 characters)."
    ),
) -> None:
    """Send signed notifications of new and re-opened alerts to URL."""
    from clearance.monitoring import webhooks

    with reporting_errors(doing="adding the webhook"):
        monitor = _monitor()
        with monitor.sessions.begin() as session:
            endpoint = webhooks.add_endpoint(session, url, secret)
            typer.echo(f"webhook {endpoint.id} -> {url}")


@monitor_app.command("webhook-deliver")
def webhook_deliver() -> None:
    """Send pending webhook notifications now (with retries)."""
    from clearance.monitoring import webhooks

    with reporting_errors(doing="delivering webhooks"):
        summary = webhooks.deliver_pending(_monitor().sessions)
    typer.echo(
        f"delivered {summary.delivered}, failed {summary.failed}, attempts {summary.attempts}"
    )


# --- alerts --------------------------------------------------------------------------------


def _workflow(monitor: Any) -> Any:
    from clearance.monitoring.alerts import Workflow

    return Workflow(monitor.sessions)


@alerts_app.command("list")
def alerts_list(
    status: str | None = typer.Option(None, help="open, in_review, pending_confirmation, ..."),
    record: str | None = typer.Option(None, help="Only this record id."),
    entity: str | None = typer.Option(None, help="Only this entity id."),
    review: bool = typer.Option(
        False, "--review", help="Only alerts with an open review task (e.g. a delisted match)."
    ),
    limit: int = typer.Option(100),
    format: str = typer.Option("table", "--format", "-f", help="table or json"),
) -> None:
    """List alerts, newest first; REVIEW shows the task a person must resolve, if any."""
    from clearance.monitoring.queries import list_alerts

    with reporting_errors(doing="listing alerts"):
        monitor = _monitor()
        with monitor.sessions() as session:
            rows = list_alerts(
                session,
                status=status,
                record_id=record,
                entity_id=entity,
                review=review,
                limit=limit,
            )
    if format == "json":
        _echo_json(rows)
        return
    _table(
        rows,
        (
            "id",
            "status",
            "score",
            "record_id",
            "entity_id",
            "entity_caption",
            "decision",
            "review_task",
            "version",
        ),
    )


@alerts_app.command("show")
def alerts_show(alert_id: int) -> None:
    """An alert with its full history from the audit trail.

    Warns on stderr (and exits 1) when the alert's row or its events fail verification.
    """
    from clearance.monitoring.queries import alert_with_history

    with reporting_errors(doing="reading the alert"):
        monitor = _monitor()
        with monitor.sessions() as session:
            data = alert_with_history(session, alert_id)
    _echo_json(data)
    for problem in data["audit_problems"]:
        err.print(
            Text.assemble(("WARNING: audit verification failed: ", "red"), problem),
            soft_wrap=True,
        )
    if data["audit_problems"]:
        raise typer.Exit(1)


def _action(fn: Callable[[], dict]) -> None:
    with reporting_errors(doing="updating the alert"):
        data = fn()
    typer.echo(f"alert {data['id']}: {data['status']} (version {data['version']})")


@alerts_app.command("review")
def alerts_review(
    alert_id: int,
    user: str = typer.Option(_default_user, "--user", "-u", help=USER_HELP),
    version: int | None = typer.Option(None, help="The version you read (optimistic lock)."),
) -> None:
    """Take an open alert into review."""
    _action(lambda: _workflow(_monitor()).review(alert_id, user, expected_version=version))


@alerts_app.command("decide")
def alerts_decide(
    alert_id: int,
    decision: str = typer.Option(..., help="true_match, false_positive or escalated"),
    reason: str = typer.Option(..., help="Reason code (see `clearance alerts reasons`)."),
    note: str = typer.Option("", help="Free-text justification."),
    user: str = typer.Option(_default_user, "--user", "-u", help=USER_HELP),
    version: int | None = typer.Option(None, help="The version you read (optimistic lock)."),
) -> None:
    """Decide an alert (final at once unless four-eyes is on: CLEARANCE_FOUR_EYES=1)."""
    _action(
        lambda: _workflow(_monitor()).decide(
            alert_id, user, decision, reason, note, expected_version=version
        )
    )


@alerts_app.command("confirm")
def alerts_confirm(
    alert_id: int,
    reject: bool = typer.Option(False, "--reject", help="Send the decision back to review."),
    note: str = typer.Option(""),
    user: str = typer.Option(_default_user, "--user", "-u", help=USER_HELP),
    version: int | None = typer.Option(None, help="The version you read (optimistic lock)."),
) -> None:
    """Four-eyes: confirm (or reject) another user's decision."""
    _action(
        lambda: _workflow(_monitor()).confirm(
            alert_id, user, approve=not reject, note=note, expected_version=version
        )
    )


@alerts_app.command("resolve-review")
def alerts_resolve_review(
    alert_id: int,
    close: bool = typer.Option(
        ..., "--close/--keep", help="Close the alert, or keep its decision and drop the task."
    ),
    note: str = typer.Option(..., help="Why (kept in the audit trail)."),
    user: str = typer.Option(_default_user, "--user", "-u", help=USER_HELP),
    version: int | None = typer.Option(None, help="The version you read (optimistic lock)."),
) -> None:
    """Resolve an alert's review task (e.g. its true-match entity was delisted)."""
    _action(
        lambda: _workflow(_monitor()).resolve_review(
            alert_id, user, close=close, note=note, expected_version=version
        )
    )


@alerts_app.command("reasons")
def alerts_reasons() -> None:
    """The reason codes each decision accepts."""
    from clearance.monitoring.alerts import REASON_CODES

    for decision, codes in REASON_CODES.items():
        typer.echo(f"{decision}: {', '.join(codes)}")


# --- audit ---------------------------------------------------------------------------------


@audit_app.command("verify")
def audit_verify(
    anchor: Path | None = typer.Option(
        None, "--anchor", help="File of anchors (from `audit anchor --append`) to check against."
    ),
    format: str = typer.Option("table", "--format", "-f", help="table or json"),
) -> None:
    """Verify the keyed chain, its signed head and every alert row against its last event.

    Exit 1 naming every problem: an altered, missing or re-linked event, an unsigned or
    rewritten head, an alert changed outside Clearance, a truncation or rewrite before an
    anchored head. Legacy events (before migration 0006) are verified under the old unkeyed
    rule, and the output says how many there are.
    """
    from clearance.monitoring.audit import verify_chain

    with reporting_errors(doing="verifying the audit chain"):
        anchors = anchor.read_text(encoding="utf-8").splitlines() if anchor else None
        monitor = _monitor(resume=False)
        with monitor.sessions() as session:
            report = verify_chain(session, anchors=anchors)
    if format == "json":
        _echo_json(report.to_dict())
    elif report.ok:
        typer.echo(f"audit trail intact: {report.summary()}")
    else:
        err.print(
            Text.assemble(("audit trail BROKEN", "red"), f" ({report.summary()}):"),
            soft_wrap=True,
        )
        for problem in report.problems:
            err.print(Text(f"  - {problem}"), soft_wrap=True)
    if not report.ok:
        raise typer.Exit(1)


@audit_app.command("anchor")
def audit_anchor(
    append: Path | None = typer.Option(
        None, "--append", help="Also append the anchor line to FILE (keep it off this database)."
    ),
) -> None:
    """Print the signed head of the trail; `audit verify --anchor FILE` checks against it later."""
    from clearance.monitoring.audit import anchor, canonical_json

    with reporting_errors(doing="anchoring the audit trail"):
        monitor = _monitor(resume=False)
        with monitor.sessions() as session:
            line = canonical_json(anchor(session))
        if append is not None:
            with append.open("a", encoding="utf-8") as handle:
                handle.write(line + "\n")
    typer.echo(line)


@audit_app.command("rotate-key")
def audit_rotate_key() -> None:
    """Add a new audit key to the key file; the next event starts a segment under it.

    Old keys stay in the file (they verify what they signed). With CLEARANCE_AUDIT_KEY, add
    the new `id:secret` at the end of the variable instead.
    """
    from clearance.monitoring import keys

    with reporting_errors(doing="rotating the audit key"):
        key_id = keys.rotate()
    typer.echo(f"new audit key {key_id} in {keys.key_file()}; back the file up")


@audit_app.command("export")
def audit_export(
    output: Path | None = typer.Option(None, "--output", "-o", help="File (default: stdout)."),
    format: str = typer.Option("jsonl", "--format", "-f", help="jsonl or csv"),
) -> None:
    """Export every audit event (with its hashes) for an examiner."""
    from clearance.monitoring.audit import export_events

    with reporting_errors(doing="exporting the audit trail"):
        monitor = _monitor(resume=False)
        with monitor.sessions() as session:
            if output is None:
                count = export_events(session, sys.stdout, format)
            else:
                with output.open("w", encoding="utf-8", newline="") as handle:
                    count = export_events(session, handle, format)
    err.print(f"exported {count} events")


# --- reports -------------------------------------------------------------------------------


def _report(alert_id: int, kind: str, format: str, output: Path | None) -> None:
    from clearance.monitoring.reports import report_draft

    with reporting_errors(doing="drafting the report"):
        monitor = _monitor(resume=False)
        with monitor.sessions() as session:
            draft = report_draft(session, monitor.store, alert_id, kind)
    _write(draft.to_json() if format == "json" else draft.to_markdown(), output)


def _write(text: str, output: Path | None) -> None:
    if output is None:
        typer.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        err.print(f"wrote {output}")


@reports_app.command("blocked-property")
def report_blocked(
    alert_id: int,
    format: str = typer.Option("md", "--format", "-f", help="md or json"),
    output: Path | None = typer.Option(None, "--output", "-o"),
) -> None:
    """Draft the blocked-property report (31 CFR 501.603) for a true-match alert."""
    from clearance.monitoring.reports import BLOCKED_PROPERTY

    _report(alert_id, BLOCKED_PROPERTY, format, output)


@reports_app.command("rejected-transaction")
def report_rejected(
    alert_id: int,
    format: str = typer.Option("md", "--format", "-f", help="md or json"),
    output: Path | None = typer.Option(None, "--output", "-o"),
) -> None:
    """Draft the rejected-transaction report (31 CFR 501.604) for a true-match alert."""
    from clearance.monitoring.reports import REJECTED_TRANSACTION

    _report(alert_id, REJECTED_TRANSACTION, format, output)


@reports_app.command("annual")
def report_annual(
    year: int = typer.Argument(..., help="Report year (blocked property as of June 30)."),
    format: str = typer.Option("md", "--format", "-f", help="md or json"),
    output: Path | None = typer.Option(None, "--output", "-o"),
) -> None:
    """Draft the annual report of blocked property (as of June 30, due September 30)."""
    from clearance.monitoring.reports import annual_report

    with reporting_errors(doing="drafting the annual report"):
        monitor = _monitor(resume=False)
        with monitor.sessions() as session:
            report = annual_report(session, monitor.store, year)
    _write(report.to_json() if format == "json" else report.to_markdown(), output)


def _table(rows: list[dict[str, Any]], columns: tuple[str, ...]) -> None:
    table = Table(*columns)
    for row in rows:
        table.add_row(*("" if row.get(c) is None else str(row.get(c)) for c in columns))
    Console().print(table)
