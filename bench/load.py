"""`make load`: simulated people chat over REST at once, against real servers on loopback.

Three set-ups, one after the other, on the same machine in the same run: the stock Rasa 3.6
starter bot (`rasa init`, trained once into var/stock-bot), Hulpwijzer's embedded default
(bot/stack.py) and its production profile (bot/production.py: replicas behind nginx, Redis).
Each scenario runs for a fixed time and stops by itself:

- capacity: 20 people who send their next message as soon as the answer is there;
- think:    30 people who read for 3 s before each next message (a busy evening);
- kill:     the capacity load on the production profile, with one Rasa replica killed
            (SIGKILL) halfway: every message must still get exactly one answer.

Per turn: p50/p95/p99 latency, errors, turns/s. Results go to results/load/ (JSON and a table).
"""
from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import uuid
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, Iterator, Optional

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bot.production import ProductionStack  # noqa: E402
from bot.stack import RASA, ROOT, Stack, base_environment, free_port, post_json, wait_until_up  # noqa: E402

# A whole Hulpwijzer conversation, free text as people type it, ending in a referral.
HULPWIJZER_SCRIPT = ["hoi", "ik maak me zorgen om mijn zus", "nee", "weet ik niet", "weet ik niet", "weet ik niet"]
# The starter bot's own stories: greet, mood, the picture, goodbye.
STOCK_SCRIPT = ["hello", "I am sad", "no", "goodbye"]
STOCK_DIR = ROOT / "var" / "stock-bot"
RESULTS = ROOT / "results" / "load"


@dataclass
class Scenario:
    name: str
    people: int
    think_seconds: float
    kill_replica: bool = False


SCENARIOS = {
    "capacity": Scenario("capacity: 20 people back-to-back", 20, 0.0),
    "think": Scenario("think: 30 people, 3 s think", 30, 3.0),
    "kill": Scenario("kill: 20 back-to-back, one replica killed halfway", 20, 0.0, kill_replica=True),
}


@dataclass
class Outcome:
    """What one scenario measured on one set-up."""

    setup: str
    scenario: str
    seconds: float
    turns: int
    errors: int
    turns_per_second: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    conversations: int
    lost: Optional[int] = None
    answered_twice: Optional[int] = None
    error_kinds: dict[str, int] = field(default_factory=dict)


