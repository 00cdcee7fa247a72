"""``clearance screen-payment``: verdicts on ISO 20022 and SWIFT MT103 messages before release.

Exit codes (highest across the files): 0 every message clear, 1 at least one needs review,
2 at least one must be blocked, 3 at least one message is malformed or unreadable (it is
reported with the field and line at fault and never counted as clear).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from clearance.cli.common import fail, reporting_errors
from clearance.cli.screening_lists import LISTS_HELP, screener_for
from clearance.errors import ClearanceError, InputError, Location

#: This module's commands; cli/main.py adds them to the ``clearance`` app.
app = typer.Typer()

FORMATS = ("table", "json")
EXIT_CODES = {"clear": 0, "review": 1, "block": 2}
EXIT_MALFORMED = 3


def _render(results: list[dict[str, Any]], console: Console) -> None:
    table = Table(title="Payment screening")
    for column in ("file", "type", "reference", "verdict", "reasons"):
        table.add_column(column)
    colours = {"clear": "green", "review": "yellow", "block": "red", "error": "red"}
    for row in results:
        verdict = row["verdict"]
        reasons = row.get("reasons") or ([row["error"]] if "error" in row else [])
        table.add_row(
            row["source"],
            row.get("message_type") or "-",
            row.get("reference") or "-",
            f"[{colours[verdict]}]{verdict}[/]",
            "\n".join(reasons) or "-",
        )
    console.print(table)


@app.command("screen-payment")
def screen_payment_command(
    files: list[Path] = typer.Argument(..., help="pacs.008 / pain.001 XML or MT103 files"),
    format: str = typer.Option("table", "--format", "-f", help="table or json"),
    threshold: float | None = typer.Option(
        None, "--threshold", help="minimum score of a hit (default 0.8)", min=0.0, max=1.0
    ),
    lists: list[Path] | None = typer.Option(None, "--lists", help=LISTS_HELP),
) -> None:
    """Screen every party, agent and free-text field; verdict clear, review or block.

    Exit code: 0 all clear, 1 review, 2 block, 3 a malformed or unreadable message.
    """
    from clearance.payments import parse_message, screen_message

    if format not in FORMATS:
        fail(f"unknown format {format!r} (use table or json)", EXIT_MALFORMED)
    with reporting_errors(code=EXIT_MALFORMED, doing="loading the lists"):
        screener = screener_for(lists)
    results: list[dict[str, Any]] = []
    code = 0
    for path in files:
        try:
            try:
                data = path.read_bytes()
            except OSError as exc:
                raise InputError(f"cannot read file: {exc.strerror}", Location(str(path))) from None
            result = screen_message(parse_message(data, str(path)), screener, threshold)
        except ClearanceError as error:
            results.append({"source": str(path), "verdict": "error", "error": str(error)})
            code = EXIT_MALFORMED
            continue
        results.append(result.to_dict())
        code = max(code, EXIT_CODES[result.verdict])
    if format == "json":
        typer.echo(json.dumps(results, indent=2, ensure_ascii=False))
    else:
        _render(results, Console())
    raise typer.Exit(code)
