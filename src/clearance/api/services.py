"""The library objects one server process uses: the store and the screener.

They are opened once per process, in the background, so ``/healthz`` answers at once and
``/readyz`` says 503 until screening can start. When another process (or an import through
this one) activates new list versions, the screener is reopened in the background while the
old one keeps answering.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import TYPE_CHECKING

from fastapi import HTTPException

from clearance.api.settings import ApiSettings

if TYPE_CHECKING:
    from clearance.matching import Screener
    from clearance.store import Store

log = logging.getLogger("clearance.api")


class Services:
    """Lazily opened store and screener, shared by every request of one process."""

    def __init__(self, settings: ApiSettings) -> None:
        self.settings = settings
        self._store: Store | None = None
        self._screener: Screener | None = None
        self._signature: tuple[str, ...] = ()
        self._checked_at = 0.0
        self._lock = threading.Lock()
        self._reloading = False
        self.error: str | None = None

    # --- opening ---------------------------------------------------------------------------

    def open(self) -> None:
        """Open store and screener now (called in a thread at startup)."""
        try:
            from clearance.matching import Screener
            from clearance.monitoring import Monitor
            from clearance.store import Store

            store = Store.open(self.settings.database_url)
            # Imports through this server re-screen the monitored records, as CLI imports do.
            monitor = Monitor(store)
            monitor.attach()
            from clearance.ownership import OwnershipWatch

            OwnershipWatch(store).attach()  # and re-evaluate ownership on a list change
            signature = self._active_signature(store)
            screener = Screener.open(store=store)
        except Exception as exc:
            log.exception("cannot open the store or the screening index")
            self.error = f"{type(exc).__name__}: {exc}"
            return
        with self._lock:
            self._store, self._screener, self._signature = store, screener, signature
            self._checked_at = time.monotonic()
            self.error = None
        try:  # re-screens owed to earlier activations (a killed import): resumed at start
            monitor.catch_up()
        except Exception:
            log.exception("resuming the pending re-screens failed; the next start retries")

    def open_in_background(self) -> threading.Thread:
        thread = threading.Thread(target=self.open, name="clearance-open", daemon=True)
        thread.start()
        return thread

    @property
    def ready(self) -> bool:
        return self._screener is not None

    # --- access ----------------------------------------------------------------------------

    def store(self) -> Store:
        if self._store is None:
            raise _not_ready(self.error)
        return self._store

    def screener(self) -> Screener:
        """The current screener; schedules a reopen when the active list versions changed."""
        screener = self._screener
        if screener is None:
            raise _not_ready(self.error)
        now = time.monotonic()
        if now - self._checked_at >= self.settings.refresh_seconds and not self._reloading:
            self._checked_at = now
            threading.Thread(target=self._refresh, name="clearance-refresh", daemon=True).start()
        return screener

    def reload_now(self) -> None:
        """Reopen the screener after this process activated new versions (e.g. an import)."""
        self._refresh(force=True)

    # --- internals -------------------------------------------------------------------------

    @staticmethod
    def _active_signature(store: Store) -> tuple[str, ...]:
        return tuple(sorted(str(v.id) for v in store.active_versions()))

    def _refresh(self, force: bool = False) -> None:
        from clearance.matching import Screener

        store = self._store
        if store is None:
            return
        with self._lock:
            if self._reloading:
                return
            self._reloading = True
        try:
            signature = self._active_signature(store)
            if force or signature != self._signature:
                log.info("active list versions changed; reopening the screening index")
                screener = Screener.open(store=store)
                with self._lock:
                    self._screener, self._signature = screener, signature
        except Exception:
            log.exception("reopening the screening index failed; keeping the previous one")
        finally:
            self._reloading = False


def _not_ready(error: str | None) -> HTTPException:
    if error:
        return HTTPException(503, f"Screening is unavailable: {error}")
    return HTTPException(503, "Screening index is still loading; retry in a few seconds.")
