"""API key roles, apart from the security machinery so the CLI can name them without FastAPI."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """What a key may do. Each role includes the rights of the ones before it."""

    SCREENING = "screening"  # screen, match, search, read entities and lists
    ANALYST = "analyst"  # + batch jobs, document scans, payment screening, list diffs
    ADMIN = "admin"  # + list imports and key management

    @property
    def rank(self) -> int:
        return list(Role).index(self)

    def allows(self, needed: Role) -> bool:
        return self.rank >= needed.rank
