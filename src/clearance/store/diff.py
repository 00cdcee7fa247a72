"""What changed between two versions of a dataset, down to the field names."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

#: Not compared: line numbers and file names move between list files without a real change.
IGNORED_FIELDS = frozenset({"source"})


@dataclass(frozen=True, slots=True)
class EntityChange:
    """An entity present in both versions whose content differs; ``fields`` say where.

    Top-level Entity fields are named as such (``names``, ``programs``...); changes inside
    ``properties`` are named per property, e.g. ``properties.title``.
    """

    id: str
    caption: str
    fields: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "caption": self.caption, "fields": list(self.fields)}


@dataclass(slots=True)
class VersionDiff:
    """Entities added, removed and changed from version ``old`` to version ``new``."""

    dataset: str
    old: int
    new: int
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: list[EntityChange] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "dataset": self.dataset,
            "old": self.old,
            "new": self.new,
            "counts": {
                "added": len(self.added),
                "removed": len(self.removed),
                "changed": len(self.changed),
            },
            "added": self.added,
            "removed": self.removed,
            "changed": [change.to_dict() for change in self.changed],
        }


def changed_fields(old: dict[str, Any], new: dict[str, Any]) -> tuple[str, ...]:
    """Names of the fields that differ between two stored entity dicts."""
    names: list[str] = []
    for key in sorted(old.keys() | new.keys()):
        if key in IGNORED_FIELDS or old.get(key) == new.get(key):
            continue
        if key == "properties":
            old_props, new_props = old.get(key) or {}, new.get(key) or {}
            names.extend(
                f"properties.{prop}"
                for prop in sorted(old_props.keys() | new_props.keys())
                if old_props.get(prop) != new_props.get(prop)
            )
        else:
            names.append(key)
    return tuple(names)
