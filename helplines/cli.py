"""`python -m helplines`: the directory from a terminal, for staff and scripts on the server.

Same rules as the staff web app: every write goes through the checks in `models.py` (and the
audited editing functions), passwords are never taken from the command line, and the
database is the one the bot uses (`HULPWIJZER_DATABASE_URL`, else SQLite in `var/`).
"""
from __future__ import annotations

import argparse
import datetime as dt
import getpass
import json
import os
import sys
import warnings
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator, Optional, Sequence

import yaml
from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import selectinload

from helplines import models as m
from helplines.database import database_url, make_engine, upgrade
from helplines.directory import Directory

PASSWORD_VAR = "HULPWIJZER_NEW_PASSWORD"
SEED_SUFFIXES = (".yaml", ".yml")
HSDS_SUFFIXES = (".json",)


class CommandError(Exception):
    """Something the person at the terminal can fix; printed as one line, exit code 1."""


# --- the database -------------------------------------------------------------------------

@contextmanager
def _open(url: Optional[str], *, create: bool = False) -> Iterator[Directory]:
    """The directory at `url`, migrated to the newest schema; never seeded behind anyone's back."""
    url = database_url(url)
    parsed = make_url(url)
    if (not create and parsed.get_backend_name() == "sqlite" and parsed.database
            and parsed.database != ":memory:" and not Path(parsed.database).exists()):
        raise CommandError(f"no database at {parsed.database}; check HULPWIJZER_DATABASE_URL, "
                           "or fill a new one with `python -m helplines import FILE`")
    upgrade(url)
    directory = Directory(make_engine(url))
    try:
        yield directory
    finally:
        directory.dispose()


def _services(session: Any) -> list[m.Service]:
    query = select(m.Service).options(
        selectinload(m.Service.texts), selectinload(m.Service.channels), selectinload(m.Service.topics),
        selectinload(m.Service.audiences), selectinload(m.Service.areas), selectinload(m.Service.capabilities),
        selectinload(m.Service.statements), selectinload(m.Service.languages),
    )
    return list(session.scalars(query.order_by(m.Service.priority, m.Service.id)))


def _service(session: Any, service_id: str) -> m.Service:
    service = session.get(m.Service, service_id)
    if service is None:
        raise CommandError(f"no service {service_id!r}; `python -m helplines list` shows the ids")
    return service


def _name(service: m.Service) -> str:
    texts = {t.language: t.name for t in service.texts}
    return texts.get("nl") or texts.get("en") or next(iter(texts.values()), "")


