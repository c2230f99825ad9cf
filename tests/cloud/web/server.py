"""A real console for browser tests: uvicorn in a thread on a free port, a seeded SQLite file."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import uvicorn
from fastapi import FastAPI
from sqlalchemy.orm import Session, sessionmaker

from cloud.db.models import load_models
from cloud.db.session import make_engine, make_sessionmaker
from cloud.db.sqlite import use_immediate_transactions
from cloud.main import create_app
from cloud.seed.service import seed
from cloud.settings import CloudSettings
from smartstore.broker import free_port, wait_for_port

PASSWORD = "demo-password-1"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@dataclass
class ConsoleServer:
    url: str
    app: FastAPI
    settings: CloudSettings
    sessions: sessionmaker[Session]


@contextmanager
def console_server(tmp: Path, **overrides: object) -> Iterator[ConsoleServer]:
    db = f"sqlite:///{tmp / 'console.sqlite3'}"
    engine = use_immediate_transactions(make_engine(db))
    load_models().create_all(engine)
    with make_sessionmaker(engine)() as session, session.begin():
        seed(session, password=PASSWORD, now=datetime.now(UTC))
    port = free_port()
    settings = CloudSettings(database_url=db, public_url=f"http://127.0.0.1:{port}", **overrides)  # type: ignore[arg-type]
    app = create_app(settings, engine=engine)
    app.state.console.media_dir = tmp / "media"
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        log_level="warning",
        timeout_graceful_shutdown=2,
        lifespan="on",
        proxy_headers=False,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    wait_for_port("127.0.0.1", port, 20)
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        yield ConsoleServer(f"http://127.0.0.1:{port}", app, settings, app.state.ctx.sessions)
    finally:
        server.should_exit = True
        thread.join(15)
        engine.dispose()
