"""Issue 13's small leaks on the real server: a 422 names the field without echoing the body,
and the rate limit holds for ``clearance serve --workers 2`` as a whole."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from api_support import LiveServer, app_for, free_port, prepared
from clearance.api.security import TokenBucketLimiter

BIG = 700_000


def test_a_422_names_the_field_with_an_excerpt_not_the_whole_body() -> None:
    key = prepared().keys["screening"]
    with LiveServer(app_for()) as server:
        response = httpx.post(
            f"{server.url}/screen", json={"name": "A" * BIG}, headers={"X-API-Key": key}
        )
    assert response.status_code == 422
    assert len(response.content) < 2_000, "the 0.7 MB name is not echoed back"
    [error] = response.json()["detail"]
    assert error["loc"] == ["body", "name"]
    assert error["type"] == "string_too_long"
    assert error["input"] == "A" * 80 + f"... ({BIG:,} characters)"


def test_a_422_for_a_missing_field_quotes_only_the_start_of_the_body() -> None:
    key = prepared().keys["screening"]
    with LiveServer(app_for()) as server:
        response = httpx.post(
            f"{server.url}/screen",
            json={"nmae": "Joaquin Guzman", "notes": "x" * BIG},
            headers={"X-API-Key": key},
        )
    assert response.status_code == 422
    assert len(response.content) < 2_000
    [error] = response.json()["detail"]
    assert error["loc"] == ["body", "name"] and error["type"] == "missing"
    assert error["input"].startswith('{"nmae": "Joaquin Guzman"')
    assert error["input"].endswith(" characters)")


def test_malformed_json_is_a_422_naming_where_it_broke() -> None:
    key = prepared().keys["screening"]
    with LiveServer(app_for()) as server:
        response = httpx.post(
            f"{server.url}/screen",
            content=b'{"name": "Joaquin Guzman",' + b" " * BIG,
            headers={"X-API-Key": key, "Content-Type": "application/json"},
        )
    assert response.status_code == 422
    assert len(response.content) < 2_000
    [error] = response.json()["detail"]
    assert error["type"] == "json_invalid" and error["loc"][0] == "body"


def test_the_token_bucket_is_shared_through_its_file(tmp_path: Path) -> None:
    """Two limiters on one file (as two worker processes have) spend one bucket."""
    first = TokenBucketLimiter(rate=2.0, burst=2, path=tmp_path / "ratelimit.sqlite")
    second = TokenBucketLimiter(rate=2.0, burst=2, path=tmp_path / "ratelimit.sqlite")
    assert first.take("k") == 0.0
    assert second.take("k") == 0.0
    wait = first.take("k")
    assert 0.0 < wait <= 0.5
    assert second.take("other") == 0.0


@pytest.mark.slow
def test_rate_limit_holds_for_the_server_as_a_whole_with_two_workers(tmp_path: Path) -> None:
    """Requests on fresh connections spread over both workers; the burst is still the burst."""
    cli = [sys.executable, "-c", "from clearance.cli.main import app; app()"]
    env = {**os.environ, "CLEARANCE_HOME": str(tmp_path)}
    created = subprocess.run(
        [*cli, "keys", "create", "--name", "load test", "--format", "json"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    key = json.loads(created.stdout)["key"]
    port = free_port()
    burst = 5
    server = subprocess.Popen(
        [
            *cli,
            "serve",
            "--port",
            str(port),
            "--workers",
            "2",
            "--rate-limit",
            "0.001",
            "--rate-burst",
            str(burst),
            "--log-level",
            "warning",
        ],
        env=env,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.2)
        time.sleep(2)  # both workers up
        statuses = []
        for _ in range(40):
            with httpx.Client(headers={"X-API-Key": key, "Connection": "close"}) as client:
                statuses.append(client.get(f"{url}/lists", timeout=30).status_code)
    finally:
        server.terminate()
        server.wait(timeout=30)
    allowed = [s for s in statuses if s != 429]
    assert len(allowed) == burst, statuses
