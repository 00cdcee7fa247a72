"""Clearance's HTTP API: yente-compatible and Clearance endpoints behind API-key security."""

from __future__ import annotations

from clearance.api.app import create_app, create_app_from_env
from clearance.api.settings import ApiSettings

__all__ = ["ApiSettings", "create_app", "create_app_from_env"]
