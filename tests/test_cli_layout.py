"""The CLI's layout: command modules build their own Typer apps and ``main`` assembles them."""

from __future__ import annotations

import ast
from pathlib import Path

import clearance.cli
from clearance.cli import main

CLI = Path(clearance.cli.__file__).parent


def _command_modules() -> list[Path]:
    return sorted(CLI.glob("commands_*.py"))


def test_no_command_module_imports_main() -> None:
    for path in _command_modules():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                assert node.module != "clearance.cli.main", f"{path.name} imports cli.main"
                names = {alias.name for alias in node.names}
                assert not (node.module == "clearance.cli" and "main" in names), path.name


def test_every_command_module_is_registered() -> None:
    registered = {module.__name__.rsplit(".", 1)[1] for module in main.COMMAND_MODULES}
    assert registered == {path.stem for path in _command_modules()}


def test_top_level_commands_and_groups_are_reachable() -> None:
    from typer.main import get_command

    command = get_command(main.app)
    assert {"screen", "screen-file", "compare", "scan", "evaluate", "serve", "lists", "alerts",
            "audit", "monitor"} <= set(command.commands)  # type: ignore[attr-defined]
