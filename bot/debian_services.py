"""Redis, PostgreSQL and nginx from Debian's packages, each with its own config, on loopback only.

The production profile (bot/production.py) and its tests run these real servers rather than
stand-ins. Each runs in the foreground as our child process, with its files in a directory we
choose, so nothing touches a server the machine may already run; a missing package is
installed with apt-get.
"""
from __future__ import annotations

import os
import pwd
import re
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Optional

from bot.stack import wait_for_port

POSTGRES_BINARIES = Path("/usr/lib/postgresql")


def ensure_installed(program: str, package: str) -> str:
    """The path of `program`; installs Debian's `package` first when it is missing."""
    found = shutil.which(program) or next((p for p in (f"/usr/sbin/{program}", f"/usr/bin/{program}")
                                           if os.access(p, os.X_OK)), None)
    if found:
        return found
    print(f"Installing Debian's {package} ...", flush=True)
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run([*sudo, "apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run([*sudo, "apt-get", "install", "-y", "-qq", package], check=True, env=env)
    found = shutil.which(program) or (f"/usr/sbin/{program}" if os.access(f"/usr/sbin/{program}", os.X_OK) else None)
    if not found:
        raise RuntimeError(f"{package} installed, but {program} is still not there")
    return found


@dataclass
class ForegroundServer:
    """A server process we own: started in its own session, stopped with SIGTERM, then SIGKILL."""

    work: Path
    process: Optional[subprocess.Popen] = None
    _log: Optional[IO[bytes]] = None

    def _spawn(self, name: str, command: list[str], **kwargs: Any) -> subprocess.Popen:
        self.work.mkdir(parents=True, exist_ok=True)
        self._log = open(self.work / f"{name}.log", "ab")
        self.process = subprocess.Popen(command, stdout=self._log, stderr=subprocess.STDOUT,
                                        stdin=subprocess.DEVNULL, start_new_session=True, **kwargs)
        return self.process

    def stop(self, timeout: float = 10) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self._log is not None:
            self._log.close()
            self._log = None


@dataclass
class RedisServer(ForegroundServer):
    """Redis for trackers and locks: memory only (no RDB snapshots, no append-only file)."""

    port: int = 6379

    def start(self, timeout: float = 20) -> "RedisServer":
        binary = ensure_installed("redis-server", "redis-server")
        self.work.mkdir(parents=True, exist_ok=True)
        config = self.work / "redis.conf"
        config.write_text("\n".join([
            "bind 127.0.0.1", f"port {self.port}", "protected-mode yes", "daemonize no",
            'save ""', "appendonly no", f"dir {self.work}", 'logfile ""', "loglevel warning", "",
        ]))
        process = self._spawn("redis", [binary, str(config)])
        wait_for_port(self.port, time.monotonic() + timeout, process, "Redis")
        return self

    def command(self, *args: str) -> str:
        """One redis-cli command against this server (the tests read the store this way)."""
        cli = ensure_installed("redis-cli", "redis-tools")
        return subprocess.run([cli, "-h", "127.0.0.1", "-p", str(self.port), *args], check=True,
                              capture_output=True, text=True, timeout=30).stdout


@dataclass
class NginxProxy(ForegroundServer):
    """nginx as the one entry point: the Rasa replicas (REST, socket.io), the web chat, the action servers."""

    port: int = 8080
    action_port: int = 5055
    rasa_ports: list[int] = field(default_factory=list)
    action_ports: list[int] = field(default_factory=list)
    web_port: Optional[int] = None

    def config(self) -> str:
        temp = self.work / "temp"
        servers = lambda ports, extra="": "".join(f"    server 127.0.0.1:{p}{extra};\n" for p in ports)  # noqa: E731
        web = (f"  upstream web {{\n    server 127.0.0.1:{self.web_port};\n  }}\n" if self.web_port else "")
        web_location = "    location / {\n      proxy_pass http://web;\n    }\n" if self.web_port else ""
        user = "user www-data;\n" if os.geteuid() == 0 else ""
        return f"""{user}worker_processes 1;
pid {self.work}/nginx.pid;
error_log {self.work}/error.log warn;
events {{ worker_connections 2048; }}
http {{
  access_log off;  # no addresses or paths in any log
  client_body_temp_path {temp}/body;
  proxy_temp_path {temp}/proxy;
  fastcgi_temp_path {temp}/fastcgi;
  uwsgi_temp_path {temp}/uwsgi;
  scgi_temp_path {temp}/scgi;
  # Bodies and answers stay in memory: no message text in temp files.
  client_max_body_size 64k;
  client_body_buffer_size 64k;
  proxy_buffers 64 16k;
  proxy_max_temp_file_size 0;

  # A replica that stops answering is skipped for 5 s; a message it dropped goes to another
  # replica (safe: the Redis lock store serialises a conversation, its tracker is shared).
  upstream rasa {{
    least_conn;  # the replica with the fewest turns in hand; turns differ in cost
{servers(self.rasa_ports, " max_fails=1 fail_timeout=5s")}    keepalive 64;
  }}
  # socket.io keeps its session in one process: the same client stays on the same replica.
  upstream rasa_socketio {{
    ip_hash;
{servers(self.rasa_ports)}  }}
  upstream actions {{
    least_conn;
{servers(self.action_ports, " max_fails=1 fail_timeout=5s")}    keepalive 32;
  }}
{web}
  map $http_upgrade $connection_upgrade {{
    default upgrade;
    '' close;
  }}

  server {{
    listen 127.0.0.1:{self.port};
    location /webhooks/ {{
      proxy_pass http://rasa;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_next_upstream error timeout non_idempotent;
      proxy_next_upstream_tries 3;
      proxy_read_timeout 90s;
    }}
    location /socket.io/ {{
      proxy_pass http://rasa_socketio;
      proxy_http_version 1.1;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;
      proxy_read_timeout 300s;
    }}
{web_location}  }}

  server {{
    listen 127.0.0.1:{self.action_port};
    client_max_body_size 8m;  # an action call carries the conversation's tracker
    client_body_buffer_size 8m;
    location / {{
      proxy_pass http://actions;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_next_upstream error timeout non_idempotent;
      proxy_read_timeout 60s;
    }}
  }}
}}
"""

    def start(self, timeout: float = 20) -> "NginxProxy":
        binary = ensure_installed("nginx", "nginx")
        (self.work / "temp").mkdir(parents=True, exist_ok=True)
        config = self.work / "nginx.conf"
        config.write_text(self.config())
        process = self._spawn("nginx", [binary, "-p", str(self.work), "-c", str(config), "-g", "daemon off;"])
        wait_for_port(self.port, time.monotonic() + timeout, process, "nginx")
        return self

    def stop(self, timeout: float = 10) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGQUIT)  # nginx's graceful shutdown
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                pass
        super().stop(timeout)


def postgres_binaries() -> Path:
    """The directory holding initdb and pg_ctl: on PATH, else Debian's newest version (installed if missing)."""
    on_path = shutil.which("pg_ctl")
    if on_path and shutil.which("initdb"):
        return Path(on_path).resolve().parent
    found = sorted((p for p in POSTGRES_BINARIES.glob("*/bin") if (p / "pg_ctl").exists()),
                   key=lambda p: [int(n) for n in re.findall(r"\d+", p.parent.name)] or [0])
    if not found:
        ensure_installed("psql", "postgresql")
        return postgres_binaries()
    return found[-1]


@dataclass
class PostgresServer(ForegroundServer):
    """The directory's database: a cluster of our own in `work` (kept across runs), trust on loopback only.

    PostgreSQL refuses to run as root; as root the cluster runs as the `postgres` system user.
    """

    port: int = 5433
    database: str = "hulpwijzer"

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{self.database}"

    def _as_server_user(self) -> dict[str, Any]:
        if os.geteuid() != 0:
            return {}
        account = pwd.getpwnam("postgres")
        for path in (self.work, *self.work.rglob("*")):
            os.chown(path, account.pw_uid, account.pw_gid)
        return {"user": account.pw_uid, "group": account.pw_gid, "extra_groups": [],
                "env": {**os.environ, "HOME": str(self.work), "USER": "postgres"}}

    def start(self, timeout: float = 60) -> "PostgresServer":
        binaries = postgres_binaries()
        data = self.work / "data"
        self.work.mkdir(parents=True, exist_ok=True)
        as_user = self._as_server_user()
        if not (data / "PG_VERSION").exists():
            made = subprocess.run([str(binaries / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust",
                                   "--encoding=UTF8", "--no-locale"], capture_output=True, text=True, cwd=self.work,
                                  **as_user)
            if made.returncode != 0:
                raise RuntimeError(f"initdb failed (can the postgres user reach {self.work}?): {made.stderr.strip()}")
        process = self._spawn("postgres", [str(binaries / "postgres"), "-D", str(data), "-p", str(self.port),
                                           "-c", "listen_addresses=127.0.0.1", "-k", str(self.work)],
                              cwd=self.work, **as_user)
        wait_for_port(self.port, time.monotonic() + timeout, process, "PostgreSQL")
        self._create_database()
        return self

    def stop(self, timeout: float = 30) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)  # PostgreSQL's fast shutdown (SIGTERM waits for every client)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                pass
        super().stop(timeout)

    def _create_database(self) -> None:
        import psycopg

        server = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"
        for _ in range(50):  # the port opens a moment before connections are accepted
            try:
                with psycopg.connect(server, autocommit=True) as connection:
                    if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                                              (self.database,)).fetchone():
                        connection.execute(f'CREATE DATABASE "{self.database}"')
                    return
            except psycopg.OperationalError:
                time.sleep(0.2)
        raise TimeoutError("PostgreSQL did not accept connections in time")
