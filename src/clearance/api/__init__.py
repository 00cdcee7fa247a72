"""Clearance's HTTP API: yente-compatible and Clearance endpoints behind API-key security.

Exports load on first use, so importing a light module of this package (``roles``,
``settings``) does not pull in FastAPI and the whole app.
"""

from __future__ import annotations

from typing import Any

__all__ = ["ApiSettings", "create_app", "create_app_from_env"]


def __getattr__(name: str) -> Any:
    if name in ("create_app", "create_app_from_env"):
        from clearance.api import app

        return getattr(app, name)
    if name == "ApiSettings":
        from clearance.api.settings import ApiSettings

        return ApiSettings
    raise AttributeError(name)
