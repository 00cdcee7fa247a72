"""Signed webhooks: tell other systems the minute an alert opens or re-opens.

Delivery uses an outbox: :func:`enqueue` writes a ``webhook_deliveries`` row in the same
transaction that opens the alert, so a crash can delay a notification but never lose it;
:func:`deliver_pending` then POSTs each pending body, retrying with exponential backoff and logging
every attempt in ``webhook_attempts``.

Each request carries ``X-Clearance-Timestamp`` (Unix seconds) and ``X-Clearance-Signature:
sha256=<hex>``, the HMAC-SHA256 of ``"<timestamp>." + body`` under the endpoint's shared secret.
Receivers check it with :func:`verify_signature`, which also rejects stale timestamps (replays).

Secrets are stored encrypted (AES-256-GCM under the audit key ring, :mod:`.keys`), never in plain
text: reading the database does not let anyone sign notifications as Clearance.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from clearance.errors import InputError
from clearance.monitoring import keys
from clearance.monitoring.audit import canonical_json, utc_now
from clearance.monitoring.tables import WebhookAttempt, WebhookDelivery, WebhookEndpoint

SIGNATURE_HEADER = "X-Clearance-Signature"
TIMESTAMP_HEADER = "X-Clearance-Timestamp"
EVENT_HEADER = "X-Clearance-Event"
DELIVERY_HEADER = "X-Clearance-Delivery"
DEFAULT_TOLERANCE_S = 300


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The signature header value for ``body`` sent at ``timestamp``."""
    mac = hmac.new(secret.encode("utf-8"), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"sha256={mac.hexdigest()}"


def verify_signature(
    secret: str,
    timestamp: str | int,
    body: bytes,
    signature: str,
    *,
    now: float | None = None,
    tolerance_s: int = DEFAULT_TOLERANCE_S,
) -> bool:
    """Whether ``signature`` is valid for ``body`` and the timestamp is recent (not a replay)."""
    try:
        stamp = int(timestamp)
    except (TypeError, ValueError):
        return False
    current = time.time() if now is None else now
    if abs(current - stamp) > tolerance_s:
        return False
    return hmac.compare_digest(sign(secret, stamp, body), signature)


def add_endpoint(session: Session, url: str, secret: str) -> WebhookEndpoint:
    """Register a receiver URL with its shared secret."""
    if not url.startswith(("http://", "https://")):
        raise InputError(f"webhook URL must start with http:// or https://, got {url!r}")
    if len(secret) < 16:
        raise InputError("webhook secret must be at least 16 characters")
    sealed = keys.require(create=True).encrypt(secret)
    endpoint = WebhookEndpoint(url=url, secret=sealed, active=True, created_at=utc_now())
    session.add(endpoint)
    session.flush()
    return endpoint


def endpoint_secret(endpoint: WebhookEndpoint) -> str:
    """The endpoint's signing secret, decrypted with the key it was sealed under."""
    return keys.require(create=False).decrypt(endpoint.secret)


def active_endpoints(session: Session) -> list[WebhookEndpoint]:
    return list(session.scalars(select(WebhookEndpoint).where(WebhookEndpoint.active)).all())


def enqueue(session: Session, alert_id: int, event: str, payload: dict[str, Any]) -> int:
    """Queue one delivery per active endpoint, inside the caller's transaction."""
    endpoints = active_endpoints(session)
    body = canonical_json({"event": event, "alert": payload})
    for endpoint in endpoints:
        session.add(
            WebhookDelivery(
                endpoint_id=endpoint.id,
                alert_id=alert_id,
                event=event,
                body=body,
                status="pending",
                attempts=0,
                created_at=utc_now(),
            )
        )
    return len(endpoints)


@dataclass(frozen=True, slots=True)
class DeliveryPolicy:
    """Retry policy: ``max_attempts`` tries, waiting ``backoff_s * 2**n`` between them."""

    max_attempts: int = 5
    backoff_s: float = 0.5
    timeout_s: float = 10.0


@dataclass(slots=True)
class DeliverySummary:
    delivered: int = 0
    failed: int = 0
    attempts: int = 0


def _attempt(
    client: httpx.Client, endpoint: WebhookEndpoint, delivery: WebhookDelivery
) -> tuple[int | None, str | None, float]:
    body = delivery.body.encode("utf-8")
    stamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        TIMESTAMP_HEADER: str(stamp),
        SIGNATURE_HEADER: sign(endpoint_secret(endpoint), stamp, body),
        EVENT_HEADER: delivery.event,
        DELIVERY_HEADER: str(delivery.id),
    }
    started = time.perf_counter()
    try:
        response = client.post(endpoint.url, content=body, headers=headers)
    except httpx.HTTPError as exc:
        return None, f"{type(exc).__name__}: {exc}", (time.perf_counter() - started) * 1000
    elapsed = (time.perf_counter() - started) * 1000
    if 200 <= response.status_code < 300:
        return response.status_code, None, elapsed
    return response.status_code, f"HTTP {response.status_code}", elapsed


def deliver_pending(
    sessions: sessionmaker[Session],
    policy: DeliveryPolicy | None = None,
    *,
    sleep: Callable[[float], None] = time.sleep,
) -> DeliverySummary:
    """Send every pending delivery, retrying with backoff; each attempt is logged."""
    policy = policy or DeliveryPolicy()
    summary = DeliverySummary()
    with sessions() as session:
        pending_ids = list(
            session.scalars(
                select(WebhookDelivery.id)
                .where(WebhookDelivery.status == "pending")
                .order_by(WebhookDelivery.id)
            )
        )
    with httpx.Client(timeout=policy.timeout_s) as client:
        for delivery_id in pending_ids:
            while True:
                with sessions.begin() as session:
                    delivery = session.get(WebhookDelivery, delivery_id)
                    if delivery is None or delivery.status != "pending":
                        break
                    endpoint = session.get(WebhookEndpoint, delivery.endpoint_id)
                    assert endpoint is not None  # foreign key
                    status_code, error, elapsed = _attempt(client, endpoint, delivery)
                    delivery.attempts += 1
                    summary.attempts += 1
                    session.add(
                        WebhookAttempt(
                            delivery_id=delivery.id,
                            attempt=delivery.attempts,
                            at=utc_now(),
                            status_code=status_code,
                            error=error,
                            duration_ms=elapsed,
                        )
                    )
                    if error is None:
                        delivery.status = "delivered"
                        delivery.delivered_at = utc_now()
                        summary.delivered += 1
                        break
                    if delivery.attempts >= policy.max_attempts:
                        delivery.status = "failed"
                        summary.failed += 1
                        break
                    wait = policy.backoff_s * 2 ** (delivery.attempts - 1)
                sleep(wait)
    return summary
