"""Starts the whole assistant on this machine: action server, Rasa server and web chat.

Used by `make run`, by the end-to-end tests and by the benchmark, so all three start
the stack the same way: loopback only, telemetry off, ports from the environment.
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Optional

ROOT = Path(__file__).resolve().parent.parent
APP_PYTHON = ROOT / ".venv" / "bin" / "python"
RASA_PYTHON = ROOT / ".venv-rasa" / "bin" / "python"
RASA = ROOT / ".venv-rasa" / "bin" / "rasa"
# What serves the bot: Rasa's command line, with what people wrote kept out of its log.
RASA_SERVER = [str(RASA_PYTHON), "-m", "bot.rasa_main"]
DEFAULT_MODEL = ROOT / "models" / "hulpwijzer.tar.gz"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def base_environment(extra: Optional[dict[str, str]] = None) -> dict[str, str]:
    """Every process of the stack gets these: no telemetry, no outbound calls, loopback."""
    env = {**os.environ, **(extra or {})}
    env.update(
        RASA_TELEMETRY_ENABLED="false",
        SANIC_HOST="127.0.0.1",
        TF_CPP_MIN_LOG_LEVEL="2",
        PYTHONUNBUFFERED="1",
        PYTHONPATH=str(ROOT),
    )
    env.setdefault("HULPWIJZER_TRACKER_IDLE_MINUTES", "30")
    return env


def ensure_port_free(port: int, variable: str) -> None:
    """A server already on the port would answer our readiness checks in place of the new one."""
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            raise RuntimeError(f"port {port} is in use: is Hulpwijzer already running? "
                               f"Stop it, or choose another port with {variable}=...") from None


def post_json(url: str, payload: dict[str, Any], timeout: float = 30) -> Any:
    """POST a JSON body to one of the stack's servers and return the decoded answer."""
    request = urllib.request.Request(url, data=json.dumps(payload).encode(),
                                     headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.load(response)


def wait_until_up(url: str, deadline: float, process: subprocess.Popen, name: str) -> None:
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} stopped during start-up (exit code {process.returncode})")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"{name} did not answer at {url} in time")


def wait_for_port(port: int, deadline: float, process: subprocess.Popen, name: str) -> None:
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} stopped during start-up (exit code {process.returncode})")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.3)
    raise TimeoutError(f"{name} did not listen on port {port} in time")