class Recorder:
    """Thread-safe per-turn latencies, errors and how many turns each conversation got answered."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latencies: list[float] = []
        self.errors: Counter[str] = Counter()
        self.answered: Counter[str] = Counter()
        self.last_answer = 0.0

    def turn(self, url: str, sender: str, message: str) -> None:
        started = time.perf_counter()
        try:
            replies = post_json(url, {"sender": sender, "message": message}, timeout=120)
            error = None if replies else "empty answer"
        except urllib.error.HTTPError as failure:
            error = f"HTTP {failure.code}"
        except OSError as failure:
            error = type(failure).__name__
        elapsed = time.perf_counter() - started
        with self.lock:
            if error:
                self.errors[error] += 1
            else:
                self.latencies.append(elapsed * 1000)
                self.answered[sender] += 1
            self.last_answer = time.monotonic()


def person(url: str, script: list[str], think: float, deadline: float, record: Recorder) -> None:
    """One simulated person: whole conversations, each with a new random id, until the time is up."""
    time.sleep(random.uniform(0, think))  # people do not all start in the same second
    while time.monotonic() < deadline:
        sender = uuid.uuid4().hex
        for message in script:
            if time.monotonic() >= deadline:
                return
            record.turn(url, sender, message)
            if think:
                time.sleep(think)


def percentile(values: list[float], q: int) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def drive(setup: str, url: str, script: list[str], scenario: Scenario, seconds: float,
          halfway: Optional[Callable[[], None]] = None) -> tuple[Outcome, Recorder]:
    record = Recorder()
    started = time.monotonic()
    deadline = started + seconds
    people = [threading.Thread(target=person, args=(url, script, scenario.think_seconds, deadline, record),
                               daemon=True) for _ in range(scenario.people)]
    for one in people:
        one.start()
    if halfway is not None:
        time.sleep(seconds / 2)
        halfway()
    for one in people:
        one.join()
    elapsed = max(record.last_answer, deadline) - started
    times = record.latencies
    outcome = Outcome(setup=setup, scenario=scenario.name, seconds=round(elapsed, 1), turns=len(times),
                      errors=sum(record.errors.values()), turns_per_second=round(len(times) / elapsed, 1),
                      p50_ms=round(percentile(times, 50)), p95_ms=round(percentile(times, 95)),
                      p99_ms=round(percentile(times, 99)), conversations=len(record.answered),
                      error_kinds=dict(record.errors))
    return outcome, record


def warm_up(url: str, script: list[str]) -> None:
    """First turns load lazily (action server, directory snapshot): not part of the figures."""
    sender = uuid.uuid4().hex
    for message in script:
        post_json(url, {"sender": sender, "message": message}, timeout=300)


def stock_model(directory: Path = STOCK_DIR) -> Path:
    """The `rasa init` starter bot, created and trained once, then reused from `directory`."""
    models = sorted((directory / "models").glob("*.tar.gz")) if directory.exists() else []
    if not models:
        print(f"creating and training the stock Rasa starter bot in {directory} (once) ...", flush=True)
        directory.mkdir(parents=True, exist_ok=True)
        # `rasa init` writes the project and trains it; an interrupted one is trained as it stands.
        command = (["train", "--out", "models"] if (directory / "config.yml").exists()
                   else ["init", "--no-prompt", "--init-dir", str(directory)])
        subprocess.run(["nice", "-n", "10", str(RASA), *command], cwd=directory,
                       env=base_environment({"PYTHONWARNINGS": "ignore"}), check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
        models = sorted((directory / "models").glob("*.tar.gz"))
    return models[-1]


class StockBot:
    """`rasa run` of the starter bot, as its tutorial has it (no action server: it has no custom actions)."""

    def __init__(self, model: Path, log: Path) -> None:
        self.model, self.log, self.port = model, log, free_port()
        self.process: Optional[subprocess.Popen] = None

    def __enter__(self) -> "StockBot":
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("ab") as output:
            self.process = subprocess.Popen([str(RASA), "run", "--model", str(self.model), "--interface", "127.0.0.1",
                                             "--port", str(self.port)], cwd=self.model.parent.parent,
                                            env=base_environment({"PYTHONWARNINGS": "ignore"}), stdout=output,
                                            stderr=subprocess.STDOUT, start_new_session=True)
        wait_until_up(f"http://127.0.0.1:{self.port}/", time.monotonic() + 300, self.process, "stock Rasa bot")
        return self

    def __exit__(self, *exc: object) -> None:
        assert self.process is not None
        self.process.terminate()
        self.process.wait(30)


def conversations_in_redis(stack: ProductionStack, senders: list[str]) -> dict[str, int]:
    """How many user messages each conversation's tracker holds (one per answered turn, if none was doubled)."""
    assert stack.redis is not None
    counts = {}
    for sender in senders:
        stored = stack.redis.command("GET", f"hulpwijzer:tracker:{sender}").strip()
        events = json.loads(stored)["events"] if stored else []
        counts[sender] = sum(1 for event in events if event["event"] == "user")
    return counts


def hulpwijzer_runs(setup: str, url: str, scenarios: list[Scenario], seconds: float) -> Iterator[Outcome]:
    warm_up(url, HULPWIJZER_SCRIPT)
    for scenario in scenarios:
        if not scenario.kill_replica:
            yield drive(setup, url, HULPWIJZER_SCRIPT, scenario, seconds)[0]


