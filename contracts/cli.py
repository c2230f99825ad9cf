"""``smartstore contracts``: export the message JSON Schemas for integrators."""

from __future__ import annotations

import json
from pathlib import Path

import typer

app = typer.Typer(no_args_is_help=True)


@app.command("schema")
def schema(
    out: Path | None = typer.Option(None, "--out", help="Write one file per message here."),
) -> None:
    """Print (or write) the JSON Schema of the envelope and every payload."""
    from contracts.codec import json_schemas

    schemas = json_schemas()
    if out is None:
        typer.echo(json.dumps(schemas, indent=2, sort_keys=True))
        return
    out.mkdir(parents=True, exist_ok=True)
    for name, body in schemas.items():
        (out / f"{name.replace('/', '.')}.schema.json").write_text(json.dumps(body, indent=2))
    typer.echo(f"wrote {len(schemas)} schemas to {out}")
