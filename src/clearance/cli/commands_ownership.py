"""``clearance ownership ...``: import ownership data, evaluate the 50 Percent Rule, explain it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

from clearance.cli.common import reporting_errors

#: This module's commands; cli/main.py adds them to the ``clearance`` app.
app = typer.Typer()

ownership_app = typer.Typer(
    help="Ownership screening: entities owned 50% or more by blocked persons (OFAC's 50 Percent "
    "Rule) or, as a separate regime, owned more than 50% or controlled (EU/UK).",
    no_args_is_help=True,
)
app.add_typer(ownership_app, name="ownership")

REGIME_HELP = "ofac (default), eu_uk or both; default from CLEARANCE_OWNERSHIP_REGIME"
SIGNIFICANT_HELP = "significant blocked ownership level in percent (default 25)"


def _store() -> Any:
    """The store, with monitoring and ownership listening: a published change raises alerts."""
    from clearance.monitoring import Monitor
    from clearance.store import Store

    store = Store.open()
    Monitor(store).attach()
    return store


def _settings(regime: str | None, significant: float | None) -> Any:
    from clearance.ownership import Settings, settings_from_env

    base = settings_from_env()
    return Settings(
        regime or base.regime, base.significant if significant is None else significant / 100
    )


def _echo(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


def _summary_lines(summary: dict[str, Any], derived: dict[str, Any]) -> list[str]:
    lines = [
        f"parties {summary['parties']}, blocked owners {summary['blocked_owners']}, "
        f"blocked by ownership {summary['blocked']}, possibly blocked "
        f"{summary['possibly_blocked']}, significant {summary['significant']}, EU/UK owned or "
        f"controlled {summary['eu_uk_owned_or_controlled']} (regime {summary['regime']})"
    ]
    for group in summary["cycles"]:
        lines.append("cycle (cross-holding, terminated): " + " → ".join(group))
    for skipped in summary["skipped_interests"]:
        lines.append(f"not counted: interest {skipped['interest']} ({skipped['why']})")
    for dataset, outcome in derived.items():
        state = "new version" if outcome["changed"] else "unchanged"
        lines.append(f"{dataset}: {outcome['entities']} entities, version {outcome['version']} ({state})")
    return lines


@ownership_app.command("import")
def import_command(
    paths: list[Path] = typer.Argument(..., help="BODS 0.4 JSON / JSON lines, FtM Ownership lines or CSV"),
    dataset: str | None = typer.Option(None, "--dataset", help="dataset name (default: file name)"),
    regime: str | None = typer.Option(None, "--regime", help=REGIME_HELP),
    significant: float | None = typer.Option(None, "--significant", help=SIGNIFICANT_HELP),
    format: str = typer.Option("table", "--format", "-f", help="table or json"),
) -> None:
    """Import ownership files as one version of a dataset, then evaluate and publish the result.

    Every bad row or statement is reported with its line or statement id, and a file with any
    is refused whole (exit 1): nothing is stored or activated.
    """
    from clearance.ownership import import_ownership

    with reporting_errors(doing="importing ownership data"):
        store = _store()
        report = import_ownership(store, paths, dataset, _settings(regime, significant))
    if format == "json":
        _echo(report)
        return
    version = report["version"]
    state = "imported" if report["created"] else "unchanged (same content stored)"
    typer.echo(
        f"{version['dataset']} version {version['id']}: {state}; {version['parties']} parties, "
        f"{version['interests']} interests"
    )
    for warning in report["warnings"]:
        typer.echo(f"skipped: {warning}")
    typer.echo("\n".join(_summary_lines(report["evaluation"], report["derived"])))


@ownership_app.command("evaluate")
def evaluate_command(
    regime: str | None = typer.Option(None, "--regime", help=REGIME_HELP),
    significant: float | None = typer.Option(None, "--significant", help=SIGNIFICANT_HELP),
    format: str = typer.Option("table", "--format", "-f", help="table or json"),
) -> None:
    """Re-evaluate the active ownership data against the active lists and publish the result."""
    from clearance.ownership import evaluate

    with reporting_errors(doing="evaluating ownership"):
        result, derived = evaluate(_store(), _settings(regime, significant))
    if format == "json":
        _echo({"evaluation": result.summary(), "derived": derived})
        return
    typer.echo("\n".join(_summary_lines(result.summary(), derived)))


@ownership_app.command("versions")
def versions_command(format: str = typer.Option("table", "--format", "-f", help="table or json")) -> None:
    """The stored versions of every ownership dataset (active ones marked)."""
    from clearance.ownership import OwnershipStore
    from clearance.store import Store

    with reporting_errors():
        versions = OwnershipStore(Store.open()).versions()
    if format == "json":
        _echo([v.to_dict() for v in versions])
        return
    for v in versions:
        mark = "*" if v.active else " "
        typer.echo(
            f"{mark} {v.id:>4} {v.dataset:<24} {v.label:<40} {v.party_count:>7} parties "
            f"{v.interest_count:>7} interests  {v.imported_at:%Y-%m-%d %H:%M}"
        )


@ownership_app.command("explain")
def explain_command(
    entity: str = typer.Argument(..., help="derived entity id, <dataset>/<party id>, party id or exact name"),
    regime: str | None = typer.Option(None, "--regime", help=REGIME_HELP),
    significant: float | None = typer.Option(None, "--significant", help=SIGNIFICANT_HELP),
    format: str = typer.Option("table", "--format", "-f", help="table (text) or json"),
) -> None:
    """Print the ownership graph around a party: verdict, chains from listed owners, owners,
    what it owns, cycles, and the list versions used."""
    from clearance.ownership import analyse
    from clearance.ownership.explain import as_text, find_node, neighbourhood
    from clearance.store import Store

    with reporting_errors():
        result = analyse(Store.open(), _settings(regime, significant))
        view = neighbourhood(result, find_node(result, entity))
    if format == "json":
        _echo(view)
        return
    typer.echo(as_text(view))
