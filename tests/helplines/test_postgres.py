"""Production runs on PostgreSQL: migrations, triggers, seeding and routing behave there as on SQLite."""
from __future__ import annotations

import json
import uuid
from typing import Iterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from frozen_times import SATURDAY_NIGHT, TUESDAY_MORNING
from helplines import Answers, Directory, open_directory, route
from helplines.database import downgrade, make_engine, upgrade
from helplines.models import VERSIONED_TABLES, Base
from postgres_server import create_database, drop_database
from test_migrations import tables
from test_routing_rules import CASES


@pytest.fixture
def empty_postgres(postgres_url: str) -> Iterator[str]:
    """A new, empty database on the test server for one test."""
    name = f"test_{uuid.uuid4().hex[:12]}"
    url = create_database(postgres_url, name)
    yield url
    drop_database(postgres_url, name)


@pytest.fixture(scope="module")
def postgres_directory(postgres_url: str) -> Iterator[Directory]:
    """A migrated and seeded PostgreSQL directory for this module (read-only use)."""
    name = f"seeded_{uuid.uuid4().hex[:12]}"
    directory = open_directory(create_database(postgres_url, name))
    yield directory
    directory.dispose()
    drop_database(postgres_url, name)


def version_triggers(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.exec_driver_sql(
                "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "WHERE NOT t.tgisinternal AND t.tgname LIKE 'trg_%%_version'"
            )
            return {row[0] for row in rows}
    finally:
        engine.dispose()


def test_upgrade_downgrade_upgrade(empty_postgres: str) -> None:
    upgrade(empty_postgres)
    assert tables(empty_postgres) == set(Base.metadata.tables)
    assert version_triggers(empty_postgres) == set(VERSIONED_TABLES)
    downgrade(empty_postgres, "base")
    assert tables(empty_postgres) == set()
    assert version_triggers(empty_postgres) == set()
    upgrade(empty_postgres)
    assert version_triggers(empty_postgres) == set(VERSIONED_TABLES)
    engine = make_engine(empty_postgres)
    try:
        with engine.connect() as connection:
            assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
    finally:
        engine.dispose()


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
@pytest.mark.parametrize("now", [TUESDAY_MORNING, SATURDAY_NIGHT], ids=["tuesday", "saturday-night"])
def test_same_referrals_as_sqlite(case, now, directory: Directory, postgres_directory: Directory) -> None:
    """Every safety rule gives the same referral, word for word, on both databases."""
    on_sqlite = route(case.answers, now, directory)
    on_postgres = route(case.answers, now, postgres_directory)
    assert on_postgres.primary.service_id == case.primary
    assert on_postgres == on_sqlite


def test_seed_is_the_same_on_both(directory: Directory, postgres_directory: Directory) -> None:
    assert dict(postgres_directory.snapshot().by_id) == dict(directory.snapshot().by_id)


def test_plain_sql_raises_the_version_and_routing_follows(empty_postgres: str) -> None:
    """A change outside the ORM (psql, another tool) still reaches the bot on its next answer."""
    directory = open_directory(empty_postgres)
    try:
        answers = Answers(danger_now=False, topic="online_violence")
        assert route(answers, TUESDAY_MORNING, directory).primary.service_id == "safetyned"
        before = directory.version()
        with directory.engine.begin() as connection:
            connection.exec_driver_sql("UPDATE service SET status = 'temporarily_closed' WHERE id = 'safetyned'")
        assert directory.version() > before
        assert route(answers, TUESDAY_MORNING, directory).primary.service_id != "safetyned"

        before = directory.version()
        with directory.engine.begin() as connection:
            connection.exec_driver_sql("UPDATE service SET status = 'active' WHERE id = 'safetyned'")
            connection.exec_driver_sql(
                "UPDATE service_text SET alert = 'Let op: dit is een test.' WHERE service_id = 'safetyned' AND language = 'nl'"
            )
        assert directory.version() > before
        referral = route(answers, TUESDAY_MORNING, directory)
        assert referral.primary.service_id == "safetyned" and referral.primary.alert == "Let op: dit is een test."
    finally:
        directory.dispose()


def test_a_staff_edit_is_audited_and_routed_on_postgres(empty_postgres: str) -> None:
    """The staff app's path on production's database: checked, audited, live on the next answer."""
    from helplines.accounts import create_user
    from helplines.audit import history
    from helplines.editing import update_service

    directory = open_directory(empty_postgres)
    try:
        answers = Answers(danger_now=False, topic="online_violence")
        assert route(answers, TUESDAY_MORNING, directory).primary.service_id == "safetyned"
        with directory.sessions() as session:
            editor = create_user(session, "editor_safetyned", "a long enough password", "editor", ["safetyned"])
            session.commit()
            entries = update_service(session, editor, "safetyned", {"status": "temporarily_closed"},
                                     reason="closed for maintenance")
            assert [(e.field, e.username) for e in entries] == [("status", "editor_safetyned")]
        closed = route(answers, TUESDAY_MORNING, directory)
        assert closed.primary.service_id != "safetyned"
        assert "safetyned" not in [r.service_id for r in closed.ordered()]
        with directory.sessions() as session:
            (entry,) = history(session, "service", "safetyned")
            assert (json.loads(entry.old), json.loads(entry.new)) == ("active", "temporarily_closed")
            assert entry.reason == "closed for maintenance"
    finally:
        directory.dispose()


def test_the_command_line_on_postgres(empty_postgres: str) -> None:
    """Staff on the production server: fill an empty database, check it, add an account."""
    import os
    import subprocess

    from helplines.accounts import authenticate
    from helplines.database import ROOT
    from helplines.seed import DEFAULT_SEED
    from test_cli import PASSWORD, helplines_command

    env = {**os.environ, "PYTHONPATH": str(ROOT), "HULPWIJZER_NEW_PASSWORD": PASSWORD}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(helplines_command("--database", empty_postgres, *args), env=env, cwd=ROOT,
                              stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120)

    assert run("import", str(DEFAULT_SEED)).returncode == 0
    listed = run("list")
    assert listed.returncode == 0 and "veilig_thuis" in listed.stdout
    assert run("validate").returncode == 0
    assert run("create-user", "erik", "--role", "administrator").returncode == 0
    directory = Directory(make_engine(empty_postgres))
    try:
        with directory.sessions() as session:
            assert authenticate(session, "erik", PASSWORD) is not None
        assert route(Answers(danger_now=False, topic="online_violence"), TUESDAY_MORNING, directory).primary.service_id == "safetyned"
    finally:
        directory.dispose()
