"""Ongoing monitoring: watched records, re-screening on list change, alerts, audit, reports.

``Monitor(store)`` is the entry point; ``Monitor.attach()`` registers it as the store's activation
listener so every list import re-screens what its diff can affect.
"""

from __future__ import annotations

from clearance.monitoring.rescreen import Monitor, RunSummary, ScreenSummary

__all__ = ["Monitor", "RunSummary", "ScreenSummary"]
