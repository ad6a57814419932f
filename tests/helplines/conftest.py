"""Fixtures: a freshly migrated and seeded directory per test module (or per test): SQLite, and
PostgreSQL for tests of staff writes (`fresh_directory_each_database`)."""
from __future__ import annotations

import shutil
import uuid
from pathlib import Path
from typing import Iterator

import pytest

from helplines import Directory, open_directory
from helplines.database import make_engine, upgrade
from postgres_server import create_database, drop_database

@pytest.fixture(scope="session")
def seeded_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Migrate and seed once; tests copy the file, which is much faster than migrating again."""
    path = tmp_path_factory.mktemp("template") / "helplines.sqlite3"
    open_directory(f"sqlite:///{path}").dispose()
    return path


def _copy(template: Path, target: Path) -> Directory:
    shutil.copy(template, target)
    return Directory(make_engine(f"sqlite:///{target}"))


@pytest.fixture(scope="module")
def directory(seeded_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Directory]:
    """A fresh seeded directory for this test module (read-only use, please)."""
    found = _copy(seeded_template, tmp_path_factory.mktemp("module") / "helplines.sqlite3")
    yield found
    found.dispose()


@pytest.fixture
def fresh_directory(seeded_template: Path, tmp_path: Path) -> Iterator[Directory]:
    """A fresh seeded directory for one test that changes data."""
    found = _copy(seeded_template, tmp_path / "helplines.sqlite3")
    yield found
    found.dispose()


@pytest.fixture(scope="session")
def empty_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Migrated once and left empty, for imports."""
    path = tmp_path_factory.mktemp("empty") / "helplines.sqlite3"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture
def empty_directory(empty_template: Path, tmp_path: Path) -> Iterator[Directory]:
    """A migrated directory without any entry, for one test that imports into it."""
    found = _copy(empty_template, tmp_path / "empty.sqlite3")
    yield found
    found.dispose()


@pytest.fixture(scope="session")
def postgres_seeded_template(postgres_url: str) -> str:
    """Migrated and seeded once on the test server; tests get copies of it (CREATE DATABASE ... TEMPLATE)."""
    name = f"seeded_template_{uuid.uuid4().hex[:8]}"
    open_directory(create_database(postgres_url, name)).dispose()
    return name


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_directory_each_database(
    request: pytest.FixtureRequest, seeded_template: Path, tmp_path: Path
) -> Iterator[Directory]:
    """A fresh seeded directory for one test, once on SQLite and once on PostgreSQL (production's)."""
    if request.param == "sqlite":
        found = _copy(seeded_template, tmp_path / "helplines.sqlite3")
        yield found
        found.dispose()
        return
    server = request.getfixturevalue("postgres_url")
    name = f"test_{uuid.uuid4().hex[:12]}"
    found = Directory(make_engine(create_database(server, name, template=request.getfixturevalue("postgres_seeded_template"))))
    yield found
    found.dispose()
    drop_database(server, name)
