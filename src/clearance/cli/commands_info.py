"""``clearance info``: version and what is loaded."""

from __future__ import annotations

import json

import typer
from rich.console import Console

from clearance import __version__
from clearance.cli.main import app


@app.command()
def info(
    format: str = typer.Option("table", "--format", "-f", help="table or json"),
) -> None:
    """Show the Clearance version and the loaded datasets."""
    data = {"version": __version__}
    if format == "json":
        typer.echo(json.dumps(data, indent=2))
    else:
        Console().print(data)
