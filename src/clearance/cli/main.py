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
from clearance.cli import commands_documents  # noqa: E402,F401
from clearance.cli import commands_evaluate  # noqa: E402,F401
from clearance.cli import commands_info  # noqa: E402,F401
from clearance.cli import commands_lists  # noqa: E402,F401
from clearance.cli import commands_monitor  # noqa: E402,F401
from clearance.cli import commands_payments  # noqa: E402,F401
from clearance.cli import commands_screen  # noqa: E402,F401
from clearance.cli import commands_serve  # noqa: E402,F401
