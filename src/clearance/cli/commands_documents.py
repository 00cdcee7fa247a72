"""``clearance scan``: the listed parties a news article, filing or web page mentions."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

from clearance.cli.common import err, reporting_errors
from clearance.cli.screening_lists import LISTS_HELP, screener_for
from clearance.errors import InputError, Location

#: This module's commands; cli/main.py adds them to the ``clearance`` app.
app = typer.Typer()

FORMATS = ("json", "table", "html")


@app.command("scan")
def scan_command(
    file: Path = typer.Argument(..., help="text, HTML or PDF file", exists=False),
    format: str = typer.Option("table", "--format", "-f", help="json, table or html"),
    threshold: float | None = typer.Option(
        None, "--threshold", help="minimum score of a mention (default 0.8)", min=0.0, max=1.0
    ),
    out: Path | None = typer.Option(None, "--out", "-o", help="write the output to this file"),
    lists: list[Path] | None = typer.Option(None, "--lists", help=LISTS_HELP),
) -> None:
    """Find every listed name a document mentions, with offsets and the designation behind it.

    Exit code 0 on success (mentions or not), 2 when the file or the lists cannot be read.
    """
    from clearance.documents import scan_document
    from clearance.documents.report import to_html, to_json, to_table

    with reporting_errors(code=2, doing="scanning"):
        if format not in FORMATS:
            raise InputError(
                f"unknown format {format!r} (use json, table or html)", Location(field="format")
            )
        if not file.is_file():
            raise InputError("no such file", Location(str(file)))
        document, mentions = scan_document(file, screener_for(lists), threshold)
        if format == "table":
            table = to_table(mentions, f"{len(mentions)} mention(s) in {file}")
            if out:
                with out.open("w", encoding="utf-8") as handle:
                    Console(file=handle, width=160, no_color=True).print(table)
            else:
                Console().print(table)
        else:
            text = to_json(mentions) + "\n" if format == "json" else to_html(document, mentions)
            if out:
                out.write_text(text, encoding="utf-8")
            else:
                typer.echo(text, nl=False)
        if out:
            err.print(f"{len(mentions)} mention(s); written to {out}")
