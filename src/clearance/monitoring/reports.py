"""Report drafts for OFAC: blocked property (31 CFR 501.603), rejected transactions (501.604),
and the annual report of blocked property (as of June 30, due September 30).

A draft is pre-filled from the alert, the monitored record, the listed entity and its legal
consequences (:mod:`clearance.legal`); fields only the institution knows (account, amount, date
of the transaction) are listed under ``to_complete`` so nobody files a half-empty report unaware.
The due date is 10 business days after the final decision (weekends and US federal holidays
skipped, :mod:`.business_days`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from clearance.legal import block_worthy, consequences_for_entity
from clearance.model import Entity
from clearance.monitoring.alerts import TRUE_MATCH, AlertError
from clearance.monitoring.business_days import add_business_days
from clearance.monitoring.tables import STATUS_CLOSED, STATUS_DECIDED, Alert, MonitoredRecord

REPORT_DAYS = 10
BLOCKED_PROPERTY = "blocked-property"
REJECTED_TRANSACTION = "rejected-transaction"
_CITATION = {
    BLOCKED_PROPERTY: "31 CFR 501.603(b)(1)(i)",
    REJECTED_TRANSACTION: "31 CFR 501.604",
}
_TITLE = {
    BLOCKED_PROPERTY: "Report of Blocked Property",
    REJECTED_TRANSACTION: "Report of Rejected Transaction",
}
_TO_COMPLETE = {
    BLOCKED_PROPERTY: [
        "reporting institution name, address and contact person",
        "account or property description (type, number)",
        "value of the blocked property (amount and currency) and date blocked",
        "location of the blocked property / blocked interest-bearing account",
        "transaction details that led to the blocking, if any",
    ],
    REJECTED_TRANSACTION: [
        "reporting institution name, address and contact person",
        "date and amount of the rejected transaction",
        "originator, beneficiary and intermediary institutions",
        "reason for rejection beyond the sanctions match, if any",
    ],
}


def final_decision_date(alert: Alert) -> date:
    """When the decision became final: confirmation under four-eyes, else the decision itself."""
    moment = alert.confirmed_at or alert.decided_at
    if moment is None:
        raise AlertError(f"alert {alert.id} has no decision date")
    return moment.date() if isinstance(moment, datetime) else moment


def _true_match(session: Session, alert_id: int) -> Alert:
    alert = session.get(Alert, alert_id)
    if alert is None:
        raise AlertError(f"no alert {alert_id}")
    if alert.status != STATUS_DECIDED or alert.decision != TRUE_MATCH:
        raise AlertError(
            f"alert {alert_id} is not a final true match "
            f"(status {alert.status}, decision {alert.decision}); reports are for true matches"
        )
    return alert


def _entity_facts(entity: Entity | None, alert: Alert) -> dict[str, Any]:
    if entity is None:
        return {"id": alert.entity_id, "name": alert.entity_caption, "dataset": alert.dataset}
    return {
        "id": entity.id,
        "name": entity.caption,
        "dataset": entity.dataset,
        "schema": entity.schema,
        "programs": entity.programs,
        "aliases": [n.full for n in entity.names if n.full != entity.caption][:10],
        "birth_dates": [d.value for d in entity.birth_dates],
        "nationalities": entity.nationalities,
        "identifiers": [f"{i.label or i.kind}: {i.number}" for i in entity.identifiers][:10],
        "addresses": [a.full for a in entity.addresses][:5],
        "listed_on": entity.listed_on,
    }


@dataclass(slots=True)
class ReportDraft:
    """A pre-filled report for one true match."""

    kind: str
    alert_id: int
    decided_on: date
    due_date: date
    data: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "title": _TITLE[self.kind],
            "citation": _CITATION[self.kind],
            "alert_id": self.alert_id,
            "decided_on": self.decided_on.isoformat(),
            "due_date": self.due_date.isoformat(),
            **self.data,
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False)

    def to_markdown(self) -> str:
        d = self.to_dict()
        entity, record, decision = d["blocked_person"], d["customer_record"], d["decision"]
        lines = [
            f"# DRAFT — {d['title']} ({d['citation']})",
            "",
            f"**Due to OFAC by {d['due_date']}** (10 business days after the decision of "
            f"{d['decided_on']}; weekends and US federal holidays skipped).",
            "",
            "## Listed party",
            f"- Name: {entity['name']}",
            f"- List entry: {entity['id']} ({entity['dataset']})",
        ]
        if entity.get("programs"):
            lines.append(f"- Programs: {', '.join(entity['programs'])}")
        for key, label in (
            ("aliases", "Also known as"),
            ("birth_dates", "Dates of birth"),
            ("nationalities", "Nationalities"),
            ("identifiers", "Identifiers"),
            ("addresses", "Addresses"),
        ):
            if entity.get(key):
                lines.append(f"- {label}: {'; '.join(entity[key])}")
        lines += [
            "",
            "## Customer / counterparty (monitored record)",
            f"- Record id: {record['id']}",
            f"- Name: {record['name']}",
            f"- Type: {record['schema']}",
        ]
        for key, label in (
            ("birth_date", "Date of birth"),
            ("country", "Country"),
            ("id_number", "Id number"),
        ):
            if record.get(key):
                lines.append(f"- {label}: {record[key]}")
        lines += [
            "",
            "## Screening decision",
            f"- Alert {d['alert_id']}, match score {d['score']:.3f}",
            f"- Decided true match by {decision['decided_by']} on {decision['decided_at']} "
            f"(reason: {decision['reason_code']})",
        ]
        if decision.get("confirmed_by"):
            lines.append(f"- Confirmed by {decision['confirmed_by']} on {decision['confirmed_at']}")
        if decision.get("note"):
            lines.append(f"- Note: {decision['note']}")
        lines += ["", "## Legal basis and obligations"]
        lines += [
            f"- **{c['title']}** ({c['legal_basis']}): {c['obligation']}" for c in d["consequences"]
        ]
        lines += ["", "## To be completed by the institution"]
        lines += [f"- [ ] {item}" for item in d["to_complete"]]
        lines += [
            "",
            "Keep this report, the alert and its audit trail for 10 years (31 CFR 501.601).",
        ]
        return "\n".join(lines) + "\n"


def report_kind_for(entity: Entity | None, alert: Alert) -> str:
    """Blocked property where the listing blocks (or retains/freezes), else a rejection report."""
    programs = entity.programs if entity is not None else []
    dataset = entity.dataset if entity is not None else alert.dataset
    return BLOCKED_PROPERTY if block_worthy(programs, dataset) else REJECTED_TRANSACTION


def report_draft(
    session: Session, store: Any, alert_id: int, kind: str | None = None
) -> ReportDraft:
    """The pre-filled report draft for a final true-match alert (kind chosen from the listing)."""
    alert = _true_match(session, alert_id)
    entity = store.get_entity(alert.entity_id, version_id=alert.entity_version)
    kind = kind or report_kind_for(entity, alert)
    if kind not in _TITLE:
        raise AlertError(f"unknown report kind {kind!r}")
    record = session.get(MonitoredRecord, alert.record_id)
    decided_on = final_decision_date(alert)
    consequences = (
        [c.to_dict() for c in consequences_for_entity(entity)] if entity is not None else []
    )
    data = {
        "score": alert.score,
        "blocked_person": _entity_facts(entity, alert),
        "customer_record": {
            "id": alert.record_id,
            "name": record.name if record else None,
            "schema": record.schema if record else None,
            "birth_date": record.birth_date if record else None,
            "country": record.country if record else None,
            "id_number": record.id_number if record else None,
        },
        "decision": {
            "decided_by": alert.decided_by,
            "decided_at": alert.decided_at.isoformat() if alert.decided_at else None,
            "confirmed_by": alert.confirmed_by,
            "confirmed_at": alert.confirmed_at.isoformat() if alert.confirmed_at else None,
            "reason_code": alert.reason_code,
            "note": alert.note,
        },
        "consequences": consequences,
        "to_complete": _TO_COMPLETE[kind],
    }
    return ReportDraft(kind, alert.id, decided_on, add_business_days(decided_on, REPORT_DAYS), data)


@dataclass(slots=True)
class AnnualReport:
    """Annual report of blocked property: every true match blocked and still held on June 30."""

    year: int
    as_of: date
    due_date: date
    entries: list[dict[str, Any]]

    def to_dict(self) -> dict[str, Any]:
        return {
            "title": "Annual Report of Blocked Property",
            "citation": "31 CFR 501.603(b)(2)",
            "year": self.year,
            "as_of": self.as_of.isoformat(),
            "due_date": self.due_date.isoformat(),
            "count": len(self.entries),
            "entries": self.entries,
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False)

    def to_markdown(self) -> str:
        lines = [
            f"# DRAFT — Annual Report of Blocked Property {self.year} (31 CFR 501.603(b)(2))",
            "",
            f"Property blocked as of **{self.as_of.isoformat()}**; due to OFAC by "
            f"**{self.due_date.isoformat()}**. {len(self.entries)} blocked relationship(s).",
            "",
            "| alert | record | listed party | list entry | programs | decided | still listed |",
            "|---|---|---|---|---|---|---|",
        ]
        for e in self.entries:
            lines.append(
                f"| {e['alert_id']} | {e['record_id']} ({e['record_name']}) | {e['entity_name']} "
                f"| {e['entity_id']} | {', '.join(e['programs'])} | {e['decided_on']} "
                f"| {'yes' if e['still_listed'] else 'no (delisted after June 30)'} |"
            )
        lines += [
            "",
            "To be completed by the institution: value and location of each blocked property "
            "as of June 30.",
        ]
        return "\n".join(lines) + "\n"


def annual_report(session: Session, store: Any, year: int) -> AnnualReport:
    """True matches on block-worthy listings decided by June 30 and not closed before then."""
    as_of = date(year, 6, 30)
    entries = []
    alerts = session.scalars(
        select(Alert).where(Alert.decision == TRUE_MATCH).order_by(Alert.id)
    ).all()
    for alert in alerts:
        if alert.status not in (STATUS_DECIDED, STATUS_CLOSED) or alert.decided_at is None:
            continue
        if final_decision_date(alert) > as_of:
            continue
        if alert.closed_at is not None and alert.closed_at.date() <= as_of:
            continue
        entity = store.get_entity(alert.entity_id, version_id=alert.entity_version)
        if report_kind_for(entity, alert) != BLOCKED_PROPERTY:
            continue
        record = session.get(MonitoredRecord, alert.record_id)
        entries.append(
            {
                "alert_id": alert.id,
                "record_id": alert.record_id,
                "record_name": record.name if record else "",
                "entity_id": alert.entity_id,
                "entity_name": alert.entity_caption,
                "programs": entity.programs if entity else [],
                "decided_on": final_decision_date(alert).isoformat(),
                "still_listed": alert.status != STATUS_CLOSED,
            }
        )
    return AnnualReport(year, as_of, date(year, 9, 30), entries)
