"""``clearance serve`` (HTTP API + web UI) and ``clearance keys`` (API key management)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from clearance.api.roles import Role
from clearance.api.settings import MIB, SETTINGS_ENV, ApiSettings
from clearance.errors import ClearanceError

#: This module's commands; cli/main.py adds them to the ``clearance`` app.
app = typer.Typer()

keys_app = typer.Typer(help="Create, list and revoke API keys.", no_args_is_help=True)
app.add_typer(keys_app, name="keys")


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, help="Port to listen on."),
    workers: int = typer.Option(1, min=1, help="Worker processes (each loads the index once)."),
    no_auth: bool = typer.Option(
        False, "--no-auth", help="Serve without API keys (local single-user use only)."
    ),
    cors_origin: list[str] = typer.Option(
        [], "--cors-origin", help="Browser origin allowed to call the API (repeatable)."
    ),
    audit_log: Path | None = typer.Option(
        None, help="JSON-lines log of who screened what (default: <data dir>/audit/api.jsonl)."
    ),
    no_audit_log: bool = typer.Option(False, "--no-audit-log", help="Do not write the audit log."),
    max_body_mb: float = typer.Option(1.0, help="Largest JSON request body, in MiB."),
    max_upload_mb: float = typer.Option(200.0, help="Largest file upload, in MiB."),
    rate_limit: float = typer.Option(100.0, help="Requests per second per API key."),
    rate_burst: int = typer.Option(200, help="Burst size of the per-key rate limit."),
    log_level: str = typer.Option("info", help="uvicorn log level."),
) -> None:
    """Serve the HTTP API (yente-compatible and Clearance endpoints) and the web UI."""
    import uvicorn

    from clearance import config

    settings = ApiSettings(
        auth=not no_auth,
        cors_origins=tuple(cors_origin),
        max_body_bytes=int(max_body_mb * MIB),
        max_upload_bytes=int(max_upload_mb * MIB),
        rate_per_second=rate_limit,
        rate_burst=rate_burst,
        audit_log=None if no_audit_log else str(audit_log or config.home() / "audit" / "api.jsonl"),
    )
    console = Console(stderr=True)
    from clearance.api.security import KeyStore

    if settings.auth and not KeyStore(settings.resolved_database_url()).has_active_keys():
        console.print(
            "[yellow]No API keys exist yet, so every request will be refused.[/yellow] Create "
            "one with:\n  clearance keys create --role admin --name YOUR-NAME\n"
            "(or run `clearance serve --no-auth` for local single-user use)."
        )
    if not settings.auth:
        console.print("[yellow]Authentication is OFF: anyone who can reach the port can use it.")
    console.print(f"Clearance on http://{host}:{port}/ (API docs at /docs, web UI at /ui/)")
    os.environ[SETTINGS_ENV] = settings.to_env()
    uvicorn.run(
        "clearance.api:create_app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=log_level,
        access_log=False,
    )


@keys_app.command("create")
def keys_create(
    name: str = typer.Option(..., help="Who or what uses the key (shown in the audit log)."),
    role: Role = typer.Option(Role.SCREENING, help="screening, analyst or admin."),
    format: str = typer.Option("text", "--format", "-f", help="text or json"),
) -> None:
    """Create an API key. The key is printed once; only a salted hash is stored."""
    try:
        from clearance.api.security import KeyStore

        key, token = KeyStore().create(name, role)
    except ClearanceError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    if format == "json":
        typer.echo(
            json.dumps(
                {"key_id": key.key_id, "name": key.name, "role": key.role.value, "key": token}
            )
        )
        return
    typer.echo(f"Created key {key.key_id} ({key.role.value}) for {key.name}.")
    typer.echo("Store it now; it cannot be shown again:")
    typer.echo(token)


@keys_app.command("list")
def keys_list(format: str = typer.Option("table", "--format", "-f", help="table or json")) -> None:
    """List API keys (ids, names, roles; never the keys themselves)."""
    from clearance.api.security import KeyStore

    keys = KeyStore().list()
    if format == "json":
        rows = [
            {
                "key_id": k.key_id,
                "name": k.name,
                "role": k.role.value,
                "created_at": k.created_at.isoformat(),
                "revoked_at": k.revoked_at.isoformat() if k.revoked_at else None,
            }
            for k in keys
        ]
        typer.echo(json.dumps(rows, indent=2))
        return
    table = Table("key id", "name", "role", "created", "status")
    for k in keys:
        status = f"revoked {k.revoked_at:%Y-%m-%d %H:%M}" if k.revoked_at else "active"
        table.add_row(k.key_id, k.name, k.role.value, f"{k.created_at:%Y-%m-%d %H:%M}", status)
    Console().print(table)


@keys_app.command("revoke")
def keys_revoke(key_id: str = typer.Argument(..., help="The key id shown by `keys list`.")) -> None:
    """Revoke an API key (running servers stop accepting it within 30 seconds)."""
    try:
        from clearance.api.security import KeyStore

        key = KeyStore().revoke(key_id)
    except ClearanceError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"Revoked key {key.key_id} ({key.name}).")
