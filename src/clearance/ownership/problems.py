"""Collecting every bad row or statement of an ownership file before refusing it.

An ownership graph with a row missing can understate what blocked persons own, so an import
with any bad record is refused whole (nothing is stored or activated); the error lists every
problem with its file and line or statement id, not only the first.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from clearance.errors import InputError, InputWarning, Location

#: Problems spelled out in the error message; the rest are counted.
SHOWN = 20


class OwnershipInputError(InputError):
    """Bad ownership input; ``problems`` holds every bad record found."""

    def __init__(self, problems: list[InputWarning]) -> None:
        self.problems = problems
        lines = [str(p) for p in problems[:SHOWN]]
        if len(problems) > SHOWN:
            lines.append(f"... and {len(problems) - SHOWN} more")
        first = problems[0].location if problems else Location()
        super().__init__(
            f"{len(problems)} bad ownership record(s), nothing imported:\n" + "\n".join(lines)
        )
        self.location = first


@dataclass(slots=True)
class Problems:
    """Accumulates problems; :meth:`raise_any` raises them together."""

    found: list[InputWarning] = field(default_factory=list)

    def add(self, location: Location, message: str, kind: str = "bad_record") -> None:
        self.found.append(InputWarning(location, message, kind))

    def raise_any(self) -> None:
        if self.found:
            raise OwnershipInputError(self.found)
