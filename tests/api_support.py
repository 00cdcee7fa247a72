"""Shared set-up of the API and web tests: one store with the real lists, one live server.

Importing every bundled list and building the index takes about half a minute, so it is done
once per test session (a ``functools`` cache: pytest runs all modules in one process) and
shared by ``test_api*.py`` and ``test_web*.py``.
"""

from __future__ import annotations

import socket
import tempfile
import threading
import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import uvicorn
from fastapi import FastAPI

from clearance.api import ApiSettings, create_app
from clearance.api.security import KeyStore, Role
from clearance.api.services import Services
from conftest import LISTS


@dataclass(frozen=True)
class Prepared:
    home: Path
    settings: ApiSettings
    services: Services
    keys: dict[str, str]  # role -> token


@cache
def prepared() -> Prepared:
    """A data directory with the lists imported, an opened screener and one key per role."""
    from clearance.store import Store

    home = Path(tempfile.mkdtemp(prefix="clearance-api-test-"))
    url = f"sqlite:///{home / 'clearance.sqlite'}"
    store = Store.open(url)
    # Every bundled list: three SDN versions (oldest first) to diff, consolidated, UN.
    store.import_paths([LISTS])
    settings = ApiSettings(
        database_url=url,
        jobs_dir=str(home / "jobs"),
        audit_log=str(home / "audit.jsonl"),
        rate_per_second=1000.0,
        rate_burst=1000,
    )
    services = Services(settings)
    services.open()
    assert services.ready, services.error
    key_store = KeyStore(url)
    keys = {role.value: key_store.create(f"test {role.value}", role)[1] for role in Role}
    return Prepared(home, settings, services, keys)


def app_for(settings: ApiSettings | None = None) -> FastAPI:
    ready = prepared()
    return create_app(settings or ready.settings, services=ready.services)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LiveServer:
    """uvicorn serving an app on a free loopback port in a background thread."""

    def __init__(self, app: FastAPI) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("test server did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
