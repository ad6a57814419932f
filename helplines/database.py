"""Where the directory lives and how its schema gets there (Alembic, never create_all)."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Optional

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

from helplines import accounts, audit  # noqa: F401  (their tables belong to the schema Alembic checks)

ROOT = Path(__file__).resolve().parent.parent
ENV_VAR = "HULPWIJZER_DATABASE_URL"
DEFAULT_SQLITE = ROOT / "var" / "helplines.sqlite3"
ALEMBIC_INI = ROOT / "alembic.ini"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def database_url(url: Optional[str] = None) -> str:
    """The URL given, else $HULPWIJZER_DATABASE_URL, else SQLite in `var/` (relative to the repo)."""
    url = url or os.environ.get(ENV_VAR) or f"sqlite:///{DEFAULT_SQLITE}"
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database and parsed.database != ":memory:":
        path = Path(parsed.database)
        if not path.is_absolute():
            path = ROOT / path
            url = parsed.set(database=str(path)).render_as_string(hide_password=False)
        path.parent.mkdir(parents=True, exist_ok=True)
    return url


def make_engine(url: Optional[str] = None) -> Engine:
    """An engine that is safe to share across threads (the action server runs several)."""
    url = database_url(url)
    if make_url(url).get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True)
    engine = create_engine(url, connect_args={"check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    return engine


def alembic_config(url: Optional[str] = None) -> Config:
    config = Config(str(ALEMBIC_INI)) if ALEMBIC_INI.exists() else Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["database_url"] = database_url(url)
    config.attributes["configure_logging"] = False
    return config


def upgrade(url: Optional[str] = None, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)


def downgrade(url: Optional[str] = None, revision: str = "base") -> None:
    command.downgrade(alembic_config(url), revision)
