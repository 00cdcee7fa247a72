"""``clearance lists ...``: import, update and inspect the versioned sanctions lists."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from clearance.cli.commands_monitor import USER_HELP, _default_user
from clearance.cli.common import err, reporting_errors
from clearance.errors import ClearanceError

if TYPE_CHECKING:
    from clearance.model import Entity
    from clearance.sources.batch import SourceBatch
    from clearance.store import ImportReport, ImportResult

#: This module's commands; cli/main.py adds them to the ``clearance`` app.
app = typer.Typer()

lists_app = typer.Typer(
    help="Import, update and inspect the sanctions and designation lists.", no_args_is_help=True
)
app.add_typer(lists_app, name="lists")

out = Console()
FORMATS = ("table", "json")
FORMAT_HELP = "table or json"
#: Rows shown per diff section in table output (JSON always has everything).
DIFF_ROWS = 25


def _check_format(format: str) -> None:
    if format not in FORMATS:
        raise typer.BadParameter(f"use one of {', '.join(FORMATS)}", param_hint="--format")


def _open_store(*, rescreen: bool = False) -> Any:
    """The store. With ``rescreen``, monitoring listens to it: every activation re-screens the
    monitored records its diff can affect (a couple of queries when nothing is monitored), and
    re-screens still owed to earlier activations (a killed import) are done first."""
    from clearance.store import Store

    store = Store.open()
    if rescreen:
        from clearance.monitoring import Monitor

        monitor = Monitor(store)
        monitor.catch_up()
        monitor.attach()
        from clearance.ownership import OwnershipWatch

        OwnershipWatch(store).attach()  # a list change re-evaluates ownership (if any is loaded)
    return store


def _build_index(store: Any, report: ImportReport | None = None) -> None:
    """Build and persist the matching index of the now-active versions, so that the first
    screening after an import or activation reopens it instead of building it (seconds)."""
    from clearance.matching import Screener
    from clearance.store import OUTCOME_IMPORTED

    if report is not None and not any(r.outcome == OUTCOME_IMPORTED for r in report.results):
        return  # nothing changed: the index of these versions is built already

    Screener.open(store)


def _echo_json(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


def _date(value: Any) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value is not None else ""


# --- import and update ---------------------------------------------------------------------


@lists_app.command("import")
def import_(
    paths: list[Path] = typer.Argument(..., help="List files or folders (formats detected)."),
    allow_older: bool = typer.Option(
        False,
        "--allow-older",
        help="Activate a list published before the active one (a roll-back; audited).",
    ),
    user: str = typer.Option(_default_user, "--user", "-u", help=USER_HELP),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="List every warning."),
    format: str = typer.Option("table", "--format", "-f", help=FORMAT_HELP),
) -> None:
    """Import list files as new versions, each activated atomically.

    Every file is read before anything is stored: a bad file (or a folder with no list file)
    stops the import with its file and line, and the store stays as it was. A list published
    before the active version of its dataset is refused unless --allow-older. Each dataset is
    printed as it is committed. Monitored records the change can affect are re-screened at once
    (see `clearance alerts list`), and the matching index of the new versions is built (so the
    next screening only reopens it).
    """
    _check_format(format)
    with reporting_errors(doing="importing"):
        missing = [str(p) for p in paths if not p.exists()]
        if missing:
            raise ClearanceError(f"no such file or folder: {', '.join(missing)}")
        store = _open_store(rescreen=True)
        with _Progress(format) as progress:
            report = store.import_paths(
                paths, allow_older=allow_older, actor=user or "cli", progress=progress
            )
        _build_index(store, report)
    _print_report(report, verbose, format)


@lists_app.command("update")
def update(
    verbose: bool = typer.Option(False, "--verbose", "-v", help="List every warning."),
    format: str = typer.Option("table", "--format", "-f", help=FORMAT_HELP),
) -> None:
    """Download the current official OFAC and UN files, then import them.

    Everything is downloaded (with timeouts, retries and checksums) before anything is imported,
    so being offline leaves the store as it was. Monitored records are re-screened as on import;
    a downloaded list older than the active one is refused as on import.
    """
    _check_format(format)
    with reporting_errors(doing="updating"):
        store = _open_store(rescreen=True)
        with tempfile.TemporaryDirectory(prefix="clearance-update-") as folder:
            from clearance.sources.download import download_official

            try:
                files = download_official(Path(folder))
            except ClearanceError as exc:
                raise ClearanceError(f"could not download the official lists: {exc}") from None
            with _Progress(format) as progress:
                report = store.import_paths(files, progress=progress)
            _build_index(store, report)
    _print_report(report, verbose, format)


class _Progress:
    """Says what an import does while it runs: one line per dataset as it is committed (not
    with ``--format json``, whose output is the report alone), and on a terminal a spinner
    naming the step in progress."""

    def __init__(self, format: str) -> None:
        self.lines = format != "json"
        self.status = err.status("reading list files") if err.is_terminal else None

    def __enter__(self) -> _Progress:
        if self.status is not None:
            self.status.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        if self.status is not None:
            self.status.stop()

    def __call__(self, batch: SourceBatch, result: ImportResult | None) -> None:
        if result is None:
            if self.status is not None:
                count = f"{len(batch.entities):,} entities"
                self.status.update(Text(f"writing {batch.dataset} ({count}) - {batch.label}"))
            return
        if self.lines:
            out.print(Text(_result_line(result)), highlight=False, soft_wrap=True)


def _result_line(result: ImportResult) -> str:
    from clearance.store import OUTCOME_UNCHANGED

    version = result.version
    if result.outcome == OUTCOME_UNCHANGED:
        state = "active" if version.active else "not active"
        line = f"unchanged {version.dataset}: same content as version {version.id} ({state})"
    else:
        line = (
            f"imported  {version.dataset} version {version.id}: "
            f"{version.entity_count} entities, {len(result.warnings)} warnings"
        )
        if result.previous is not None:
            line += f", replaces version {result.previous.id}"
            if result.older:
                line += f" published later ({result.previous.published}; audited)"
    return f"{line} - {version.label}"


def _print_report(report: ImportReport, verbose: bool, format: str) -> None:
    """The warnings summary (each dataset's line was printed as it was committed)."""
    if format == "json":
        _echo_json(report.to_dict())
        return
    for result in report.results:
        if not result.warnings:
            continue
        kinds: dict[str, int] = {}
        for warning in result.warnings:
            kinds[warning.kind] = kinds.get(warning.kind, 0) + 1
        summary = ", ".join(f"{count} {kind}" for kind, count in sorted(kinds.items()))
        out.print(f"{result.version.dataset} version {result.version.id}: {summary}")
        if verbose:
            for warning in result.warnings:
                out.print(f"  {warning.kind}: {warning}", highlight=False, markup=False)
    if not verbose and any(result.warnings for result in report.results):
        out.print("Use --verbose to list every warning with its file and line.")


# --- status and versions -------------------------------------------------------------------


@lists_app.command("status")
def status(format: str = typer.Option("table", "--format", "-f", help=FORMAT_HELP)) -> None:
    """The active version of each dataset, with counts and dates, and pending re-screens."""
    from clearance.monitoring.rescreen import pending_rescreen_lines

    _check_format(format)
    with reporting_errors(doing="reading the store"):
        store = _open_store()
        active = store.active_versions()
        pending = pending_rescreen_lines(store.engine)
        stored: dict[str, int] = {}
        for version in store.versions():
            stored[version.dataset] = stored.get(version.dataset, 0) + 1
    if format == "json":
        _echo_json(
            {
                "database": store.url,
                "datasets": [
                    {**v.to_dict(), "stored_versions": stored.get(v.dataset, 0)} for v in active
                ],
                "pending_rescreens": pending,
            }
        )
        return
    table = Table(title=Text(f"Active lists ({store.url})"))
    table.add_column("dataset", no_wrap=True)
    table.add_column("version", justify="right")
    table.add_column("entities", justify="right")
    table.add_column("published", no_wrap=True)
    table.add_column("label", min_width=24)
    for version in active:
        table.add_row(
            version.dataset,
            str(version.id),
            str(version.entity_count),
            version.published or "",
            Text(version.label),
        )
    out.print(table)
    for line in pending:
        out.print(Text(line, style="yellow"))


@lists_app.command("versions")
def versions(
    dataset: str | None = typer.Option(None, "--dataset", "-d", help="Only this dataset."),
    format: str = typer.Option("table", "--format", "-f", help=FORMAT_HELP),
) -> None:
    """Every stored version, oldest first, failed import attempts included.

    An import whose process was killed is listed as failed ("interrupted") from the next start
    of any command; one still running is listed as importing.
    """
    _check_format(format)
    with reporting_errors(doing="reading the store"):
        found = _open_store().versions(dataset=dataset, include_failed=True)
    if format == "json":
        _echo_json([v.to_dict() for v in found])
        return
    table = Table(title="List versions")
    table.add_column("version", justify="right")
    table.add_column("dataset", no_wrap=True)
    table.add_column("status", no_wrap=True)
    table.add_column("entities", justify="right")
    table.add_column("imported")
    table.add_column("label", min_width=16)
    for version in found:
        state = "active" if version.active else version.status
        label = f"{version.label} ({version.error})" if version.error else version.label
        table.add_row(
            str(version.id),
            version.dataset,
            state,
            str(version.entity_count),
            _date(version.imported_at),
            Text(label),
        )
    out.print(table)


@lists_app.command("activate")
def activate(
    version_id: int = typer.Argument(..., help="The version to make active."),
    user: str = typer.Option(_default_user, "--user", "-u", help=USER_HELP),
) -> None:
    """Make a stored version its dataset's active one again (e.g. to roll back an update).

    Recorded in the audit trail (`clearance audit export`) with who did it and both versions.
    """
    with reporting_errors(doing="activating"):
        store = _open_store(rescreen=True)
        version = store.activate(version_id, actor=user or "cli")
        _build_index(store)
    out.print(Text(f"{version.dataset}: version {version.id} ({version.label}) is active"))


# --- diff and show -------------------------------------------------------------------------


@lists_app.command("diff")
def diff(
    version_a: int | None = typer.Argument(None, help="Older version (default: the previous)."),
    version_b: int | None = typer.Argument(None, help="Newer version (default: the active)."),
    dataset: str | None = typer.Option(None, "--dataset", "-d", help="Only this dataset."),
    format: str = typer.Option("table", "--format", "-f", help=FORMAT_HELP),
) -> None:
    """Entities added, removed and changed (with the fields that changed) between versions.

    Without versions: the previous against the active version of each dataset.
    """
    _check_format(format)
    if (version_a is None) != (version_b is None):
        raise typer.BadParameter("give two versions, or none", param_hint="A B")
    with reporting_errors(doing="comparing versions"):
        store = _open_store()
        if version_a is not None and version_b is not None:
            diffs = [store.diff(version_a, version_b)]
        else:
            diffs = []
            for active in store.active_versions():
                if dataset is not None and active.dataset != dataset:
                    continue
                previous = store.previous_version(active.id)
                if previous is not None:
                    diffs.append(store.diff(previous.id, active.id))
    if format == "json":
        _echo_json({"diffs": [d.to_dict() for d in diffs]})
        return
    if not diffs:
        out.print("Nothing to compare: no dataset has a version before its active one.")
    for change_set in diffs:
        _print_diff(change_set)


def _print_diff(diff: Any) -> None:
    out.print(
        f"[bold]{diff.dataset}[/bold] version {diff.old} -> {diff.new}: "
        f"{len(diff.added)} added, {len(diff.removed)} removed, {len(diff.changed)} changed"
    )
    sections = (
        ("added", [(entity_id, "") for entity_id in diff.added]),
        ("removed", [(entity_id, "") for entity_id in diff.removed]),
        ("changed", [(c.id, ", ".join(c.fields)) for c in diff.changed]),
    )
    for title, rows in sections:
        if not rows:
            continue
        table = Table(title=title, title_justify="left")
        table.add_column("entity")
        if title == "changed":
            table.add_column("fields")
        for entity_id, fields in rows[:DIFF_ROWS]:
            cells = (entity_id, fields) if title == "changed" else (entity_id,)
            table.add_row(*(Text(cell) for cell in cells))
        out.print(table)
        if len(rows) > DIFF_ROWS:
            out.print(f"... and {len(rows) - DIFF_ROWS} more (--format json lists all)")


@lists_app.command("show")
def show(
    entity_id: str = typer.Argument(..., help="e.g. us_ofac_sdn:22790"),
    version: int | None = typer.Option(
        None, "--version", help="A stored version (default active)."
    ),
    format: str = typer.Option("table", "--format", "-f", help=FORMAT_HELP),
) -> None:
    """One listed entity, as stored in the active (or the given) version."""
    _check_format(format)
    with reporting_errors(doing="reading the store"):
        store = _open_store()
        entity = store.get_entity(entity_id, version_id=version)
        if entity is None:
            where = f"version {version}" if version is not None else "the active lists"
            raise ClearanceError(f"no entity {entity_id!r} in {where}")
        holding = [v.id for v in store.entity_versions(entity_id)]
    if format == "json":
        _echo_json({"entity": entity.to_dict(), "versions": holding})
        return
    out.print(_entity_table(entity, holding))


def _entity_table(entity: Entity, holding: list[int]) -> Table:
    table = Table(title=entity.caption, show_header=False, title_justify="left")
    table.add_column("field", style="bold")
    table.add_column("value")

    def row(label: str, values: list[str] | str | None) -> None:
        if isinstance(values, list):
            values = "\n".join(values)
        if values:
            table.add_row(label, Text(values))

    row("id", entity.id)
    row("schema", entity.schema)
    row("dataset", entity.dataset)
    row("names", [f"{n.full} ({n.kind})" for n in entity.names])
    row("programs", ", ".join(entity.programs))
    row("legal basis", entity.legal_basis)
    row("listed on", entity.listed_on)
    row("birth dates", [d.value + (f" to {d.end}" if d.end else "") for d in entity.birth_dates])
    row("birth places", entity.birth_places)
    row("nationalities", ", ".join(entity.nationalities))
    row("citizenships", ", ".join(entity.citizenships))
    row("countries", ", ".join(entity.countries))
    row("gender", entity.gender)
    row(
        "identifiers",
        [
            f"{i.label or i.kind}: {i.number}" + (f" ({i.country})" if i.country else "")
            for i in entity.identifiers
        ],
    )
    row("addresses", [a.full for a in entity.addresses])
    row(
        "links",
        [
            f"{link.relation}: {link.target_name}"
            + (f" [{link.target_id}]" if link.target_id else "")
            for link in entity.links
        ],
    )
    for prop, values in sorted(entity.properties.items()):
        row(prop, values)
    source = entity.source
    row("source", " line ".join(str(source[k]) for k in ("file", "line") if k in source))
    row("in versions", ", ".join(str(v) for v in holding))
    return table


# --- export --------------------------------------------------------------------------------


@lists_app.command("export")
def export(
    dataset: str | None = typer.Argument(None, help="A dataset, e.g. us_ofac_sdn (default: all)."),
    format: str = typer.Option("ftm", "--format", "-f", help="ftm (JSON lines), csv or parquet"),
    out_path: Path | None = typer.Option(
        None, "--out", "-o", help="File to write; default standard output (not for parquet)."
    ),
) -> None:
    """Export the active entities: FollowTheMoney JSON lines (with sanctions, relations and
    wallets as FtM entities, `first_seen` / `last_seen` / `last_change` from the version
    history), or one row per entity as CSV or Parquet."""
    import sys

    from clearance.export import FORMATS, export_entities

    if format not in FORMATS:
        raise typer.BadParameter(f"use one of {', '.join(FORMATS)}", param_hint="--format")
    if format == "parquet" and out_path is None:
        raise typer.BadParameter("parquet needs a file: give --out", param_hint="--out")
    with reporting_errors(doing="exporting"):
        store = _open_store()
        active = [v.dataset for v in store.active_versions()]
        if dataset is not None and dataset not in active:
            raise ClearanceError(f"no active dataset {dataset!r}; active: {', '.join(active)}")
        datasets = [dataset] if dataset else None
        count = export_entities(store, out_path or sys.stdout, format, datasets)
        if out_path is not None:
            typer.echo(f"{count} entities written to {out_path}", err=True)
