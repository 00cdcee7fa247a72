"""The ``--lists`` option shared by ``scan``, ``screen-payment`` and ``evaluate``: which lists
to screen against (kept apart from the command modules so none imports another)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from clearance.model import Entity

LISTS_HELP = (
    "screen against these list files or folders (newest version of each dataset, plus the "
    "register) instead of the loaded lists"
)


def entities_from_files(paths: Sequence[Path]) -> list[Entity]:
    """The newest version of each dataset in the given files, plus the built-in register.

    ``read_paths`` returns a dataset's versions oldest first, so the last batch per dataset is
    the one the store would have active.
    """
    from clearance.register import load as load_register
    from clearance.sources import read_paths

    newest = {batch.dataset: batch for batch in read_paths(list(paths))}
    entities = [e for batch in newest.values() for e in batch.entities]
    known = {e.id for e in entities}
    return entities + [e for e in load_register() if e.id not in known]


def screener_for(lists: list[Path] | None) -> Any:
    """A screener over the given list files, else over the store's active lists."""
    from clearance.matching import Screener

    if lists:
        return Screener.from_entities(entities_from_files(lists))
    return Screener.open()
