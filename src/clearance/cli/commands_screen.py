"""``clearance screen``, ``clearance compare`` and ``clearance screen-file``."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskProgressColumn,
    TextColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from clearance.errors import ClearanceError, InputError, Location

if TYPE_CHECKING:
    import pandas as pd

    from clearance.batch import BatchSummary
    from clearance.matching import Hit

#: This module's commands; cli/main.py adds them to the ``clearance`` app.
app = typer.Typer()

OUTPUT_FORMATS = ("table", "json")


def _fail(error: ClearanceError) -> typer.Exit:
    Console(stderr=True).print(f"[red]error:[/] {error}", soft_wrap=True, highlight=False)
    return typer.Exit(2)


def _hits_table(name: str, hits: list[Hit], threshold: float) -> Table:
    """One row per hit; ids and names fold rather than being cut, so they can be copied."""
    table = Table(title=f"Hits for {name!r} (threshold {threshold:.2f})", show_lines=True)
    table.add_column("score", justify="right", no_wrap=True)
    table.add_column("listed party", overflow="fold", ratio=3)
    table.add_column("why", overflow="fold", ratio=3)
    table.add_column("consequence", overflow="fold", ratio=2)
    for hit in hits:
        why = [
            f"{t['query']}={t['listed']}" + ("" if t["how"] == "exact" else f" ({t['how']})")
            for t in hit.tokens
            if t["query"] is not None and t["listed"] is not None
        ]
        why += [f"{f.name} {f.score:+.2f}" for f in hit.features if f.name != "name"]
        if hit.ownership:  # not listed itself: blocked or flagged by who owns it
            basis = hit.ownership
            why.append(f"{basis['status']} by ownership {basis['share']['text']}: ")
            why[-1] += "; ".join(basis["chains"])
        party = (
            f"[bold]{escape(hit.caption)}[/]\n{hit.entity_id}\n"
            f"{hit.schema} · {', '.join(hit.programs) or 'no program'}"
        )
        if hit.matched_name != hit.caption:
            party += f"\n[dim]matched:[/] {escape(hit.matched_name)}"
        consequences = "\n".join(str(c.get("title")) for c in hit.consequences[:3])
        table.add_row(f"{hit.score:.2f}", party, escape("; ".join(why)), consequences)
    return table


@app.command("screen")
def screen_command(
    name: str = typer.Argument(..., help="the name to screen"),
    schema: str | None = typer.Option(
        None, "--schema", help="Person, Organization, Company, LegalEntity, Vessel or Aircraft"
    ),
    birth_date: str | None = typer.Option(None, "--birth-date", help="YYYY or YYYY-MM-DD"),
    country: str | None = typer.Option(None, "--country", help="ISO code or country name"),
    identifiers: list[str] | None = typer.Option(
        None, "--id", help="an identifier (passport, IMO, crypto address...); repeatable"
    ),
    threshold: float | None = typer.Option(
        None, "--threshold", min=0.0, max=1.0, help="default: the matcher's default threshold"
    ),
    limit: int = typer.Option(10, "--limit", min=1, help="most hits shown"),
    format: str = typer.Option("table", "--format", "-f", help="table or json"),
) -> None:
    """Screen one name (and optional birth date, country, identifiers) against the loaded lists."""
    from clearance.matching import DEFAULT_THRESHOLD

    try:
        if format not in OUTPUT_FORMATS:
            raise InputError(
                f"unknown format {format!r} (use table or json)", Location(field="format")
            )
        from clearance.matching import Screener

        screener = Screener.open()
        hits = screener.screen(
            name,
            schema=schema,
            birth_date=birth_date,
            country=country,
            identifiers=tuple(identifiers or ()),
            limit=limit,
            threshold=threshold,
        )
    except ClearanceError as error:
        raise _fail(error) from None
    level = DEFAULT_THRESHOLD if threshold is None else threshold
    if format == "json":
        document = {"query": name, "threshold": level, "hits": [h.to_dict() for h in hits]}
        typer.echo(json.dumps(document, indent=2, ensure_ascii=False))
        return
    console = Console()
    if not hits:
        console.print(f"No hit at or above {level:.2f} for {name!r}.")
        return
    console.print(_hits_table(name, hits, level))


@app.command("compare")
def compare_command(
    first: str = typer.Argument(..., help="a name"),
    second: str = typer.Argument(..., help="another name"),
    schema: str = typer.Option("Person", "--schema", help="schema of both names"),
) -> None:
    """Print how alike two names are, from 0 to 1 (1 only for identical normalised names)."""
    try:
        from clearance.matching.scoring import canonical_schema

        canonical_schema(schema)
    except ValueError as exc:
        raise _fail(InputError(str(exc), Location(field="schema"))) from None
    from clearance.matching import compare

    typer.echo(f"{compare(first, second, schema=schema):.4f}")


#: Warnings and rejects printed on stderr (all of them are in the output and the rejects file).
SHOWN_PROBLEMS = 20


@app.command("screen-file")
def screen_file_command(
    source: Path = typer.Argument(..., exists=True, dir_okay=False, help="CSV, Parquet or JSONL"),
    out: Path = typer.Option(
        ..., "--out", "-o", help="where to write one row per hit (and per record with warnings)"
    ),
    threshold: float | None = typer.Option(None, "--threshold", min=0.0, max=1.0),
    limit: int = typer.Option(10, "--limit", min=1, help="most hits per record"),
    workers: int | None = typer.Option(None, "--workers", min=1, help="default: all cores"),
    format: str | None = typer.Option(
        None, "--format", "-f", help="output csv, parquet or jsonl (default: from --out)"
    ),
    mapping: list[str] | None = typer.Option(
        None, "--map", help="rename an input column, old=new (e.g. full_name=name); repeatable"
    ),
    rejects: Path | None = typer.Option(
        None,
        "--rejects",
        dir_okay=False,
        help="CSV of the rows that cannot be screened, with line and reason "
        "(default: OUT's name + .rejects.csv, beside it)",
    ),
    allow_rejects: bool = typer.Option(
        False, "--allow-rejects", help="exit 0 even when rows were rejected"
    ),
    all_records: bool = typer.Option(
        False,
        "--all-records",
        help="write a no_hit row for every record without hits too: the output lists every "
        "record and the list versions it was screened against",
    ),
    date_order: str | None = typer.Option(
        None,
        "--date-order",
        help="dmy or mdy: how to read a birth date like 03/04/1954 (default: match both)",
    ),
    dask: str | None = typer.Option(
        None,
        "--dask",
        metavar="SCHEDULER_ADDRESS",
        help="screen on this dask.distributed cluster (e.g. tcp://host:8786); --workers unused",
    ),
    index_path: Path | None = typer.Option(
        None,
        "--index-path",
        file_okay=False,
        help="with --dask: an index folder every worker can read (default: ship the index)",
    ),
) -> None:
    """Screen every record of a file that has a name.

    A field that cannot be used (schema, birth date, country) is left out of that record's
    scoring and listed in its warnings column; rows that cannot be screened (no name, ragged,
    unparseable) go to the rejects file, and the exit code is 1 when there are any (2 on
    errors) unless --allow-rejects.
    """
    from clearance.records_io import default_rejects_path, write_rejects

    err = Console(stderr=True)
    rejects_path = rejects or default_rejects_path(out)
    options = {
        "threshold": threshold,
        "limit": limit,
        "format": format,
        "mapping": mapping,
        "date_order": date_order,
        "all_records": all_records,
    }
    try:
        if dask or index_path:
            summary: BatchSummary = _screen_file_on_dask(source, out, dask, index_path, **options)
        else:
            summary = _screen_file_locally(source, out, workers, **options)
        write_rejects(summary.rejects, rejects_path)
    except ClearanceError as error:
        raise _fail(error) from None
    for reject in summary.rejects[:SHOWN_PROBLEMS]:
        err.print(f"[red]rejected:[/] {escape(str(reject))}", soft_wrap=True, highlight=False)
    if len(summary.rejects) > SHOWN_PROBLEMS:
        err.print(f"[red]... and {len(summary.rejects) - SHOWN_PROBLEMS:,} more rejected rows[/]")
    err.print(f"{summary.line()}; output {out}", soft_wrap=True, highlight=False)
    if summary.rejects:
        err.print(f"rejected rows written to {rejects_path}", soft_wrap=True, highlight=False)
        if not allow_rejects:
            raise typer.Exit(1)


class _WarningPrinter:
    """Prints the first records' field warnings as chunks of records arrive (every warning is
    in the output's warnings column; the closing line counts them by column)."""

    def __init__(self, err: Console) -> None:
        self.err = err
        self.seen = 0

    def __call__(self, records: pd.DataFrame) -> None:
        for line, texts in zip(records["line"], records["warnings"], strict=True):
            for text in texts:
                if self.seen < SHOWN_PROBLEMS:
                    self.err.print(
                        f"[yellow]warning:[/] line {line}: {escape(text)}",
                        soft_wrap=True,
                        highlight=False,
                    )
                self.seen += 1

    def finish(self) -> None:
        if self.seen > SHOWN_PROBLEMS:
            more = self.seen - SHOWN_PROBLEMS
            self.err.print(f"[yellow]... and {more:,} more warnings in the output[/]")