@dataclass
class Stack:
    """The three processes, on the given loopback ports."""

    model: Path = DEFAULT_MODEL
    rasa_port: int = 5005
    action_port: int = 5055
    web_port: int = 8080
    log_dir: Optional[Path] = None
    env: dict[str, str] = field(default_factory=dict)
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    _logs: list[IO[bytes]] = field(default_factory=list)

    @property
    def web_url(self) -> str:
        return f"http://127.0.0.1:{self.web_port}"

    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    @property
    def action_url(self) -> str:
        return f"http://127.0.0.1:{self.action_port}"

    def _spawn(self, name: str, command: list[str], env: dict[str, str]) -> subprocess.Popen:
        output: Optional[IO[bytes]] = None
        if self.log_dir is not None:
            self.log_dir.mkdir(parents=True, exist_ok=True)
            output = open(self.log_dir / f"{name}.log", "ab")
            self._logs.append(output)
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT
                                   if output else None, start_new_session=True)
        self.processes[name] = process
        return process

    def start_actions(self, timeout: float = 60) -> None:
        env = base_environment(self.env)
        process = self._spawn("actions", [str(APP_PYTHON), "-m", "rasa_sdk", "--actions", "actions",
                                          "--port", str(self.action_port)], env)
        wait_until_up(f"{self.action_url}/health", time.monotonic() + timeout, process, "action server")

    def start_rasa(self, timeout: float = 240) -> None:
        if not self.model.exists():
            raise FileNotFoundError(f"no trained model at {self.model}: run `make train` first")
        env = base_environment(self.env)
        env["HULPWIJZER_ACTION_PORT"] = str(self.action_port)
        env["PYTHONWARNINGS"] = "ignore::DeprecationWarning"  # Rasa 3.6 dependencies warn by the page
        process = self._spawn("rasa", [*RASA_SERVER, "run", "--model", str(self.model),
                                       "--endpoints", "endpoints.yml", "--credentials", "credentials.yml",
                                       "--interface", "127.0.0.1", "--port", str(self.rasa_port)], env)
        wait_until_up(f"{self.rasa_url}/", time.monotonic() + timeout, process, "Rasa server")

    def start_web(self, timeout: float = 30) -> None:
        process = self._spawn("web", [str(APP_PYTHON), "-m", "bot.web", "--port", str(self.web_port),
                                      "--rasa-url", self.rasa_url], base_environment(self.env))
        wait_until_up(f"{self.web_url}/healthz", time.monotonic() + timeout, process, "web chat")

    def start_telegram(self, timeout: float = 60) -> None:
        """Only when TELEGRAM_BOT_TOKEN is set; otherwise the Telegram channel stays off."""
        env = base_environment(self.env)
        if not env.get("TELEGRAM_BOT_TOKEN"):
            return
        env["HULPWIJZER_RASA_URL"] = self.rasa_url
        process = self._spawn("telegram", [str(APP_PYTHON), "-m", "bot.telegram_bridge"], env)
        if env.get("TELEGRAM_WEBHOOK_URL"):
            port = int(env.get("TELEGRAM_WEBHOOK_PORT", "8443"))
            wait_for_port(port, time.monotonic() + timeout, process, "Telegram bridge")

    def start_whatsapp(self, timeout: float = 30) -> None:
        """Only when the WhatsApp settings are there; otherwise the WhatsApp channel stays off."""
        env = base_environment(self.env)
        if not env.get("WHATSAPP_ACCESS_TOKEN"):
            return
        env["HULPWIJZER_RASA_URL"] = self.rasa_url
        process = self._spawn("whatsapp", [str(APP_PYTHON), "-m", "bot.whatsapp_bridge"], env)
        port = int(env.get("WHATSAPP_PORT", "8081"))
        wait_until_up(f"http://127.0.0.1:{port}/healthz", time.monotonic() + timeout, process, "WhatsApp bridge")

    def start(self) -> "Stack":
        ensure_port_free(self.action_port, "HULPWIJZER_ACTION_PORT")
        ensure_port_free(self.rasa_port, "HULPWIJZER_RASA_PORT")
        ensure_port_free(self.web_port, "HULPWIJZER_WEB_PORT")
        try:
            self.start_actions()
            self.start_rasa()
            self.start_web()
            self.start_telegram()
            self.start_whatsapp()
        except BaseException:
            self.stop()
            raise
        return self

    def stop_one(self, name: str, timeout: float = 15) -> None:
        process = self.processes.pop(name, None)
        if process is None or process.poll() is not None:
            return
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()

    def stop(self) -> None:
        for name in ["whatsapp", "telegram", "web", "rasa", "actions"]:
            self.stop_one(name)
        for log in self._logs:
            log.close()
        self._logs.clear()

    def __enter__(self) -> "Stack":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description="Run the Hulpwijzer assistant and its web chat")
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL)
    args = parser.parse_args()
    stack = Stack(
        model=args.model,
        rasa_port=int(os.environ.get("HULPWIJZER_RASA_PORT", 5005)),
        action_port=int(os.environ.get("HULPWIJZER_ACTION_PORT", 5055)),
        web_port=int(os.environ.get("HULPWIJZER_WEB_PORT", 8080)),
    )
    return serve_until_stopped(
        stack,
        "Starting the action server, the Rasa server (loading the model takes about a minute) and the web chat ...",
        f"Hulpwijzer is running: open {stack.web_url}/ in your browser.  Stop with Ctrl-C.",
    )


def serve_until_stopped(stack: Any, starting: str, running: str) -> int:
    """Start `stack`, say where it runs, and stop every process on Ctrl-C, SIGTERM or a crash.

    A shell that starts us in the background leaves SIGINT ignored, so the handler is
    installed explicitly; a supervisor's SIGTERM must stop the servers too.
    """
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print(starting, flush=True)
    try:
        stack.start()
    except KeyboardInterrupt:
        return 0
    except (RuntimeError, TimeoutError, FileNotFoundError) as error:
        print(f"Hulpwijzer did not start: {error}", file=sys.stderr)
        return 1
    print(f"\n  {running}\n", flush=True)
    if "telegram" in stack.processes:
        print("  The Telegram channel is running too (TELEGRAM_BOT_TOKEN is set).\n", flush=True)
    if "whatsapp" in stack.processes:
        print("  The WhatsApp channel is running too (WHATSAPP_* settings are set).\n", flush=True)
    try:
        while all(p.poll() is None for p in stack.processes.values()):
            time.sleep(1)
        stopped = [name for name, p in stack.processes.items() if p.poll() is not None]
        print(f"Stopped unexpectedly: {', '.join(stopped)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        stack.stop()

if __name__ == "__main__":
    sys.exit(main())
