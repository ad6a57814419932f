"""`python -m helplines`, run for real in a subprocess, as staff run it on the server."""
from __future__ import annotations

import datetime as dt
import json
import os
import pty
import re
import select
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from helplines import Directory
import sqlalchemy as sa

from helplines.database import ROOT, make_engine
from helplines.models import VERSIONED_TABLES, Base
from helplines.seed import DEFAULT_SEED

PASSWORD = "correct horse battery staple"


def helplines_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "helplines", *args]


def environment(database: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "HULPWIJZER_NEW_PASSWORD"}
    return {**env, "HULPWIJZER_DATABASE_URL": f"sqlite:///{database}", "PYTHONPATH": str(ROOT), **extra}


def run(database: Path, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
    """The command as a script runs it: no terminal (so no password prompt can wait for anyone)."""
    return subprocess.run(helplines_command(*args), env=environment(database, **extra), cwd=ROOT,
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120,
                          start_new_session=True)


@pytest.fixture
def database(seeded_template: Path, tmp_path: Path) -> Path:
    """A copy of the migrated and seeded directory, for one test."""
    path = tmp_path / "helplines.sqlite3"
    shutil.copy(seeded_template, path)
    return path


def sql(database: Path, statement: str, *params: Any) -> None:
    engine = make_engine(f"sqlite:///{database}")
    try:
        with engine.begin() as connection:
            connection.exec_driver_sql(statement, params)
    finally:
        engine.dispose()


def snapshot_services(database: Path) -> dict[str, Any]:
    """What routing sees, by service id."""
    directory = Directory(make_engine(f"sqlite:///{database}"))
    try:
        return dict(directory.snapshot().by_id)
    finally:
        directory.dispose()


def directory_rows(database: Path) -> dict[str, list[tuple]]:  # type: ignore[type-arg]
    """Every stored fact of the directory tables, without generated ids and timestamps."""
    engine = make_engine(f"sqlite:///{database}")
    try:
        with engine.connect() as connection:
            found = {}
            for table in VERSIONED_TABLES:
                columns = [c.name for c in Base.metadata.tables[table].columns if c.name not in ("id", "updated_at")]
                if table != "contact_channel":
                    columns = [c.name for c in Base.metadata.tables[table].columns if c.name != "updated_at"]
                rows = connection.execute(sa.select(*(Base.metadata.tables[table].c[c] for c in columns)))
                found[table] = sorted((tuple(row) for row in rows), key=repr)
            return found
    finally:
        engine.dispose()


def table_ids(output: str) -> set[str]:
    return set(re.findall(r"^([a-z0-9_]+)\s", output, flags=re.MULTILINE))


# --- list, show -----------------------------------------------------------------------------

def test_list_shows_every_seeded_service_with_its_status(database: Path) -> None:
    result = run(database, "list")
    assert result.returncode == 0, result.stderr
    ids = set(snapshot_services(database))
    assert ids <= table_ids(result.stdout)
    assert re.search(r"^veilig_thuis\s+active\s+helpline\s+10\s+Veilig Thuis\s", result.stdout, re.MULTILINE)
    assert re.search(r"^comensha\s+unverified\s", result.stdout, re.MULTILINE)


def test_show_gives_numbers_hours_and_sources(database: Path) -> None:
    result = run(database, "show", "veilig_thuis")
    assert result.returncode == 0, result.stderr
    assert "phone 0800-2000  [active]" in result.stdout
    assert "hours:        24/7" in result.stdout
    assert "source:       file:///" in result.stdout
    assert "chat (no value)  [unverified]" in result.stdout


def test_show_an_unknown_service_is_one_line_and_exit_1(database: Path) -> None:
    result = run(database, "show", "no_such_service")
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.strip().count("\n") == 0
    assert "no service 'no_such_service'" in result.stderr


def test_usage_errors_exit_2(database: Path) -> None:
    assert run(database).returncode == 2
    assert run(database, "frobnicate").returncode == 2
    assert run(database, "verify", "veilig_thuis").returncode == 2  # --source and --by are required


def test_a_mistyped_database_is_not_created(tmp_path: Path) -> None:
    missing = tmp_path / "typo.sqlite3"
    result = run(missing, "list")
    assert result.returncode == 1
    assert "no database at" in result.stderr
    assert not missing.exists()


# --- validate -------------------------------------------------------------------------------

def seed_document() -> dict[str, Any]:
    return yaml.safe_load(DEFAULT_SEED.read_text(encoding="utf-8"))


def write_seed(path: Path, document: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def service_entry(document: dict[str, Any], service_id: str) -> dict[str, Any]:
    return next(s for s in document["services"] if s["id"] == service_id)


def test_validate_accepts_the_seed_and_writes_nothing(tmp_path: Path) -> None:
    database = tmp_path / "untouched.sqlite3"
    result = run(database, "validate", str(DEFAULT_SEED))
    assert result.returncode == 0, result.stderr
    assert "ok:" in result.stdout
    assert not database.exists()


def test_validate_refuses_a_channel_without_a_source(tmp_path: Path) -> None:
    document = seed_document()
    channel = service_entry(document, "veilig_thuis")["channels"][0]
    # New dicts, not edits: the seed shares its verification blocks through YAML anchors.
    channel["verification"] = {k: v for k, v in channel["verification"].items() if k != "source_url"}
    result = run(tmp_path / "db.sqlite3", "validate", str(write_seed(tmp_path / "no_source.yaml", document)))
    assert result.returncode == 1
    assert "veilig_thuis" in result.stderr and "source_url" in result.stderr
    assert result.stderr.strip().count("\n") == 0


def test_validate_refuses_a_shelter_address(tmp_path: Path) -> None:
    document = seed_document()
    service_entry(document, "vrouwenopvang")["address"] = "Hoofdstraat 1, Utrecht"
    result = run(tmp_path / "db.sqlite3", "validate", str(write_seed(tmp_path / "address.yaml", document)))
    assert result.returncode == 1
    assert "never store a shelter's address" in result.stderr


def test_validate_the_live_directory_names_each_bad_entry(database: Path) -> None:
    assert run(database, "validate").returncode == 0
    sql(database, "UPDATE contact_channel SET verified_by = NULL WHERE service_id = 'kindertelefoon' AND status = 'active'")
    result = run(database, "validate")
    assert result.returncode == 1
    assert "kindertelefoon" in result.stderr and "verified_by" in result.stderr


def test_validate_the_live_directory_checks_numbers_like_the_staff_app(database: Path) -> None:
    """A number broken outside the staff app (plain SQL) is caught before someone dials it."""
    sql(database, "UPDATE contact_channel SET value = '12345' WHERE service_id = 'slachtofferhulp' AND kind = 'phone'")
    result = run(database, "validate")
    assert result.returncode == 1
    assert re.search(r"slachtofferhulp phone channel \d+: value: 12345 is not", result.stderr)


def test_validate_refuses_an_hsds_file_with_an_address(database: Path, tmp_path: Path) -> None:
    exported = tmp_path / "directory.json"
    assert run(database, "export", str(exported)).returncode == 0
    document = json.loads(exported.read_text(encoding="utf-8"))
    document["services"][0]["address"] = {"address_1": "Hoofdstraat 1", "city": "Utrecht"}
    exported.write_text(json.dumps(document), encoding="utf-8")
    result = run(tmp_path / "unused.sqlite3", "validate", str(exported))
    assert result.returncode == 1 and "no addresses" in result.stderr


def test_validate_refuses_an_unknown_file_kind(tmp_path: Path) -> None:
    other = tmp_path / "directory.csv"
    other.write_text("id,name\n")
    result = run(tmp_path / "db.sqlite3", "validate", str(other))
    assert result.returncode == 1 and ".json for HSDS" in result.stderr


# --- export, import -------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["directory.yaml", "directory.json"], ids=["seed", "hsds"])
def test_export_then_import_gives_the_same_directory(database: Path, tmp_path: Path, name: str) -> None:
    exported = tmp_path / name
    result = run(database, "export", str(exported))
    assert result.returncode == 0, result.stderr
    assert exported.exists()
    assert run(database, "export", str(exported)).returncode == 1, "an existing file is not overwritten"

    assert run(tmp_path / "unused.sqlite3", "validate", str(exported)).returncode == 0
    fresh = tmp_path / "fresh.sqlite3"
    result = run(fresh, "import", str(exported))
    assert result.returncode == 0, result.stderr
    assert snapshot_services(fresh) == snapshot_services(database)
    assert directory_rows(fresh) == directory_rows(database)

    again = run(fresh, "import", str(exported))
    assert again.returncode == 1 and "import only into an empty database" in again.stderr


# --- create-user ----------------------------------------------------------------------------

def authenticated(database: Path, username: str, password: str) -> bool:
    from helplines.accounts import authenticate

    directory = Directory(make_engine(f"sqlite:///{database}"))
    try:
        with directory.sessions() as session:
            return authenticate(session, username, password) is not None
    finally:
        directory.dispose()


def test_create_user_from_the_environment_for_scripts(database: Path) -> None:
    argv = ["create-user", "anna", "--role", "editor", "--organisation", "veilig_thuis"]
    result = run(database, *argv, HULPWIJZER_NEW_PASSWORD=PASSWORD)
    assert result.returncode == 0, result.stderr
    assert PASSWORD not in " ".join(argv) + result.stdout + result.stderr
    assert authenticated(database, "anna", PASSWORD)
    assert not authenticated(database, "anna", "wrong password here")

    duplicate = run(database, *argv, HULPWIJZER_NEW_PASSWORD=PASSWORD)
    assert duplicate.returncode == 1 and duplicate.stderr.startswith("error:")


def test_there_is_no_password_option(database: Path) -> None:
    result = run(database, "create-user", "anna", "--role", "editor", "--password", PASSWORD)
    assert result.returncode == 2
    assert not authenticated(database, "anna", PASSWORD)


def test_create_user_without_a_terminal_or_password_variable_is_refused(database: Path) -> None:
    result = run(database, "create-user", "dana", "--role", "administrator")
    assert result.returncode == 1
    assert result.stderr.startswith("error:") and "HULPWIJZER_NEW_PASSWORD" in result.stderr
    assert "Traceback" not in result.stderr


def type_into(command: list[str], env: dict[str, str], answers: list[str]) -> tuple[int, str]:
    """Run `command` on a pseudo-terminal, typing each answer after a prompt; (exit code, all output)."""
    primary, secondary = pty.openpty()
    process = subprocess.Popen(command, stdin=secondary, stdout=secondary, stderr=secondary, env=env, cwd=ROOT,
                               start_new_session=True)
    os.close(secondary)
    output, since_answer, pending, deadline = b"", b"", list(answers), time.monotonic() + 60
    while time.monotonic() < deadline:
        ready, _, _ = select.select([primary], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(primary, 4096)
            except OSError:  # the program closed the terminal
                break
            if not chunk:
                break
            output += chunk
            since_answer += chunk
            if pending and since_answer.endswith(b": "):  # a new prompt waits for an answer
                os.write(primary, pending.pop(0).encode() + b"\n")
                since_answer = b""
        elif process.poll() is not None:
            break
    os.close(primary)
    return process.wait(timeout=30), output.decode(errors="replace")


def test_create_user_asks_the_password_twice_without_echo(database: Path) -> None:
    command = helplines_command("create-user", "bram", "--role", "administrator")
    code, output = type_into(command, environment(database), [PASSWORD, PASSWORD])
    assert code == 0, output
    assert "Password for bram:" in output and "Type it again:" in output
    assert PASSWORD not in output, "the terminal must not echo the password"
    assert authenticated(database, "bram", PASSWORD)


def test_create_user_refuses_two_different_passwords(database: Path) -> None:
    command = helplines_command("create-user", "carla", "--role", "administrator")
    code, output = type_into(command, environment(database), [PASSWORD, PASSWORD + "!"])
    assert code == 1
    assert "differ" in output
    assert not authenticated(database, "carla", PASSWORD)


# --- stale, verify --------------------------------------------------------------------------

def test_stale_lists_an_old_check_until_it_is_verified_again(database: Path) -> None:
    long_ago = (dt.date.today() - dt.timedelta(days=100)).isoformat()
    recent = (dt.date.today() - dt.timedelta(days=10)).isoformat()
    sql(database, "UPDATE service SET verified_on = ?", recent)
    sql(database, "UPDATE contact_channel SET verified_on = ? WHERE verified_on IS NOT NULL", recent)
    sql(database, "UPDATE service SET verified_on = ? WHERE id = 'safetyned'", long_ago)

    result = run(database, "stale")
    assert result.returncode == 0, result.stderr
    assert "safetyned" in table_ids(result.stdout)
    assert "veilig_thuis" not in table_ids(result.stdout)
    assert re.search(rf"^safetyned\s.*{long_ago}\s+100$", result.stdout, re.MULTILINE)
    assert "safetyned" not in table_ids(run(database, "stale", "--days", "120").stdout)

    verified = run(database, "verify", "safetyned", "--source", "https://www.safetyned.org", "--by", "Anna, called them")
    assert verified.returncode == 0, verified.stderr
    assert "safetyned" not in table_ids(run(database, "stale").stdout)
    shown = run(database, "show", "safetyned").stdout
    assert f"verified on:  {dt.date.today().isoformat()}" in shown
    assert "verified by:  Anna, called them" in shown


def test_verify_an_unknown_service_exits_1(database: Path) -> None:
    result = run(database, "verify", "nope", "--source", "https://example.org", "--by", "Anna")
    assert result.returncode == 1 and "no service 'nope'" in result.stderr
