"""The ``--lists`` option shared by ``scan`` and ``screen-payment``: which lists to screen
against (kept apart from the command modules so neither imports the other)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

LISTS_HELP = (
    "screen against these list files or folders (newest version of each dataset, plus the "
    "register) instead of the loaded lists"
)


def screener_for(lists: list[Path] | None) -> Any:
    """A screener over the given list files, else over the store's active lists."""
    from clearance.matching import Screener

    if lists:
        from clearance.cli.commands_evaluate import _entities_from_files

        return Screener.from_entities(_entities_from_files(lists))
    return Screener.open()
