"""Errors with a location, so every message names the file, line or field at fault."""

from __future__ import annotations

from dataclasses import dataclass


class ClearanceError(Exception):
    """Base class for errors shown to users as a clear message (never a traceback)."""


@dataclass(frozen=True, slots=True)
class Location:
    """Where in an input a problem was found. Any part may be unknown."""

    file: str | None = None
    line: int | None = None
    field: str | None = None

    def __str__(self) -> str:
        parts = []
        if self.file:
            parts.append(self.file)
        if self.line is not None:
            parts.append(f"line {self.line}")
        if self.field:
            parts.append(f"field {self.field!r}")
        return ", ".join(parts) or "<input>"


class InputError(ClearanceError):
    """Bad input that stops an operation; the message starts with its location."""

    def __init__(self, message: str, location: Location | None = None) -> None:
        self.location = location or Location()
        self.reason = message
        super().__init__(f"{self.location}: {message}" if location else message)


@dataclass(frozen=True, slots=True)
class InputWarning:
    """A problem that was counted and skipped, not fatal (e.g. an orphan alt.csv row)."""

    location: Location
    message: str
    kind: str = "warning"  # short machine-readable category, e.g. "orphan_alt"

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"
