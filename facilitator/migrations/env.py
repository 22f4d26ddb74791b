"""Alembic environment: uses the app's connection when run from create_app."""

from alembic import context
from sqlalchemy import engine_from_config, pool

from facilitator import models  # noqa: F401  registers the tables on the metadata
from facilitator.extensions import db

config = context.config
target_metadata = db.metadata


def run_migrations_online() -> None:
    """Run migrations on the given connection, or on a new one from the URL."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = engine_from_config(
        config.get_section(config.config_ini_section, {}),
        prefix="sqlalchemy.",
        poolclass=pool.NullPool,
    )
    with engine.connect() as conn:
        _run(conn)
        conn.commit()


def _run(connection) -> None:
    """Configure Alembic for a connection and migrate."""
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things; batch mode rebuilds tables instead.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
