"""Clearance: screening against terrorist-designation and sanctions lists."""

from __future__ import annotations

__version__ = "0.1.0"
