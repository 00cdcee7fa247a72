"""The FastAPI application: API routers, web UI, security and error handling in one process."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import RedirectResponse

from clearance import __version__, config
from clearance.api import alerts, jobs, lists, reconcile, screening, yente
from clearance.api.errors import RequestGuardMiddleware, install_error_handlers
from clearance.api.security import AuditLog, Guard, KeyStore, SessionSigner, TokenBucketLimiter
from clearance.api.services import Services
from clearance.api.settings import ApiSettings

log = logging.getLogger("clearance.api")

#: Endpoints that take file uploads, and so get the larger body limit.
UPLOAD_PATHS = ("/screen/batch", "/lists/import", "/scan", "/payments/screen", "/ui/batch")

DESCRIPTION = """
Screening against terrorist-designation and sanctions lists.

* **yente-compatible** endpoints (`/match`, `/search`, `/entities`, `/catalog`, `/reconcile`) so
  clients written for OpenSanctions' yente work unchanged.
* **Clearance** endpoints: `/screen`, `/screen/batch` + `/jobs`, `/scan`, `/payments/screen`,
  `/lists`.

Authenticate with an API key (`X-API-Key: <key>` or `Authorization: ApiKey <key>`); create one
with `clearance keys create --role screening|analyst|admin --name WHO`.
"""


def create_app(settings: ApiSettings | None = None, services: Services | None = None) -> FastAPI:
    """Build the app. ``services`` may be passed in so tests share one opened store/screener."""
    settings = settings or ApiSettings()
    own_services = services is None
    services = services or Services(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if own_services and not services.ready:
            services.open_in_background()
        yield
        app.state.audit.close()
        app.state.jobs.shutdown()

    app = FastAPI(
        title="Clearance",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.services = services
    app.state.audit = AuditLog(settings.audit_log)
    app.state.guard = Guard(
        enabled=settings.auth,
        keys=KeyStore(settings.resolved_database_url()),
        limiter=TokenBucketLimiter(
            settings.rate_per_second, settings.rate_burst, config.home() / "ratelimit.sqlite"
        ),
        signer=SessionSigner.from_home(),
        cache_seconds=settings.key_cache_seconds,
    )
    app.state.jobs = jobs.JobRunner(settings.resolved_jobs_dir())

    install_error_handlers(app)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "POST"],
            allow_headers=["X-API-Key", "Authorization", "Content-Type"],
        )
    app.add_middleware(
        RequestGuardMiddleware,
        max_body_bytes=settings.max_body_bytes,
        max_upload_bytes=settings.max_upload_bytes,
        upload_paths=UPLOAD_PATHS,
    )

    app.include_router(yente.router)
    app.include_router(reconcile.router)
    app.include_router(screening.router)
    app.include_router(jobs.router)
    app.include_router(lists.router)
    app.include_router(alerts.router)

    from clearance.web import routes as web_routes

    web_routes.install(app)

    @app.get("/", include_in_schema=False)
    def root() -> RedirectResponse:
        return RedirectResponse("/ui/")

    return app


def create_app_from_env() -> FastAPI:
    """Factory for ``uvicorn --factory``: each worker process reads settings from the environment."""
    return create_app(ApiSettings.from_env())
