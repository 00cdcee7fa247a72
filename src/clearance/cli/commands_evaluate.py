"""``clearance evaluate``: the accuracy report a compliance team shows an examiner."""

from __future__ import annotations

import json
import sys
import unicodedata
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console
from rich.table import Table

from clearance.cli.common import err, reporting_errors
from clearance.cli.main import app
from clearance.cli.screening_lists import entities_from_files
from clearance.errors import InputError, Location
from clearance.evaluation.defaults import (
    DEFAULT_LIMIT,
    DEFAULT_LOOKALIKES,
    DEFAULT_NEAR_MISSES,
    DEFAULT_NEGATIVES,
    DEFAULT_POPULATION,
    DEFAULT_SAMPLE,
    DEFAULT_SEED,
)

if TYPE_CHECKING:
    from clearance.evaluation.practice import PracticeReport
    from clearance.evaluation.run import EvaluationReport
    from clearance.model import Entity

FORMATS = ("table", "json")


def _split_classes(values: Sequence[str] | None) -> list[str]:
    """``--classes typo,case --classes homoglyphs`` -> ["typo", "case", "homoglyphs"]."""
    return [part.strip() for value in values or () for part in value.split(",") if part.strip()]


def _load(lists: Sequence[Path] | None) -> tuple[list[Entity], Any]:
    """Entities and a screener: from the given files, else the store's active lists."""
    from clearance.matching import Screener

    if lists:
        entities = entities_from_files(lists)
        return entities, Screener.from_entities(entities)
    from clearance.store import Store

    entities = list(Store.open().entities())
    return entities, Screener.open()


def _visible(text: str) -> str:
    """``text`` with invisible characters (zero-width, soft hyphen...) shown as ``\\uXXXX``."""
    return "".join(
        f"\\u{ord(c):04x}" if unicodedata.category(c) in ("Cf", "Cc") else c for c in text
    )


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}%"


def _score(scores: dict[str, float], key: str) -> str:
    return f"{scores[key]:.2f}" if key in scores else "-"


def _verdict(passed: bool | None) -> str:
    if passed is None:
        return "[dim]n/a[/]"
    return "[green]pass[/]" if passed else "[bold red]FAIL[/]"


def render_report(report: EvaluationReport, console: Console) -> None:
    """The report as Rich tables: recall per class, false alerts, the threshold sweep, examples."""
    data = report.to_dict()
    console.print(
        f"[bold]Clearance evaluation[/]  seed {data['seed']} · threshold {report.threshold:.2f} · "
        f"limit {report.limit} · {data['lists']['entities']:,} entities, "
        f"{data['test_set']['sampled_names']:,} sampled names, {report.queries:,} queries"
        + (
            f" in {report.elapsed_s:.1f} s ({report.queries / report.elapsed_s:,.0f}/s)"
            if report.elapsed_s
            else ""
        )
    )

    recall = Table(title="Recall per variant class (expected entity at or above the threshold)")
    for column in ("class", "kind", "cases", "skipped", "recall", "recall@1", "candidates"):
        recall.add_column(column, justify="left" if column in ("class", "kind") else "right")
    for column in ("below exact date", "p5", "p50", "p95", "target", "result"):
        recall.add_column(column, justify="right")
    for result in report.classes:
        recall.add_row(
            result.name,
            result.kind,
            f"{result.cases:,}",
            f"{sum(result.skipped.values()):,}",
            _pct(result.recall),
            _pct(result.recall_at_1),
            _pct(result.candidate_recall),
            _pct(result.ranked_below),
            _score(result.scores, "p5"),
            _score(result.scores, "p50"),
            _score(result.scores, "p95"),
            "-" if result.target is None else f"≥ {100 * result.target:.0f}%",
            _verdict(result.passed),
        )
    console.print(recall)
    refused = [(c.name, c.refused) for c in report.classes if c.refused]
    if refused:
        console.print(
            "Records the screener refused (counted as misses): "
            + ", ".join(f"{name} {count:,}" for name, count in refused)
        )

    alerts = Table(title="False alerts (any hit at or above the threshold)")
    for column in ("class", "cases", "alerts", "per 1,000", "p50", "p95", "p99", "max", "target"):
        alerts.add_column(column, justify="left" if column == "class" else "right")
    alerts.add_column("result", justify="right")
    for negative in report.negatives:
        alerts.add_row(
            negative.name,
            f"{negative.cases:,}",
            f"{negative.alerts:,}",
            f"{negative.per_1000:.1f}",
            *(_score(negative.scores, k) for k in ("p50", "p95", "p99", "max")),
            "-" if negative.target is None else f"≤ {negative.target:.0f}",
            _verdict(negative.passed),
        )
    console.print(alerts)

    if report.populations:
        people = Table(
            title="Common-name populations: alert rate of people whose full name is not listed"
        )
        for column in ("population", "people", "alerts", "rate", "target"):
            people.add_column(column, justify="left" if column == "population" else "right")
        for column in ("with birth date", "rate", "target", "result"):
            people.add_column(column, justify="right")
        for population in report.populations:
            people.add_row(
                population.label,
                f"{population.people:,}",
                f"{population.alerts:,}",
                _pct(population.rate),
                f"≤ {100 * population.target:.1f}%",
                f"{population.alerts_dated:,}",
                _pct(population.rate_dated),
                f"≤ {100 * population.target_dated:.1f}%",
                _verdict(population.passed),
            )
        console.print(people)

    sweep = Table(title="Across thresholds: recall per class, false alerts per 1,000")
    sweep.add_column("class")
    for row in report.sweep:
        sweep.add_column(f"{row['threshold']:.2f}", justify="right")
    for result in report.classes:
        sweep.add_row(result.name, *(f"{100 * r['recall'][result.name]:.1f}" for r in report.sweep))
    for negative in report.negatives:
        sweep.add_row(
            f"{negative.name} /1000",
            *(f"{r['false_alerts_per_1000'][negative.name]:.1f}" for r in report.sweep),
        )
    console.print(sweep)

    failing = [c for c in report.classes if c.misses and not c.passed]
    if failing:
        misses = Table(title="Examples of misses")
        for column in ("class", "query", "listed name", "expected score", "top hit"):
            misses.add_column(column)
        for result in failing:
            for miss in result.misses[:3]:
                misses.add_row(
                    result.name,
                    _visible(miss["query"]),
                    miss["source"],
                    "-" if miss["expected_score"] is None else f"{miss['expected_score']:.2f}",
                    f"{miss['top_id']} {miss['top_score']:.2f}" if miss["top_id"] else "-",
                )
        console.print(misses)
    examples = [(n.name, e) for n in report.negatives for e in n.examples[:3]]
    examples += [(f"population {p.name}", e) for p in report.populations for e in p.examples[:2]]
    if examples:
        table = Table(title="Examples of false alerts")
        for column in ("class", "query", "from", "hit", "score"):
            table.add_column(column)
        for name, example in examples:
            table.add_row(
                name,
                _visible(example["query"]),
                example["source"],
                f"{example['top_id']} {example['top_caption'] or ''}".strip(),
                f"{example['top_score']:.2f}",
            )
        console.print(table)

    if report.passed:
        console.print("[bold green]All targets met.[/]")
    else:
        console.print(f"[bold red]Targets missed:[/] {', '.join(report.failures)}")


