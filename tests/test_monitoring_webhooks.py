"""Signed webhooks against a real HTTP server on 127.0.0.1: signature, retries, delivery log."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from clearance.errors import InputError
from clearance.monitoring import webhooks
from clearance.monitoring.alerts import HitFacts, apply_hit, lock_for_write
from clearance.monitoring.records import RecordInput, upsert_records
from clearance.monitoring.tables import WebhookAttempt, WebhookDelivery
from test_monitoring_fixtures import database_url, engine  # noqa: F401

SECRET = "s3cret-shared-with-the-receiver"


class Receiver:
    """A local HTTP server that fails the first ``failures`` requests, then accepts."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.requests: list[tuple[dict[str, str], bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append((dict(self.headers), body))
                status = 503 if len(receiver.requests) <= receiver.failures else 204
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver(failures=2)
    yield server
    server.close()


def _open_alert(sessions: sessionmaker[Session]) -> None:
    record = RecordInput("c1", "Ana Ruiz", "Person")
    with sessions.begin() as session:
        lock_for_write(session)
        upsert_records(session, [record], actor="t", source="t")
        apply_hit(
            session,
            HitFacts(
                "c1",
                record.content_hash(),
                "us_ofac_sdn:1",
                "us_ofac_sdn",
                "RUIZ, Ana",
                "e" * 64,
                1,
                0.93,
                {},
            ),
            actor="clearance",
            context={},
        )


def test_new_alert_is_delivered_signed_after_retries(
    engine: Engine,  # noqa: F811
    receiver: Receiver,
) -> None:
    sessions = sessionmaker(engine, expire_on_commit=False)
    with sessions.begin() as session:
        webhooks.add_endpoint(session, receiver.url, SECRET)
    _open_alert(sessions)
    waits: list[float] = []
    summary = webhooks.deliver_pending(
        sessions, webhooks.DeliveryPolicy(max_attempts=4, backoff_s=0.01), sleep=waits.append
    )
    assert (summary.delivered, summary.failed, summary.attempts) == (1, 0, 3)
    assert waits == [0.01, 0.02]  # exponential backoff between the attempts
    assert len(receiver.requests) == 3
    headers, body = receiver.requests[-1]
    assert webhooks.verify_signature(
        SECRET, headers[webhooks.TIMESTAMP_HEADER], body, headers[webhooks.SIGNATURE_HEADER]
    )
    assert not webhooks.verify_signature(
        "wrong-secret-xxxxxxxx",
        headers[webhooks.TIMESTAMP_HEADER],
        body,
        headers[webhooks.SIGNATURE_HEADER],
    )
    assert not webhooks.verify_signature(
        SECRET, headers[webhooks.TIMESTAMP_HEADER], body + b" ", headers[webhooks.SIGNATURE_HEADER]
    )
    payload = json.loads(body)
    assert payload["event"] == "alert.opened"
    assert payload["alert"]["record_id"] == "c1" and payload["alert"]["score"] == 0.93
    with sessions() as session:
        delivery = session.scalars(select(WebhookDelivery)).one()
        attempts = session.scalars(select(WebhookAttempt).order_by(WebhookAttempt.attempt)).all()
    assert (delivery.status, delivery.attempts) == ("delivered", 3)
    assert [(a.attempt, a.status_code, a.error) for a in attempts] == [
        (1, 503, "HTTP 503"),
        (2, 503, "HTTP 503"),
        (3, 204, None),
    ]
    # nothing left to send: a second run sends nothing
    assert webhooks.deliver_pending(sessions, sleep=waits.append).attempts == 0


def test_delivery_gives_up_after_max_attempts_and_logs_errors(
    engine: Engine,  # noqa: F811
) -> None:
    sessions = sessionmaker(engine, expire_on_commit=False)
    with sessions.begin() as session:
        webhooks.add_endpoint(session, "http://127.0.0.1:9/closed-port", SECRET)
    _open_alert(sessions)
    summary = webhooks.deliver_pending(
        sessions, webhooks.DeliveryPolicy(max_attempts=2, backoff_s=0.0), sleep=lambda _: None
    )
    assert (summary.delivered, summary.failed) == (0, 1)
    with sessions() as session:
        assert session.scalars(select(WebhookDelivery.status)).one() == "failed"
        errors = session.scalars(select(WebhookAttempt.error)).all()
    assert len(errors) == 2 and all("ConnectError" in e for e in errors)


def test_signature_rejects_replayed_timestamps() -> None:
    body = b'{"event":"alert.opened"}'
    stamp = int(time.time()) - 3600
    signature = webhooks.sign(SECRET, stamp, body)
    assert webhooks.verify_signature(SECRET, stamp, body, signature, now=stamp + 10)
    assert not webhooks.verify_signature(SECRET, stamp, body, signature)
    assert not webhooks.verify_signature(SECRET, "not-a-number", body, signature)


def test_endpoint_configuration_is_checked(engine: Engine) -> None:  # noqa: F811
    sessions = sessionmaker(engine)
    with sessions() as session:
        with pytest.raises(InputError, match="http"):
            webhooks.add_endpoint(session, "ftp://example.org", SECRET)
        with pytest.raises(InputError, match="16 characters"):
            webhooks.add_endpoint(session, "http://127.0.0.1/x", "short")
