"""Entry point of the ``clearance`` CLI. Each command group lives in its own module, which builds
its own Typer app; this module only assembles them (no command module imports this one)."""

from __future__ import annotations

from importlib import import_module

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


#: Kept alphabetical; each module's app carries its top-level commands and sub-groups.
COMMAND_MODULES = tuple(
    import_module(f"clearance.cli.{name}")
    for name in (
        "commands_documents",
        "commands_evaluate",
        "commands_info",
        "commands_lists",
        "commands_monitor",
        "commands_ownership",
        "commands_payments",
        "commands_screen",
        "commands_serve",
    )
)
for _module in COMMAND_MODULES:
    app.add_typer(_module.app)
