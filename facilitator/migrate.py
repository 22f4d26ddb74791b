"""Create or migrate the schema with Alembic on every start."""

from pathlib import Path

from alembic import command
from alembic.config import Config
from flask import current_app
from sqlalchemy import text

from .extensions import db

MIGRATIONS = Path(__file__).parent / "migrations"
# Any fixed number: several processes starting at once must not migrate twice.
_PG_LOCK_ID = 7420_1101


def alembic_config(connection=None) -> Config:
    """Return an Alembic config pointing at the package's migrations."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", current_app.config["SQLALCHEMY_DATABASE_URI"])
    cfg.attributes["connection"] = connection
    return cfg


def upgrade_database() -> None:
    """Bring the database schema to the newest revision."""
    engine = db.engine
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": _PG_LOCK_ID})
        command.upgrade(alembic_config(connection), "head")
