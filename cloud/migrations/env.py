"""Alembic environment: the URL comes from ``-x url=…``, else the config, else settings."""

from __future__ import annotations

import logging

from alembic import context
from sqlalchemy import Connection

from cloud.db.models import load_models
from cloud.db.session import make_engine

log = logging.getLogger(__name__)
config = context.config
target_metadata = load_models()


def database_url() -> str:
    url = context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option(
        "sqlalchemy.url"
    )
    if url:
        return url
    from cloud.settings import load_settings

    return load_settings().database_url


def configure(connection: Connection | None = None, url: str | None = None) -> None:
    dialect = connection.dialect.name if connection is not None else (url or "").split(":")[0]
    context.configure(
        connection=connection,
        url=url,
        target_metadata=target_metadata,
        render_as_batch=dialect.startswith("sqlite"),
        compare_type=True,
        literal_binds=connection is None,
    )


def run_offline() -> None:
    configure(url=database_url())
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        configure(connection=connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine(database_url())
    try:
        with engine.connect() as conn:
            configure(connection=conn)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