def _screen_file_locally(
    source: Path,
    out: Path,
    workers: int | None,
    threshold: float | None,
    limit: int,
    format: str | None,
    mapping: list[str] | None,
    date_order: str | None,
    all_records: bool,
) -> BatchSummary:
    """``screen-file`` on this machine's cores (clearance.batch)."""
    from clearance.batch import (
        BatchSummary,
        format_of,
        parse_mapping,
        read_records,
        screen_records,
        write_results,
    )
    from clearance.matching import Screener

    err = Console(stderr=True)
    out_format = format_of(out, format, writing=True)
    records, rejected = read_records(source, parse_mapping(mapping or ()), None, date_order)
    summary = BatchSummary(rejects=rejected)
    summary.count_records(records)
    warnings = _WarningPrinter(err)
    warnings(records)
    warnings.finish()
    screener = Screener.open()
    started = time.perf_counter()
    options = {"threshold": threshold, "limit": limit, "workers": workers}
    if sys.stderr.isatty():
        columns = (
            TextColumn("screening"),
            BarColumn(),
            TaskProgressColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rate]}"),
            TimeRemainingColumn(),
        )
        with Progress(*columns, console=err, transient=True) as progress:
            task = progress.add_task("screening", total=len(records), rate="")

            def advance(count: int) -> None:
                progress.advance(task, count)
                done = progress.tasks[0].completed
                elapsed = time.perf_counter() - started
                progress.update(task, rate=f"{done / max(elapsed, 1e-9):,.0f} rec/s")

            parts = screen_records(
                records, screener, progress=advance, all_records=all_records, **options
            )
    else:
        parts = screen_records(records, screener, all_records=all_records, **options)
    for part in parts:
        summary.count_output(part)
    write_results(parts, out, out_format)
    elapsed = time.perf_counter() - started
    err.print(
        f"screened in {elapsed:.1f} s ({len(records) / max(elapsed, 1e-9):,.0f} records/s)",
        highlight=False,
    )
    return summary


