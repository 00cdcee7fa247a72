"""``clearance info``: version, database and what is loaded."""

from __future__ import annotations

import json
from typing import Any

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from clearance import __version__
from clearance.cli.common import reporting_errors
from clearance.config import database_url, home

#: This module's commands; cli/main.py adds them to the ``clearance`` app.
app = typer.Typer()

FORMATS = ("table", "json")


def _info() -> dict[str, Any]:
    from clearance.matching import DEFAULT_THRESHOLD
    from clearance.store import Store
    from clearance.store.engine import redacted_url

    with Store.open() as store:
        active = store.active_versions()
    return {
        "version": __version__,
        "home": str(home()),
        "database": redacted_url(database_url()),
        "default_threshold": DEFAULT_THRESHOLD,
        "datasets": [
            {
                "dataset": v.dataset,
                "version_id": v.id,
                "label": v.label,
                "published": v.published,
                "entity_count": v.entity_count,
                "imported_at": v.imported_at.isoformat(),
            }
            for v in active
        ],
    }


@app.command()
def info(
    format: str = typer.Option("table", "--format", "-f", help="table or json"),
) -> None:
    """Show the Clearance version, the database and the loaded datasets."""
    if format not in FORMATS:
        raise typer.BadParameter(f"use one of {', '.join(FORMATS)}", param_hint="--format")
    with reporting_errors(doing="reading the store"):
        data = _info()
    if format == "json":
        typer.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    console = Console()
    console.print(f"Clearance {data['version']}", highlight=False)
    console.print(Text(f"data directory: {data['home']}"))
    console.print(Text(f"database: {data['database']}"))
    table = Table(title="Loaded datasets")
    for column in ("dataset", "version", "label", "published", "entities"):
        table.add_column(column)
    for row in data["datasets"]:
        table.add_row(
            row["dataset"],
            str(row["version_id"]),
            Text(row["label"]),
            row["published"] or "",
            str(row["entity_count"]),
        )
    console.print(table)
