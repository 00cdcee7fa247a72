"""Error reporting shared by the command modules: a user sees one ``error: ...`` line on stderr
and the command's documented exit code, never a traceback."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import NoReturn

import typer
from rich.console import Console
from rich.text import Text

from clearance.errors import ClearanceError

err = Console(stderr=True)


def fail(error: object, code: int = 1) -> NoReturn:
    """Print ``error: <error>`` on stderr and exit with ``code``.

    The message is printed as plain text: file names and XML paths in it may hold square
    brackets that Rich would otherwise read as markup.
    """
    err.print(Text.assemble(("error:", "red"), " ", str(error)), highlight=False, soft_wrap=True)
    raise typer.Exit(code) from None


def _database_error(exc: BaseException) -> bool:
    """Whether ``exc`` is a SQLAlchemy error, without importing SQLAlchemy just to ask (a
    database error can only have been raised once it was imported)."""
    module = sys.modules.get("sqlalchemy.exc")
    return module is not None and isinstance(exc, module.SQLAlchemyError)


@contextmanager
def reporting_errors(code: int = 1, doing: str = "running the command") -> Iterator[None]:
    """Bad input, store refusals, database and file-system failures as one line and ``code``.

    ``doing`` completes "database failure while ..." so the user knows which step failed.
    """
    try:
        yield
    except ClearanceError as exc:
        fail(exc, code)
    except OSError as exc:
        fail(f"{doing}: {exc}", code)
    except Exception as exc:
        if not _database_error(exc):
            raise
        fail(f"database failure while {doing}: {getattr(exc, 'orig', None) or exc}", code)