def _screen_file_on_dask(
    source: Path,
    out: Path,
    scheduler: str | None,
    index_path: Path | None,
    threshold: float | None,
    limit: int,
    format: str | None,
    mapping: list[str] | None,
    date_order: str | None,
    all_records: bool,
) -> BatchSummary:
    """``screen-file --dask``: the same batch on a cluster, streamed (clearance.batch.dask_runner)."""
    from clearance.batch import parse_mapping
    from clearance.batch.dask_runner import run_dask

    err = Console(stderr=True)
    if not scheduler:
        raise InputError("--index-path needs --dask", Location(field="index_path"))
    columns = (
        TextColumn("screening on dask"),
        TextColumn("{task.completed:,} records"),
        TextColumn("{task.fields[rate]}"),
    )
    started = time.perf_counter()
    warnings = _WarningPrinter(err)
    with Progress(*columns, console=err, transient=True, disable=not sys.stderr.isatty()) as bar:
        task = bar.add_task("screening", total=None, rate="")

        def advance(count: int) -> None:
            bar.advance(task, count)
            rate = bar.tasks[0].completed / max(time.perf_counter() - started, 1e-9)
            bar.update(task, rate=f"{rate:,.0f} rec/s")

        summary = run_dask(
            source,
            out,
            scheduler,
            index_path=index_path,
            threshold=threshold,
            limit=limit,
            out_format=format,
            mapping=parse_mapping(mapping or ()),
            progress=advance,
            on_records=warnings,
            date_order=date_order,
            all_records=all_records,
        )
    warnings.finish()
    err.print(
        f"screened on {summary.workers} dask workers in {summary.elapsed_s:.1f} s "
        f"({summary.rate:,.0f} records/s)",
        highlight=False,
    )
    return summary