def render_practice(report: PracticeReport, console: Console) -> None:
    """The practice set's figures: recall per damage class, alert rate per population."""
    console.print(
        f"[bold]Clearance practice set[/]  {report.folder} · threshold {report.threshold:.2f}"
    )
    recall = Table(title="Recall per damage class (expected entity among the hits)")
    for column in ("damage", "cases", "recall", "not loaded", "refused"):
        recall.add_column(column, justify="left" if column == "damage" else "right")
    for result in report.classes:
        recall.add_row(
            result.name,
            f"{result.cases:,}",
            f"{result.recall:.3f}",
            f"{result.not_loaded:,}",
            f"{result.refused:,}",
        )
    console.print(recall)
    alerts = Table(title="Alert rate per population (every hit is a false alert)")
    for column in ("population", "rows", "alerts", "rate", "dated rows", "alerts", "rate"):
        alerts.add_column(column, justify="left" if column == "population" else "right")
    for population in report.populations:
        alerts.add_row(
            population.name,
            f"{population.rows:,}",
            f"{population.alerts:,}",
            _pct(population.rate),
            f"{population.dated_rows:,}",
            f"{population.dated_alerts:,}",
            _pct(population.dated_rate),
        )
    console.print(alerts)
    if any(c.not_loaded for c in report.classes):
        console.print(
            "[yellow]Some expected entities are not in the screened lists: load the lists the "
            "practice set names (its README) to measure them.[/]"
        )


def _progress_columns() -> tuple[Any, ...]:
    from rich.progress import BarColumn, TaskProgressColumn, TextColumn, TimeRemainingColumn

    return (
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TextColumn("{task.completed:,}/{task.total:,}"),
        TimeRemainingColumn(),
    )


