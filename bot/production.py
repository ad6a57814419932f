"""The production profile: several Rasa replicas behind nginx, sharing conversations through Redis.

`make run-prod` starts it on this machine; the same parts map one-to-one onto containers
(see README, "Production profile"). One process per replica, as one pod per replica would be:
Redis holds the trackers (deleted after 30 minutes of silence) and the conversation locks,
so any replica can answer any message and two messages of one conversation never race.
The directory lives in PostgreSQL. The embedded default (`make run`, bot/stack.py) is unchanged.
"""
from __future__ import annotations

import argparse
import os
import signal
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from bot.debian_services import NginxProxy, PostgresServer, RedisServer
from bot.stack import (APP_PYTHON, RASA_SERVER, ROOT, Stack, base_environment, ensure_port_free, free_port,
                       serve_until_stopped, wait_until_up)

PROD_ENDPOINTS = ROOT / "endpoints-prod.yml"
# A replica killed mid-turn leaves its conversation lock behind; Redis lets it lapse after this
# many seconds so the conversation continues on another replica (Rasa's default is 60).
LOCK_LIFETIME_SECONDS = 10


@dataclass
class ProductionStack(Stack):
    """Redis, (PostgreSQL,) action servers, Rasa replicas, the web chat, and nginx in front of them all.

    `web_port` is nginx's entry point (web chat, REST, socket.io); `action_port` is nginx's port
    for the action servers. Without `database_url`, a PostgreSQL cluster in `work` holds the directory.
    """

    work: Path = ROOT / "var" / "prod"
    replicas: int = 2
    action_servers: int = 2
    redis_port: int = 6380
    postgres_port: int = 5433
    database_url: Optional[str] = None
    replica_ports: list[int] = field(default_factory=list)
    action_server_ports: list[int] = field(default_factory=list)
    services: list = field(default_factory=list)
    redis: Optional[RedisServer] = None

    @property
    def rasa_url(self) -> str:
        """Through nginx: whichever replica is free answers."""
        return f"http://127.0.0.1:{self.web_port}"

    def replica_url(self, index: int) -> str:
        return f"http://127.0.0.1:{self.replica_ports[index]}"

    def _environment(self) -> dict[str, str]:
        env = base_environment(self.env)
        env.update(HULPWIJZER_DATABASE_URL=self.database_url or "", HULPWIJZER_REDIS_PORT=str(self.redis_port),
                   HULPWIJZER_ACTION_PORT=str(self.action_port))
        return env

    def _start_databases(self) -> None:
        self.redis = RedisServer(work=self.work / "redis", port=self.redis_port).start()
        self.services.append(self.redis)
        if self.database_url is None:
            postgres = PostgresServer(work=self.work / "postgres", port=self.postgres_port).start()
            self.services.append(postgres)
            self.database_url = postgres.url
        # Migrate and seed once, before several action servers open the directory at the same time.
        from helplines import open_directory

        open_directory(self.database_url)

    def _start_action_servers(self, timeout: float = 60) -> None:
        self.action_server_ports = [free_port() for _ in range(self.action_servers)]
        for index, port in enumerate(self.action_server_ports):
            self._spawn(f"actions-{index}", [str(APP_PYTHON), "-m", "rasa_sdk", "--actions", "actions",
                                            "--port", str(port)], self._environment())
        for index, port in enumerate(self.action_server_ports):
            wait_until_up(f"http://127.0.0.1:{port}/health", time.monotonic() + timeout,
                          self.processes[f"actions-{index}"], "action server")

    def start_replica(self, index: int) -> None:
        """Spawn Rasa replica `index` on its port (already chosen); does not wait for the model."""
        if not self.model.exists():
            raise FileNotFoundError(f"no trained model at {self.model}: run `make train` first")
        env = self._environment()
        env.update(PYTHONWARNINGS="ignore::DeprecationWarning", TICKET_LOCK_LIFETIME=str(LOCK_LIFETIME_SECONDS),
                   # one replica per core: TensorFlow's own thread pools would only compete with the others
                   TF_INTRA_OP_PARALLELISM_THREADS="1", TF_INTER_OP_PARALLELISM_THREADS="1", OMP_NUM_THREADS="1")
        self._spawn(f"rasa-{index}", [*RASA_SERVER, "run", "--model", str(self.model),
                                      "--endpoints", str(PROD_ENDPOINTS), "--credentials", "credentials.yml",
                                      "--interface", "127.0.0.1", "--port", str(self.replica_ports[index])], env)

    def wait_for_replica(self, index: int, timeout: float = 300) -> None:
        wait_until_up(f"{self.replica_url(index)}/", time.monotonic() + timeout, self.processes[f"rasa-{index}"],
                      f"Rasa replica {index}")

    def kill_replica(self, index: int) -> None:
        """SIGKILL, as a crash or an evicted pod: no chance to finish the turns it is working on."""
        process = self.processes[f"rasa-{index}"]
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()

    def start(self) -> "ProductionStack":
        ensure_port_free(self.web_port, "HULPWIJZER_WEB_PORT")
        ensure_port_free(self.action_port, "HULPWIJZER_ACTION_PORT")
        ensure_port_free(self.redis_port, "HULPWIJZER_REDIS_PORT")
        self.replica_ports = self.replica_ports or [free_port() for _ in range(self.replicas)]
        try:
            self._start_databases()
            self._start_action_servers()
            chat_port = free_port()
            self.services.append(NginxProxy(work=self.work / "nginx", port=self.web_port, action_port=self.action_port,
                                            rasa_ports=self.replica_ports, action_ports=self.action_server_ports,
                                            web_port=chat_port).start())
            for index in range(self.replicas):
                self.start_replica(index)
            for index in range(self.replicas):
                self.wait_for_replica(index)
            web = self._spawn("web", [str(APP_PYTHON), "-m", "bot.web", "--port", str(chat_port),
                                      "--rasa-url", self.rasa_url], self._environment())
            wait_until_up(f"http://127.0.0.1:{chat_port}/healthz", time.monotonic() + 30, web, "web chat")
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        for name in reversed(list(self.processes)):
            self.stop_one(name)
        for service in reversed(self.services):
            service.stop()
        self.services.clear()
        super().stop()


def main() -> int:
    parser = argparse.ArgumentParser(description="Run Hulpwijzer's production profile on this machine")
    parser.add_argument("--model", type=Path, default=ROOT / "models" / "hulpwijzer.tar.gz")
    parser.add_argument("--replicas", type=int, default=int(os.environ.get("HULPWIJZER_RASA_REPLICAS", 2)))
    args = parser.parse_args()
    stack = ProductionStack(
        model=args.model, replicas=args.replicas,
        web_port=int(os.environ.get("HULPWIJZER_WEB_PORT", 8080)),
        action_port=int(os.environ.get("HULPWIJZER_ACTION_PORT", 5055)),
        redis_port=int(os.environ.get("HULPWIJZER_REDIS_PORT", 6380)),
        postgres_port=int(os.environ.get("HULPWIJZER_POSTGRES_PORT", 5433)),
        database_url=os.environ.get("HULPWIJZER_DATABASE_URL") or None,
    )
    return serve_until_stopped(
        stack,
        f"Starting Redis, PostgreSQL, {stack.action_servers} action servers, {args.replicas} Rasa replicas "
        "(loading the model takes a minute or two) and nginx ...",
        f"Hulpwijzer (production profile) is running: open {stack.web_url}/ in your browser.  "
        "REST and socket.io on the same address.  Stop with Ctrl-C.",
    )

if __name__ == "__main__":
    sys.exit(main())
