"""Alembic runs up and down on SQLite, and the schema matches the models."""
from __future__ import annotations

import subprocess
import sys

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from helplines.database import ROOT, downgrade, make_engine, upgrade
from helplines.models import VERSIONED_TABLES, Base


def tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def test_upgrade_downgrade_upgrade(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'm.sqlite3'}"
    upgrade(url)
    assert tables(url) == set(Base.metadata.tables)
    downgrade(url, "base")
    assert tables(url) == set()
    upgrade(url)
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
            triggers = connection.exec_driver_sql("SELECT count(*) FROM sqlite_master WHERE type = 'trigger'").scalar()
            assert triggers == 3 * len(VERSIONED_TABLES)
    finally:
        engine.dispose()


def test_alembic_cli_uses_the_environment_url(tmp_path) -> None:
    """`alembic upgrade head` at the repo root reads HULPWIJZER_DATABASE_URL."""
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    env = {"HULPWIJZER_DATABASE_URL": url, "PYTHONPATH": str(ROOT), "PATH": ""}
    for args in (["upgrade", "head"], ["downgrade", "base"], ["upgrade", "head"]):
        subprocess.run([sys.executable, "-m", "alembic", *args], cwd=ROOT, env=env, check=True, capture_output=True)
    assert tables(url) == set(Base.metadata.tables)


def test_default_database_lives_in_var(monkeypatch) -> None:
    from helplines.database import database_url

    monkeypatch.delenv("HULPWIJZER_DATABASE_URL", raising=False)
    assert database_url() == f"sqlite:///{ROOT / 'var' / 'helplines.sqlite3'}"
    monkeypatch.setenv("HULPWIJZER_DATABASE_URL", "sqlite:///var/other.sqlite3")
    assert database_url() == f"sqlite:///{ROOT / 'var' / 'other.sqlite3'}"
