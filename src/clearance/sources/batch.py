"""What an importer hands to the store: one dataset version's entities and what was skipped."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from clearance.errors import InputWarning
from clearance.model import Entity


@dataclass(slots=True)
class SourceBatch:
    """The parsed content of one version of one dataset.

    ``content_hash`` is a sha256 over the input bytes (so re-importing identical files is a
    no-op), ``label`` a human name for the version (e.g. ``"sdn.csv 2024-05-03"``) and
    ``published`` the list's own publication date where the files state one.
    """

    dataset: str
    entities: list[Entity]
    files: list[Path]
    content_hash: str
    label: str
    format: str  # e.g. "ofac_csv", "ofac_xml", "un_xml", "ftm_json", "register"
    published: str | None = None
    warnings: list[InputWarning] = field(default_factory=list)