def _table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    cells = [[str(h) for h in headers]] + [["" if c is None else str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _format_kind(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in SEED_SUFFIXES:
        return "seed"
    if suffix in HSDS_SUFFIXES:
        return "hsds"
    raise CommandError(f"{path}: use .yaml or .yml for the seed format, .json for HSDS")


# --- commands -----------------------------------------------------------------------------

def cmd_list(args: argparse.Namespace) -> int:
    with _open(args.database) as directory:
        with directory.session() as session:
            services = _services(session)
            if not services:
                print("The directory is empty. Fill it with: python -m helplines import FILE")
                return 0
            rows = [
                (s.id, s.status, s.kind, s.priority, _name(s),
                 ", ".join(dict.fromkeys(c.kind for c in s.channels if c.status == "active")) or "-",
                 s.verified_on or "never")
                for s in services
            ]
        print(_table(("ID", "STATUS", "KIND", "PRIORITY", "NAME", "ACTIVE CHANNELS", "VERIFIED ON"), rows))
        return 0


def _yes_no(value: Optional[bool]) -> str:
    return "unknown" if value is None else ("yes" if value else "no")


def _verification_lines(entry: m.Verified, indent: str) -> list[str]:
    lines = [f"{indent}source:       {entry.source_url}"]
    if entry.source_note:
        lines.append(f"{indent}source note:  {entry.source_note}")
    lines.append(f"{indent}verified on:  {entry.verified_on or 'never'}")
    lines.append(f"{indent}verified by:  {entry.verified_by or '-'}")
    return lines


def cmd_show(args: argparse.Namespace) -> int:
    with _open(args.database) as directory:
        with directory.session() as session:
            s = _service(session, args.service_id)
            lines = [
                f"{s.id}  ({_name(s)})",
                f"  organisation: {s.organization_id}",
                f"  kind:         {s.kind}",
                f"  status:       {s.status}",
                f"  priority:     {s.priority}",
            ]
            if s.intake_via_id:
                lines.append(f"  intake via:   {s.intake_via_id}")
            for text in sorted(s.texts, key=lambda t: t.language):
                lines.append(f"  name [{text.language}]: {text.name}")
                if text.description:
                    lines.append(f"  description [{text.language}]: {text.description}")
                if text.alert:
                    lines.append(f"  alert [{text.language}]: {text.alert}")
            lists = {
                "topics": sorted(t.topic for t in s.topics),
                "audiences": sorted(a.audience for a in s.audiences),
                "areas": sorted(a.area for a in s.areas),
                "capabilities": sorted(c.capability for c in s.capabilities),
                "what happens": [st.statement for st in s.statements],
                "languages": [lang.language for lang in s.languages],
            }
            for label, values in lists.items():
                lines.append(f"  {label + ':':13} {', '.join(values) or '-'}")
            lines += _verification_lines(s, "  ")
            if not s.channels:
                lines.append("  channels:     none" + (" (a shelter is reached through its intake service)" if s.kind == "shelter" else ""))
            for c in s.channels:
                lines += [
                    f"  channel {c.id}: {c.kind} {c.value or '(no value)'}  [{c.status}]",
                    f"      url:          {c.url or '-'}",
                    f"      hours:        {c.opening_hours or 'not known'}  ({c.timezone}, holidays: {c.holiday_calendar})",
                    f"      free: {_yes_no(c.free)}, anonymous: {_yes_no(c.anonymous)}, "
                    f"on phone bill: {_yes_no(c.on_phone_bill)}, takes a report: {_yes_no(c.takes_report)}",
                    *_verification_lines(c, "      "),
                ]
        print("\n".join(lines))
        return 0


def _read_document(path: Path) -> Any:
    if not path.exists():
        raise CommandError(f"{path}: no such file")
    with path.open(encoding="utf-8") as handle:
        if _format_kind(path) == "seed":
            return yaml.safe_load(handle)
        try:
            return json.load(handle)
        except json.JSONDecodeError as error:
            raise CommandError(f"{path}: not valid JSON ({error})") from error


def _check_file(path: Path) -> tuple[int, int]:
    """Parse and check a seed or HSDS file as an import would, writing nothing; (services, channels)."""
    from helplines.hsds import HsdsError, hsds_to_seed
    from helplines.seed import parse_seed

    document = _read_document(path)
    if _format_kind(path) == "hsds":
        try:
            document = hsds_to_seed(document)
        except (TypeError, AttributeError) as error:
            raise HsdsError(f"HSDS: unexpected structure ({error})") from error
    _organizations, services = parse_seed(document)
    for service in services:
        m.check_service(service)
    return len(services), sum(len(s.channels) for s in services)


def _live_problems(service: m.Service) -> list[str]:
    """What the write checks and the staff app's field checks would refuse in a stored entry."""
    from helplines.editing import DIALLED_KINDS
    from helplines.validation import check_phone, check_url

    problems = []
    try:
        m.check_service(service)
    except m.DirectoryError as error:
        problems.append(str(error))
    if service.source_url and (problem := check_url(service.source_url, allow_file=True)):
        problems.append(f"{service.id}: source_url: {problem}")
    for channel in service.channels:
        checks = [("source_url", check_url(channel.source_url, allow_file=True) if channel.source_url else None)]
        if channel.url:
            checks.append(("url", check_url(channel.url)))
        if channel.value and channel.kind in DIALLED_KINDS:
            checks.append(("value", check_phone(channel.value)))
        problems += [f"{service.id} {channel.kind} channel {channel.id}: {field}: {problem}"
                     for field, problem in checks if problem]
    return problems


def cmd_validate(args: argparse.Namespace) -> int:
    if args.file:
        path = Path(args.file)
        services, channels = _check_file(path)
        print(f"ok: {path}: {services} services, {channels} contact channels; nothing was written")
        return 0
    with _open(args.database) as directory:
        with directory.sessions() as session:
            services = _services(session)
            problems = [problem for service in services for problem in _live_problems(service)]
        for problem in problems:
            print(f"error: {problem}", file=sys.stderr)
        if problems:
            return 1
        print(f"ok: {len(services)} services in the directory pass every check")
        return 0


def cmd_import(args: argparse.Namespace) -> int:
    from helplines.hsds import import_hsds
    from helplines.seed import import_seed_document

    path = Path(args.file)
    document = _read_document(path)
    with _open(args.database, create=True) as directory:
        with directory.session() as session:
            if _format_kind(path) == "seed":
                count = import_seed_document(session, document)
            else:
                count = import_hsds(session, document)
        print(f"imported {count} services from {path}")
        return 0


def cmd_export(args: argparse.Namespace) -> int:
    path = Path(args.file)
    kind = _format_kind(path)
    if path.exists() and not args.force:
        raise CommandError(f"{path} exists; choose another name or add --force to overwrite it")
    with _open(args.database) as directory:
        with directory.session() as session:
            if kind == "seed":
                from helplines.seed import export_seed

                document = export_seed(session)
                text = yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100)
            else:
                from helplines.hsds import export_hsds

                document = export_hsds(session)
                text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
            count = session.scalar(select(func.count()).select_from(m.Service))
        partial = path.with_name(path.name + ".partial")
        partial.write_text(text, encoding="utf-8")
        partial.replace(path)
        print(f"exported {count} services to {path}")
        return 0


def _new_password(username: str) -> str:
    from_environment = os.environ.get(PASSWORD_VAR)
    if from_environment:
        return from_environment
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", getpass.GetPassWarning)  # never ask where the password would show
            first = getpass.getpass(f"Password for {username}: ")
            again = getpass.getpass("Type it again: ")
    except (getpass.GetPassWarning, EOFError) as error:
        raise CommandError(f"no terminal to type the password in without it showing; scripts set {PASSWORD_VAR}") from error
    if again != first:
        raise CommandError("the two passwords differ; nothing was changed")
    return first


def cmd_create_user(args: argparse.Namespace) -> int:
    from helplines.accounts import create_user

    with _open(args.database) as directory:
        password = _new_password(args.username)
        with directory.session() as session:
            user = create_user(session, args.username, password, args.role, args.organisation or ())
            organisations = f" for {', '.join(args.organisation)}" if args.organisation else ""
            print(f"created {user.role} {user.username!r}{organisations}")
        return 0


def cmd_stale(args: argparse.Namespace) -> int:
    from helplines.editing import stale

    if args.days < 0:
        raise CommandError("--days must be 0 or more")
    today = dt.date.today()
    with _open(args.database) as directory:
        with directory.session() as session:
            oldest: dict[str, Optional[dt.date]] = {}
            for service_id, verified_on in stale(session, today, args.days):
                known = oldest.get(service_id, verified_on)
                oldest[service_id] = None if known is None or verified_on is None else min(known, verified_on)
            services = {s.id: s for s in _services(session) if s.id in oldest}
            rows = [
                (service_id, services[service_id].status if service_id in services else "?",
                 _name(services[service_id]) if service_id in services else "",
                 on or "never", (today - on).days if on else "-")
                for service_id, on in sorted(oldest.items(), key=lambda item: (item[1] or dt.date.min, item[0]))
            ]
        if not rows:
            print(f"Every service and channel was verified in the last {args.days} days.")
            return 0
        print(f"Not verified in the last {args.days} days (service or one of its channels):")
        print(_table(("ID", "STATUS", "NAME", "VERIFIED ON", "DAYS AGO"), rows))
        return 0


def cmd_verify(args: argparse.Namespace) -> int:
    from helplines.editing import verify_service

    on = dt.date.fromisoformat(args.on) if args.on else dt.date.today()
    with _open(args.database) as directory:
        with directory.session() as session:
            _service(session, args.service_id)
            entries = verify_service(session, args.by, args.service_id, args.source, on=on, reason=args.reason)
        print(f"verified {args.service_id} and its channels on {on} by {args.by} "
              f"(source {args.source}; {len(entries)} changes recorded)")
        return 0


# --- arguments ----------------------------------------------------------------------------

def _date(value: str) -> str:
    try:
        dt.date.fromisoformat(value)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date (YYYY-MM-DD)") from error
    return value


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="python -m helplines",
        description="Look after the helpline directory the bot recommends from.",
        epilog="The database is $HULPWIJZER_DATABASE_URL, else var/helplines.sqlite3. "
               "Exit codes: 0 ok, 1 refused or failed (one line on stderr), 2 wrong usage.",
    )
    top.add_argument("--database", metavar="URL", help="database URL (default: $HULPWIJZER_DATABASE_URL)")
    commands = top.add_subparsers(dest="command", metavar="COMMAND", required=True)

    sub = commands.add_parser("list", help="every service: status, kind, name, channels, last check")
    sub.set_defaults(run=cmd_list)

    sub = commands.add_parser("show", help="everything stored about one service")
    sub.add_argument("service_id", metavar="SERVICE_ID")
    sub.set_defaults(run=cmd_show)

    sub = commands.add_parser("validate", help="check a seed/HSDS file (nothing is written), or the live directory")
    sub.add_argument("file", nargs="?", metavar="FILE", help=".yaml/.yml seed or .json HSDS; omit to check the database")
    sub.set_defaults(run=cmd_validate)

    sub = commands.add_parser("import", help="fill an EMPTY directory from a seed (.yaml/.yml) or HSDS (.json) file")
    sub.add_argument("file", metavar="FILE")
    sub.set_defaults(run=cmd_import)

    sub = commands.add_parser("export", help="write the directory to FILE: .yaml/.yml seed, .json HSDS")
    sub.add_argument("file", metavar="FILE")
    sub.add_argument("--force", action="store_true", help="overwrite FILE if it exists")
    sub.set_defaults(run=cmd_export)

    sub = commands.add_parser(
        "create-user", help="a staff account; the password is asked twice (or $HULPWIJZER_NEW_PASSWORD)"
    )
    sub.add_argument("username", metavar="USERNAME")
    sub.add_argument("--role", required=True, choices=("administrator", "editor"))
    sub.add_argument("--organisation", action="append", metavar="ORG",
                     help="organisation id an editor may edit (repeat for more)")
    sub.set_defaults(run=cmd_create_user)

    sub = commands.add_parser("stale", help="services or channels not verified for more than --days days")
    sub.add_argument("--days", type=int, default=90, help="maximum age of a check in days (default 90)")
    sub.set_defaults(run=cmd_stale)

    sub = commands.add_parser("verify", help="record that a service and its channels were checked against a source")
    sub.add_argument("service_id", metavar="SERVICE_ID")
    sub.add_argument("--source", required=True, metavar="URL", help="where the facts were checked")
    sub.add_argument("--by", required=True, metavar="NAME", help="who checked, and how (e.g. 'Anna, called them')")
    sub.add_argument("--on", type=_date, metavar="YYYY-MM-DD", help="date of the check (default today)")
    sub.add_argument("--reason", default="verified", help="note for the audit log (default 'verified')")
    sub.set_defaults(run=cmd_verify)
    return top


def _explain(error: BaseException) -> str:
    errors = getattr(error, "errors", None)
    if isinstance(errors, dict) and errors:
        return "; ".join(f"{field}: {message}" for field, message in errors.items())
    return str(error).splitlines()[0] if str(error) else type(error).__name__


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.run(args)
    except (CommandError, ValueError, PermissionError, LookupError, OSError) as error:
        print(f"error: {_explain(error)}", file=sys.stderr)
    except SQLAlchemyError as error:
        print(f"error: database: {_explain(getattr(error, 'orig', None) or error)}", file=sys.stderr)
    except yaml.YAMLError as error:
        print(f"error: not valid YAML: {_explain(error)}", file=sys.stderr)
    except KeyboardInterrupt:
        print("\nstopped; nothing was changed", file=sys.stderr)
        return 130
    return 1
