"""Benchmark of the whole stack: training time, cold start, per-turn latency, peak memory.

Loopback only, bounded in count and time. Compare with the stock Rasa 3.6 starter bot on
this machine kind (2 cores) over REST: p50 ~53 ms, p95 ~70 ms sequential, 1.1 GB RSS,
~50 s model load.
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bot.stack import RASA, ROOT, Stack, base_environment, free_port, post_json  # noqa: E402

SCRIPT = ["hoi", '/inform{"who":"victim"}', "ben je een mens?", "hij staat voor de deur", "opnieuw"]


class PeakMemory:
    """Samples the summed RSS of every process of the stack (children included)."""

    def __init__(self, stack: Stack) -> None:
        self.stack, self.peak, self._stop = stack, 0, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            total = 0
            for process in self.stack.processes.values():
                try:
                    root = psutil.Process(process.pid)
                    total += sum(p.memory_info().rss for p in [root, *root.children(recursive=True)])
                except psutil.NoSuchProcess:
                    pass
            self.peak = max(self.peak, total)
            self._stop.wait(0.2)

    def __enter__(self) -> "PeakMemory":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def conversation(rasa_url: str, rounds: int) -> list[float]:
    sender, timings = uuid.uuid4().hex, []
    for _ in range(rounds):
        for message in SCRIPT:
            started = time.perf_counter()
            post_json(f"{rasa_url}/webhooks/rest/webhook", {"sender": sender, "message": message})
            timings.append((time.perf_counter() - started) * 1000)
    return timings


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def measure(rasa_url: str, sessions: int, rounds: int) -> str:
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=sessions) as pool:
        timings = [t for ts in pool.map(lambda _: conversation(rasa_url, rounds), range(sessions)) for t in ts]
    elapsed = time.perf_counter() - started
    return (f"{sessions:>2} concurrent sessions: {len(timings)} turns, p50 {percentile(timings, 50):.0f} ms, "
            f"p95 {percentile(timings, 95):.0f} ms, {len(timings) / elapsed:.1f} turns/s")


def training_seconds() -> float:
    with tempfile.TemporaryDirectory() as out:
        started = time.monotonic()
        subprocess.run([str(RASA), "train", "--config", "config.yml", "--out", out, "--force", "--quiet"],
                       cwd=ROOT, env=base_environment(), check=True, capture_output=True)
        return time.monotonic() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", type=Path, default=ROOT / "models/hulpwijzer.tar.gz")
    parser.add_argument("--rounds", type=int, default=4, help="scripted conversations per session")
    parser.add_argument("--skip-training", action="store_true")
    args = parser.parse_args()

    if not args.skip_training:
        print(f"training (config.yml, from scratch): {training_seconds():.0f} s", flush=True)
    with tempfile.TemporaryDirectory() as work:
        stack = Stack(model=args.model, rasa_port=free_port(), action_port=free_port(), web_port=free_port(),
                      log_dir=Path(work) / "logs",
                      env={"HULPWIJZER_DATABASE_URL": f"sqlite:///{Path(work) / 'helplines.sqlite3'}"})
        with PeakMemory(stack) as memory:
            started = time.monotonic()
            with stack:
                post_json(f"{stack.rasa_url}/webhooks/rest/webhook", {"sender": uuid.uuid4().hex, "message": "hoi"})
                print(f"cold start to first reply: {time.monotonic() - started:.1f} s", flush=True)
                conversation(stack.rasa_url, 1)  # warm-up: first action call, directory snapshot
                print(measure(stack.rasa_url, 1, args.rounds * 5), flush=True)
                print(measure(stack.rasa_url, 20, args.rounds), flush=True)
        print(f"peak memory of the whole stack (RSS): {memory.peak / 2**20:.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
