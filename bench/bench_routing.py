"""Benchmark of route(): median and p95 over mixed answers against the full seeded directory.

Runs on a fresh SQLite file (migrated and seeded like production), so each call includes the
one cheap version query that lets staff edits show up without a restart. Target: median < 1 ms.
    .venv/bin/python bench/bench_routing.py [--calls 5000] [--strict]
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from helplines import TOPICS, WHERE, WHO, WISHES, Answers, open_directory, route  # noqa: E402

TARGET_MEDIAN_MS = 1.0


def mixed_answers(count: int, rng: random.Random) -> list[Answers]:
    def maybe(values):  # type: ignore[no-untyped-def]
        return rng.choice([None, *values])

    return [
        Answers(
            who=maybe(WHO), young=maybe((True, False)), danger_now=maybe((True, False)), topic=maybe(TOPICS),
            recent=maybe((True, False)), where=maybe(WHERE), wish=maybe(WISHES),
            language=rng.choice(["nl", "nl", "en", "ar", "tr", "pl", "pap"]), suicidal_thoughts=maybe((True, False)),
        )
        for _ in range(count)
    ]


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=5000)
    parser.add_argument("--strict", action="store_true", help="exit 1 when the median misses the target")
    args = parser.parse_args()
    rng = random.Random(20261122)
    start = datetime(2026, 1, 1, tzinfo=timezone.utc)
    moments = [start + timedelta(minutes=rng.randrange(0, 365 * 24 * 60)) for _ in range(args.calls)]
    answers = mixed_answers(args.calls, rng)

    with tempfile.TemporaryDirectory() as work:
        started = time.perf_counter()
        directory = open_directory(f"sqlite:///{Path(work) / 'helplines.sqlite3'}")
        cold_ms = (time.perf_counter() - started) * 1000
        services = len(directory.snapshot().services)
        for a, now in zip(answers[:200], moments[:200]):  # warm the caches (hours, locales)
            route(a, now, directory)
        timings = []
        for a, now in zip(answers, moments):
            t0 = time.perf_counter()
            route(a, now, directory)
            timings.append((time.perf_counter() - t0) * 1000)
        t0 = time.perf_counter()
        snapshot = directory.snapshot()
        for a, now in zip(answers, moments):
            route(a, now, snapshot)
        snapshot_only_ms = (time.perf_counter() - t0) * 1000 / len(answers)
        directory.dispose()

    median = statistics.median(timings)
    print(f"route(): {args.calls} calls, {services} services in the directory (SQLite, seeded)")
    print(f"  open_directory (migrate + seed): {cold_ms:.0f} ms")
    print(f"  median {median:.3f} ms   p95 {percentile(timings, 0.95):.3f} ms   max {max(timings):.3f} ms")
    print(f"  of which routing on the in-memory snapshot: {snapshot_only_ms:.3f} ms per call")
    verdict = "OK" if median < TARGET_MEDIAN_MS else "SLOWER THAN TARGET"
    print(f"  target median < {TARGET_MEDIAN_MS:.0f} ms: {verdict}")
    return 1 if args.strict and median >= TARGET_MEDIAN_MS else 0


if __name__ == "__main__":
    raise SystemExit(main())
