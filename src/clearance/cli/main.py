"""Entry point of the ``clearance`` CLI. Each command group lives in its own module."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="clearance",
    help="Screen people, companies, vessels, payments and documents against sanctions and "
    "terrorist-designation lists.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)


@app.callback()
def main() -> None:
    """Screen people, companies, vessels, payments and documents against sanctions lists."""


# Command groups register themselves on import (kept alphabetical).
from clearance.cli import (  # noqa: E402
    commands_documents,  # noqa: F401
    commands_evaluate,  # noqa: F401
    commands_info,  # noqa: F401
    commands_lists,  # noqa: F401
    commands_monitor,  # noqa: F401
    commands_ownership,  # noqa: F401
    commands_payments,  # noqa: F401
    commands_screen,  # noqa: F401
    commands_serve,  # noqa: F401
)