def _run_practice(
    entities: list[Entity],
    screener: Any,
    folder: Path,
    *,
    threshold: float | None,
    limit: int,
    show_progress: bool,
) -> PracticeReport:
    from rich.progress import Progress

    from clearance.evaluation.practice import evaluate_practice

    ids = {e.id for e in entities}
    if not show_progress:
        return evaluate_practice(screener, folder, ids, threshold=threshold, limit=limit)
    with Progress(*_progress_columns(), console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task("screening the practice set", total=None)
        return evaluate_practice(
            screener,
            folder,
            ids,
            threshold=threshold,
            limit=limit,
            progress=lambda n: progress.advance(task, n),
        )


def _run(
    entities: Iterable[Entity],
    screener: Any,
    *,
    seed: int,
    sample: int,
    negatives: int,
    near_misses: int,
    lookalikes: int,
    population: int,
    threshold: float | None,
    limit: int,
    classes: list[str],
    show_progress: bool,
) -> EvaluationReport:
    from rich.progress import Progress

    from clearance.evaluation.generate import build_test_set
    from clearance.evaluation.run import evaluate

    test_set = build_test_set(
        entities,
        seed=seed,
        sample=sample,
        negatives=negatives,
        near_misses=near_misses,
        lookalikes=lookalikes,
        population=population,
        classes=classes,
    )
    if not show_progress:
        return evaluate(screener, test_set, threshold=threshold, limit=limit)
    with Progress(*_progress_columns(), console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task("screening", total=len(test_set.cases))
        return evaluate(
            screener,
            test_set,
            threshold=threshold,
            limit=limit,
            progress=lambda n: progress.advance(task, n),
        )


@app.command("evaluate")
def evaluate_command(
    seed: int = typer.Option(DEFAULT_SEED, "--seed", help="same seed, same test set and report"),
    sample: int = typer.Option(
        DEFAULT_SAMPLE, "--sample", min=1, help="listed names to turn into variants"
    ),
    negatives: int = typer.Option(
        DEFAULT_NEGATIVES, "--negatives", min=0, help="unlisted names from Faker locales"
    ),
    near_misses: int = typer.Option(
        DEFAULT_NEAR_MISSES, "--near-misses", min=0, help="unlisted names built from list tokens"
    ),
    lookalikes: int = typer.Option(
        DEFAULT_LOOKALIKES,
        "--lookalikes",
        min=0,
        help="look-alikes of listed names per kind (swapped surname, swapped token, near distance)",
    ),
    population: int = typer.Option(
        DEFAULT_POPULATION,
        "--population",
        min=0,
        help="people per common-name population, screened by name alone and with a birth date",
    ),
    threshold: float | None = typer.Option(
        None, "--threshold", min=0.0, max=1.0, help="default: the matcher's default threshold"
    ),
    limit: int = typer.Option(DEFAULT_LIMIT, "--limit", min=1, help="hits kept per query"),
    classes: list[str] | None = typer.Option(
        None, "--classes", help="variant classes to test, comma-separated (default: all)"
    ),
    lists: list[Path] | None = typer.Option(
        None,
        "--lists",
        exists=True,
        help="evaluate against these list files or folders (newest version of each dataset, plus the register) instead of the loaded lists",
    ),
    practice: Path | None = typer.Option(
        None,
        "--practice",
        exists=True,
        file_okay=False,
        help="instead of a generated test set, screen the labelled practice set in this folder "
        "(damaged.csv, common_names.csv): recall per damage class, alert rate per population",
    ),
    format: str = typer.Option("table", "--format", "-f", help="table or json"),
    out: Path | None = typer.Option(None, "--out", "-o", help="write the report to this file"),
    check: bool = typer.Option(False, "--check", help="exit with status 1 if a target is missed"),
) -> None:
    """Measure recall per variant class, false alerts and common-name alert rates on a labelled
    test set built from the loaded lists (typos, OCR confusions, cut fields, transliterations,
    birth-date variants, look-alikes, common-name populations...). The report prints the seed."""
    with reporting_errors(code=2, doing="evaluating"):
        if format not in FORMATS:
            raise InputError(
                f"unknown format {format!r} (use table or json)", Location(field="format")
            )
        if practice is not None and check:
            raise InputError(
                "--check applies to the generated test set, not to --practice",
                Location(field="check"),
            )
        entities, screener = _load(lists)
        if practice is not None:
            practice_report = _run_practice(
                entities,
                screener,
                practice,
                threshold=threshold,
                limit=limit,
                show_progress=sys.stderr.isatty(),
            )
            _write(practice_report, render_practice, format, out)
            return
        report = _run(
            entities,
            screener,
            seed=seed,
            sample=sample,
            negatives=negatives,
            near_misses=near_misses,
            lookalikes=lookalikes,
            population=population,
            threshold=threshold,
            limit=limit,
            classes=_split_classes(classes),
            show_progress=sys.stderr.isatty(),
        )

    _write(report, render_report, format, out)
    if check and not report.passed:
        raise typer.Exit(1)


def _write(report: Any, render: Any, format: str, out: Path | None) -> None:
    """The report as JSON or tables, on stdout or in ``out``."""
    if format == "json":
        text = json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n"
        if out:
            out.write_text(text, encoding="utf-8")
        else:
            typer.echo(text, nl=False)
    elif out:
        with out.open("w", encoding="utf-8") as handle:
            render(report, Console(file=handle, width=140, no_color=True))
    else:
        render(report, Console())
    if out:
        err.print(f"report written to {out}")
