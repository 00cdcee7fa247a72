"""Reading ownership files of any supported format (BODS, FtM Ownership, CSV) by their content."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from clearance.errors import InputError, Location
from clearance.ownership.model import OwnershipBatch
from clearance.sources.bods import looks_like_bods, read_bods
from clearance.sources.ftm_ownership import looks_like_ftm_ownership, read_ftm_ownership
from clearance.sources.ownership_csv import looks_like_ownership_csv, read_ownership_csv

Reader = Callable[[Path, str | None], OwnershipBatch]
READERS: tuple[tuple[str, Callable[[Path], bool], Reader], ...] = (
    ("bods", looks_like_bods, read_bods),
    ("ftm_ownership", looks_like_ftm_ownership, read_ftm_ownership),
    ("ownership_csv", looks_like_ownership_csv, read_ownership_csv),
)


def read_ownership(path: Path, dataset: str | None = None) -> OwnershipBatch:
    """Parse one ownership file, its format detected; InputError when none fits."""
    if not path.is_file():
        raise InputError("no such file", Location(str(path)))
    for _, looks_like, reader in READERS:
        if looks_like(path):
            return reader(path, dataset)
    raise InputError(
        "not an ownership file (BODS 0.4 JSON / JSON lines, FtM Ownership JSON lines, or a CSV "
        "with owner_name, owned_name, owned_id ... columns)",
        Location(str(path)),
    )


def merge(batches: list[OwnershipBatch], dataset: str) -> OwnershipBatch:
    """Several files as one version of ``dataset`` (party ids shared across files join)."""
    if len(batches) == 1:
        batches[0].dataset = dataset
        return batches[0]
    parties = {p.id: p for batch in batches for p in batch.parties}
    return OwnershipBatch(
        dataset=dataset,
        parties=list(parties.values()),
        interests=[i for batch in batches for i in batch.interests],
        files=[f for batch in batches for f in batch.files],
        label=", ".join(batch.label for batch in batches),
        format="+".join(dict.fromkeys(batch.format for batch in batches)),
        warnings=[w for batch in batches for w in batch.warnings],
    )