def run(args: argparse.Namespace) -> list[Outcome]:
    chosen = [SCENARIOS[name] for name in args.scenarios]
    work = Path(tempfile.mkdtemp(prefix="hulpwijzer-load-"))
    work.chmod(0o755)  # PostgreSQL runs as its own system user when we are root
    try:
        return measure_all(args, chosen, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def measure_all(args: argparse.Namespace, chosen: list[Scenario], work: Path) -> list[Outcome]:
    outcomes: list[Outcome] = []

    def report(outcome: Outcome) -> None:
        outcomes.append(outcome)
        extra = (f", lost {outcome.lost}, answered twice {outcome.answered_twice}"
                 if outcome.lost is not None else "")
        print(f"  {outcome.setup:<11} {outcome.scenario:<52} {outcome.turns:>5} turns  "
              f"p50 {outcome.p50_ms:>5.0f}  p95 {outcome.p95_ms:>5.0f}  p99 {outcome.p99_ms:>5.0f} ms  "
              f"{outcome.turns_per_second:>5.1f} turns/s  errors {outcome.errors}{extra}", flush=True)

    if "stock" in args.setups:
        print("stock Rasa 3.6 starter bot (one `rasa run`) ...", flush=True)
        with StockBot(stock_model(args.stock_dir), work / "stock.log") as bot:
            url = f"http://127.0.0.1:{bot.port}/webhooks/rest/webhook"
            warm_up(url, STOCK_SCRIPT)
            for scenario in chosen:
                if not scenario.kill_replica:
                    report(drive("stock", url, STOCK_SCRIPT, scenario, args.seconds)[0])

    if "embedded" in args.setups:
        print("Hulpwijzer, embedded default (make run) ...", flush=True)
        stack = Stack(model=args.model, rasa_port=free_port(), action_port=free_port(), web_port=free_port(),
                      log_dir=work / "embedded", env={"HULPWIJZER_DATABASE_URL":
                                                      f"sqlite:///{work / 'helplines.sqlite3'}"})
        with stack:
            for outcome in hulpwijzer_runs("embedded", f"{stack.rasa_url}/webhooks/rest/webhook", chosen, args.seconds):
                report(outcome)

    if "production" in args.setups:
        print(f"Hulpwijzer, production profile ({args.replicas} replicas behind nginx, Redis, PostgreSQL) ...",
              flush=True)
        prod = ProductionStack(model=args.model, work=work / "production", log_dir=work / "production-logs",
                               replicas=args.replicas,
                               web_port=free_port(), action_port=free_port(), redis_port=free_port(),
                               postgres_port=free_port())
        with prod:
            url = f"{prod.rasa_url}/webhooks/rest/webhook"
            for index in range(prod.replicas):  # each replica's first turns, directly
                warm_up(f"{prod.replica_url(index)}/webhooks/rest/webhook", HULPWIJZER_SCRIPT)
            for outcome in hulpwijzer_runs("production", url, chosen, args.seconds):
                report(outcome)
            for scenario in (s for s in chosen if s.kill_replica):
                outcome, record = drive("production", url, HULPWIJZER_SCRIPT, scenario, args.seconds,
                                        halfway=lambda: prod.kill_replica(0))
                stored = conversations_in_redis(prod, list(record.answered))
                outcome.lost = outcome.errors + sum(max(0, record.answered[s] - n) for s, n in stored.items())
                outcome.answered_twice = sum(max(0, n - record.answered[s]) for s, n in stored.items())
                report(outcome)
    return outcomes


def table(outcomes: list[Outcome]) -> str:
    lines = ["| set-up | scenario | turns | p50 ms | p95 ms | p99 ms | turns/s | errors | lost | answered twice |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for o in outcomes:
        lines.append(f"| {o.setup} | {o.scenario} | {o.turns} | {o.p50_ms:.0f} | {o.p95_ms:.0f} | {o.p99_ms:.0f} | "
                     f"{o.turns_per_second} | {o.errors} | {'' if o.lost is None else o.lost} | "
                     f"{'' if o.answered_twice is None else o.answered_twice} |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", type=Path, default=ROOT / "models" / "hulpwijzer.tar.gz")
    parser.add_argument("--seconds", type=float, default=60, help="length of each scenario")
    parser.add_argument("--replicas", type=int, default=2)
    parser.add_argument("--setups", nargs="+", default=["stock", "embedded", "production"],
                        choices=["stock", "embedded", "production"])
    parser.add_argument("--scenarios", nargs="+", default=list(SCENARIOS), choices=list(SCENARIOS))
    parser.add_argument("--stock-dir", type=Path, default=STOCK_DIR)
    args = parser.parse_args()
    print(f"load test: {args.seconds:.0f} s per scenario, loopback only", flush=True)
    outcomes = run(args)  # the servers' logs (Rasa logs a message that timed out) go with their temp dir
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    (RESULTS / f"load-{stamp}.json").write_text(json.dumps([asdict(o) for o in outcomes], indent=2))
    (RESULTS / f"load-{stamp}.md").write_text(table(outcomes) + "\n")
    print("\n" + table(outcomes))
    print(f"\nresults: {RESULTS / f'load-{stamp}.json'} and .md")
    failed = [o for o in outcomes if o.errors or o.lost or o.answered_twice]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
