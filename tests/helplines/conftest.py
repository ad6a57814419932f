"""Fixtures: a freshly migrated and seeded SQLite directory per test module (or per test)."""
from __future__ import annotations

import shutil
from pathlib import Path
from typing import Iterator

import pytest

from helplines import Directory, open_directory
from helplines.database import make_engine, upgrade

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
