"""`slakeeper serve`: the REST API with uvicorn.

A plain function; the root command group registers it as `serve`.
"""

from __future__ import annotations

from typing import Annotated

import typer
import uvicorn

from slakeeper.db.migrate import ensure_current
from slakeeper.db.session import make_engine
from slakeeper.settings import load_settings

__all__ = ["serve"]


def serve(
    host: Annotated[
        str, typer.Option("--host", help="The address to listen on.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="The port to listen on.")] = 8000,
    reload: Annotated[
        bool,
        typer.Option("--reload", help="Restart when the code changes (development)."),
    ] = False,
) -> None:
    """Run the REST API (docs at /docs, schema at /openapi.json).

    The database must be migrated (`slakeeper db upgrade`).
    """
    engine = make_engine(load_settings())
    try:
        ensure_current(engine)  # refuse here, with a one-line message
    finally:
        engine.dispose()
    base = f"http://{host}:{port}"
    typer.echo(f"slakeeper API on {base} (docs: {base}/docs); Ctrl+C stops it.")
    uvicorn.run(
        "slakeeper.api.app:load_app",
        factory=True,
        host=host,
        port=port,
        reload=reload,
    )
