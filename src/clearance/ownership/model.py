"""What an ownership dataset holds: parties, the interests between them, and their shares.

Shares are percentages kept as a closed range ``[lower, upper]``: an exact share is a range of
width zero, an unknown share is ``[0, 100]``. The 50 Percent Rule is then evaluated on both
bounds (:mod:`clearance.ownership.engine`), so a range that *may* reach 50% is never read as
one that does.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from clearance.errors import InputWarning

#: Interest kinds that are ownership (counted by the OFAC rule and the EU/UK "owned" test).
OWNERSHIP = "shareholding"
#: Interest kinds that are control in the EU/UK sense (board appointment, control by rules or
#: agreement, other dominant influence). Voting rights count as control above 50%.
CONTROL_KINDS = frozenset(
    {
        "appointmentOfBoard",
        "controlViaCompanyRulesOrArticles",
        "controlByLegalFramework",
        "otherInfluenceOrControl",
    }
)
VOTING = "votingRights"
#: Where an interest is held (BODS ``directOrIndirect``).
DIRECT, INDIRECT, UNKNOWN = "direct", "indirect", "unknown"


@dataclass(frozen=True, slots=True)
class Share:
    """A share in percent, as the closed range ``[lower, upper]``."""

    lower: float
    upper: float

    @classmethod
    def unknown(cls) -> Share:
        return cls(0.0, 100.0)

    @property
    def exact(self) -> bool:
        return self.lower == self.upper

    def __str__(self) -> str:
        return _pct(self.lower) if self.exact else f"{_pct(self.lower)}–{_pct(self.upper)}"


def _pct(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".") + "%"


@dataclass(slots=True)
class Party:
    """A person or entity of the ownership data (owner, owned, or both).

    ``listed_id`` is set where the data itself names a listed entity (``us_ofac_sdn:6861``): a
    confirmed identification, not a name match.
    """

    id: str
    schema: str
    name: str
    aliases: list[str] = field(default_factory=list)
    birth_date: str | None = None
    country: str | None = None
    identifiers: list[str] = field(default_factory=list)
    listed_id: str | None = None
    source: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Party:
        return cls(**data)


@dataclass(slots=True)
class Interest:
    """One interest of ``owner`` in ``owned``: its kind, share and dates."""

    id: str
    owner: str
    owned: str
    kind: str = OWNERSHIP
    share: Share = field(default_factory=Share.unknown)
    direct: str = DIRECT
    start: str | None = None
    end: str | None = None
    source: dict[str, Any] = field(default_factory=dict)

    def current(self, today: date | None = None) -> bool:
        """Whether the interest holds today: ended interests (and ones not begun) do not count."""
        day = (today or date.today()).isoformat()
        if self.end and self.end[: len(day)] <= day[: len(self.end)]:
            return False
        return not (self.start and self.start[: len(day)] > day[: len(self.start)])

    @property
    def is_control(self) -> bool:
        return self.kind in CONTROL_KINDS or (self.kind == VOTING and self.share.lower > 50)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Interest:
        return cls(**{**data, "share": Share(**data["share"])})


@dataclass(slots=True)
class OwnershipBatch:
    """The parsed content of one version of one ownership dataset (like ``SourceBatch``)."""

    dataset: str
    parties: list[Party]
    interests: list[Interest]
    files: list[Path]
    label: str
    format: str  # "bods", "ftm_ownership", "ownership_csv"
    warnings: list[InputWarning] = field(default_factory=list)

    @property
    def content_hash(self) -> str:
        """Hash of what was read (not of file bytes, so a re-export with equal content is equal)."""
        digest = hashlib.sha256()
        for party in sorted(self.parties, key=lambda p: p.id):
            digest.update(json.dumps({**party.to_dict(), "source": None}, sort_keys=True).encode())
        for interest in sorted(self.interests, key=lambda i: i.id):
            data = {**interest.to_dict(), "source": None}
            digest.update(json.dumps(data, sort_keys=True).encode())
        return digest.hexdigest()
