"""Held-out NLU evaluation per language: `make eval-nlu`.

Splits each data/nlu/<language>.yml per intent (seeded), trains the intent part of a
config's NLU pipeline on the training parts of all languages together (the model we ship is
one multilingual model), parses every held-out example and reports precision, recall and F1
per language and intent, plus every confusion, to results/nlu/. Runs in the Rasa venv.
It does this for several seeds (one split and one model each) and pools the scores: adding ten
examples re-draws a whole split, and one split's F1 moved by up to 0.035 from that alone.

The same model also parses tests/nlu_blind/<language>.yml: messages written by someone who
had not seen the training data or the keyword lists, so they measure what a split of our
own writing cannot; tests/nlu_blind/danger/<language>.yml does the same for danger now
against stories that are not acute. Nothing there is ever trained on, and nothing is tuned to it:
their mistakes go to a file of their own (confusions-blind.tsv) that nobody tuning should read.
tests/nlu_dev/danger/<language>.yml holds earlier blind sets; they are now tuned against (a development
set) and reported as "dev danger", to show how far tuning carries to the fresh blind set.
"""
from __future__ import annotations

import argparse
import asyncio
import functools
import json
import logging
import os
import random
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import structlog  # noqa: E402
import yaml  # noqa: E402
from rasa.core.agent import Agent  # noqa: E402
from rasa.shared.nlu.training_data.loading import load_data  # noqa: E402
from rasa.shared.nlu.training_data.message import Message  # noqa: E402
from rasa.shared.nlu.training_data.training_data import TrainingData  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bot.crf_entities import StoredCRFEntityExtractor  # noqa: E402
from bot.intent_keywords import IntentKeywords  # noqa: E402
from bot.keyword_matching import lookup_tables, normalise  # noqa: E402
from bot.languages import SUPPORTED as LANGUAGES  # noqa: E402
from bot.safety_intents import SafetyIntentClassifier  # noqa: E402
DANGER = "danger_now"
BLIND = ROOT / "tests" / "nlu_blind"
DEVELOPMENT = ROOT / "tests" / "nlu_dev"


SAFETY_CLASSIFIER = f"{SafetyIntentClassifier.__module__}.{SafetyIntentClassifier.__name__}"
RULES = IntentKeywords.from_tables(
    table for path in sorted((ROOT / "data" / "nlu").glob("*_intents.yml")) for table in lookup_tables(path))
NEVER = 1.01  # above any confidence
ENTITY_ONLY = {"CRFEntityExtractor", f"{StoredCRFEntityExtractor.__module__}.{StoredCRFEntityExtractor.__name__}"}


def intent_pipeline(config: Path, out: Path) -> tuple[Path, float]:
    """The config without its entity-only components (they change no intent), and with the
    model's danger bar switched off, so every parse shows the model's own danger confidence;
    returns the bar the config sets, which with_danger_bar() applies afterwards."""
    data = yaml.safe_load(config.read_text(encoding="utf-8"))
    data["pipeline"] = [c for c in data["pipeline"] if c.get("name") not in ENTITY_ONLY
                        and not (c.get("name") == "DIETClassifier" and c.get("intent_classification") is False)]
    bar = NEVER
    for component in data["pipeline"]:
        if component.get("name") == SAFETY_CLASSIFIER:
            bar = float(component.get("danger_from", SafetyIntentClassifier.get_default_config()["danger_from"]))
            component["danger_from"] = NEVER
    out.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return out, bar


@functools.lru_cache(maxsize=None)
def distanced(text: str) -> bool:
    """RULES.distanced once per text: every split, every bar of the curve asks again."""
    return RULES.distanced(text)


def with_danger_bar(rows: list[tuple[str, str, str, float]], bar: float) -> list[tuple[str, str, str, float]]:
    """What the shipped pipeline predicts: danger wins from `bar` on, unless time cues place the
    message outside the present (bot/safety_intents.py)."""
    return [(text, gold, DANGER if danger >= bar and not distanced(text) else pred, danger)
            for text, gold, pred, danger in rows]


def split(data: TrainingData, holdout: float, seed: int) -> tuple[list[Message], list[Message]]:
    # One copy of each text: a text kept in two files (nl.yml and nl_answers.yml) could otherwise
    # be trained on and tested with at once.
    by_intent: dict[str, list[Message]] = defaultdict(list)
    seen: set[str] = set()
    for example in data.intent_examples:
        text = normalise(example.get("text")).strip()
        if text not in seen:
            seen.add(text)
            by_intent[example.get("intent")].append(example)
    rng = random.Random(seed)
    train, test = [], []
    for intent in sorted(by_intent):
        examples = by_intent[intent][:]
        rng.shuffle(examples)
        cut = max(1, round(len(examples) * holdout))
        test += examples[:cut]
        train += examples[cut:]
    return train, test


def scores(pairs: list[tuple[str, str]]) -> dict[str, dict[str, float]]:
    intents = sorted({gold for gold, _ in pairs} | {pred for _, pred in pairs})
    table = {}
    for intent in intents:
        tp = sum(1 for g, p in pairs if g == intent and p == intent)
        fp = sum(1 for g, p in pairs if g != intent and p == intent)
        fn = sum(1 for g, p in pairs if g == intent and p != intent)
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        table[intent] = {"precision": precision, "recall": recall, "f1": f1, "support": tp + fn}
    return table


def weighted_f1(table: dict[str, dict[str, float]]) -> float:
    support = sum(row["support"] for row in table.values())
    return sum(row["f1"] * row["support"] for row in table.values()) / support if support else 0.0


def danger_curve(rows: list[tuple[str, str, str, float]]) -> list[tuple[float, float, float]]:
    """Recall and precision of danger_now if it won from each confidence on: the price of
    a missed emergency is higher than that of an emergency number shown once too often."""
    curve = []
    gold_danger = sum(1 for _, gold, _, _ in rows if gold == DANGER)
    for threshold in (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8):
        said = [gold for _, gold, pred, _ in with_danger_bar(rows, threshold) if pred == DANGER]
        hits = said.count(DANGER)
        curve.append((threshold, hits / gold_danger if gold_danger else 0.0, hits / len(said) if said else 0.0))
    return curve


async def parse_all(model: Path, examples: dict[str, list[Message]]) -> dict[str, list[tuple[str, str, str, float]]]:
    """Per language: text, gold intent, predicted intent, and the model's danger_now confidence."""
    # One debug line per parsed message otherwise; the report is what matters here.
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    logging.getLogger("rasa").setLevel(logging.WARNING)
    agent = Agent.load(str(model))
    results: dict[str, list[tuple[str, str, str, float]]] = {}
    for language, messages in examples.items():
        rows = []
        for message in messages:
            parsed = await agent.parse_message(message.get("text"))
            danger = max((r["confidence"] for r in parsed.get("intent_ranking", []) if r["name"] == DANGER), default=0.0)
            rows.append((message.get("text"), message.get("intent"), parsed["intent"]["name"], danger))
        results[language] = rows
    return results


def train(config: Path, nlu: Path, work: Path) -> Path:
    model_dir = work / "model"
    subprocess.run([str(Path(sys.executable).parent / "rasa"), "train", "nlu", "--config", str(config),
                    "--nlu", str(nlu), "--out", str(model_dir), "--fixed-model-name", nlu.name, "--quiet"],
                   cwd=ROOT, check=True)
    return model_dir / f"{nlu.name}.tar.gz"


def loaded_size(model: Path) -> int:
    """Bytes of memory a Rasa process holds after loading the model and parsing one message."""
    # Resident memory now, not the peak: importing Rasa peaks higher than a small model holds.
    probe = ("import asyncio, re, sys\n"
             "from rasa.core.agent import Agent\n"
             "rss = lambda: int(re.search(r'VmRSS:\\s+(\\d+)', open('/proc/self/status').read()).group(1))\n"
             "before = rss()\n"
             "agent = Agent.load(sys.argv[1]); asyncio.run(agent.parse_message('hallo'))\n"
             "print(rss() - before)")
    result = subprocess.run([sys.executable, "-c", probe, str(model)], capture_output=True, text=True, check=True)
    return int(result.stdout.split()[-1]) * 1024


Rows = dict[str, list[tuple[str, str, str, float]]]


def evaluate(config_path: Path, holdout: float, seed: int, per_language: bool) -> tuple[Rows, dict[str, int], float]:
    """Train on one seeded split and parse the held-out part and every blind and development set:
    per set, (text, gold, model's intent, model's danger confidence); also memory per model and
    the config's danger bar."""
    # Files are named by language: nl.yml, nl_answers.yml, en.yml, ...; others (who_keywords.yml)
    # hold keyword lists for every language and go into training whole.
    files: dict[str, list[Path]] = defaultdict(list)
    shared: list[Path] = []
    for path in sorted((ROOT / "data" / "nlu").glob("*.yml")):
        language = path.stem.split("_")[0]
        (files[language] if language in LANGUAGES else shared).append(path)
    held_out: dict[str, list[Message]] = {}
    written: dict[str, list[Message]] = {}
    parsed: Rows = {}
    memory: dict[str, int] = {}
    with tempfile.TemporaryDirectory() as work:
        work = Path(work)
        config, bar = intent_pipeline(config_path, work / "config.yml")
        groups = {language: [language] for language in files} if per_language else {"all": list(files)}
        for group, languages in groups.items():
            train_dir = work / group
            train_dir.mkdir()
            for path in shared:
                (train_dir / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
            for language in languages:
                data = TrainingData().merge(*(load_data(str(p)) for p in files[language]))
                written[language] = data.intent_examples
                train_part, test = split(data, holdout, seed)
                held_out[language] = test
                # Keyword lists (lookup tables) and synonyms are part of the model, not examples to hold out.
                kept = TrainingData(train_part, entity_synonyms=data.entity_synonyms, lookup_tables=data.lookup_tables)
                (train_dir / f"{language}.yml").write_text(kept.nlu_as_yaml(), encoding="utf-8")
            model = train(config, train_dir, work)
            memory[group] = loaded_size(model)
            # Short messages ("hoi", "nee") are in the training data too; "unseen" leaves them out.
            trained = {normalise(m.get("text")).strip() for language in languages for m in written[language]}
            examples: dict[str, list[Message]] = {language: held_out[language] for language in languages}
            for language in languages:
                sets = {"blind": BLIND / f"{language}.yml", "blind danger": BLIND / "danger" / f"{language}.yml",
                        "dev danger": DEVELOPMENT / "danger" / f"{language}.yml"}
                for kind, path in sets.items():
                    if not path.exists():
                        continue
                    messages = load_data(str(path)).intent_examples
                    examples[f"{language} {kind}"] = messages
                    if kind.startswith("blind"):
                        examples[f"{language} {kind} unseen"] = [
                            m for m in messages if normalise(m.get("text")).strip() not in trained]
            parsed.update(asyncio.run(parse_all(model, examples)))
    return parsed, memory, bar


def run_seeds_in_parallel(args: argparse.Namespace) -> dict[int, Rows]:
    """One child process per seed (a model each), `--jobs` at a time: the 2-core machines halve
    the wall time with two, and each child holds one model (a few hundred MB)."""
    runs: dict[int, Rows] = {}
    pending = list(args.seeds)
    running: dict[int, subprocess.Popen] = {}
    while pending or running:
        while pending and len(running) < args.jobs:
            seed = pending.pop(0)
            command = [sys.executable, __file__, "--config", args.config, "--holdout", str(args.holdout),
                       "--seeds", str(seed), "--out", str(args.out / f"seed-{seed}")]
            # The children's own reports would repeat what the pooled one says.
            running[seed] = subprocess.Popen(command + (["--per-language"] if args.per_language else []),
                                             stdout=subprocess.DEVNULL)
        seed, child = next(iter(running.items()))
        if child.wait() != 0:
            raise SystemExit(f"the run with seed {seed} failed")
        del running[seed]
        runs[seed] = {k: [tuple(r) for r in v] for k, v in
                      json.loads((args.out / f"seed-{seed}" / "rows.json").read_text(encoding="utf-8")).items()}
    return runs


def report(out: Path, runs: dict[int, Rows], memory: dict[str, int], bar: float) -> None:
    """Scores pooled over every split (each held-out message counted once per split it was
    held out in), and the weighted F1 of each split, since one split alone swings by a few points."""
    out.mkdir(parents=True, exist_ok=True)
    seeds = sorted(runs)
    decided = {seed: {language: with_danger_bar(raw, bar) for language, raw in runs[seed].items()} for seed in seeds}
    pooled: Rows = defaultdict(list)
    for seed in seeds:
        for language, raw in runs[seed].items():
            pooled[language] += raw
    summary, lines, confusions, blind_confusions = {}, [], [], []
    lines += [f"Model{'s' if len(memory) > 1 else ''} in memory after loading: "
              + ", ".join(f"{group} {size / 2**20:.0f} MiB" for group, size in memory.items()), ""]
    for language, raw in pooled.items():
        rows = [row for seed in seeds for row in decided[seed][language]]
        table = scores([(gold, pred) for _, gold, pred, _ in rows])
        per_split = [weighted_f1(scores([(g, p) for _, g, p, _ in decided[s][language]]))
                     for s in seeds]
        summary[language] = {"weighted_f1": weighted_f1(table), "weighted_f1_per_split": dict(zip(seeds, per_split)),
                             "intents": table}
        danger = table.get(DANGER, {})
        spread = f" (splits: {', '.join(f'{f:.3f}' for f in per_split)})" if len(seeds) > 1 else ""
        lines += [f"## {language}: weighted F1 {weighted_f1(table):.3f}{spread}, {DANGER} recall "
                  f"{danger.get('recall', 0.0):.3f} precision {danger.get('precision', 0.0):.3f}, "
                  f"{len(rows) // len(seeds)} examples", "", "| intent | precision | recall | F1 | n |", "|---|---|---|---|---|"]
        lines += [f"| {i} | {r['precision']:.2f} | {r['recall']:.2f} | {r['f1']:.2f} | {r['support']} |"
                  for i, r in table.items()] + [""]
        lines += [f"If danger won whenever the model gives it at least a confidence of (config: {bar}):", ""] + [
            f"- {t:.2f}: recall {r:.3f}, precision {p:.3f}" for t, r, p in danger_curve(raw)] + [""]
        for seed in seeds:
            (blind_confusions if " blind" in language else confusions).extend(
                f"{seed}\t{language}\t{gold} -> {pred}\t{danger:.2f}\t{text}"
                for text, gold, pred, danger in decided[seed][language] if gold != pred)
    heading = ["# NLU evaluation (held-out)", "",
               f"Seeded splits: {', '.join(map(str, seeds))}; a fifth of each intent held out per split, scores pooled "
               "over the splits.", ""]
    (out / "report.json").write_text(json.dumps(summary, indent=2, ensure_ascii=False), encoding="utf-8")
    (out / "report.md").write_text("\n".join(heading + lines), encoding="utf-8")
    (out / "confusions.tsv").write_text("\n".join(confusions) + "\n", encoding="utf-8")
    (out / "confusions-blind.tsv").write_text("\n".join(blind_confusions) + "\n", encoding="utf-8")
    print("\n".join(line for line in heading + lines if line.startswith(("## ", "Model", "Seeded"))))
    print(f"\nFull report: {out / 'report.md'}; confusions: {out / 'confusions.tsv'} "
          f"(blind sets: {out / 'confusions-blind.tsv'}, not for tuning)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--config", default="config.yml")
    parser.add_argument("--holdout", type=float, default=0.2)
    parser.add_argument("--seeds", type=int, nargs="+", default=[7, 11, 23],
                        help="one split and one model per seed; the report pools them")
    parser.add_argument("--jobs", type=int, default=2, help="splits trained and parsed at once")
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--per-language", action="store_true",
                        help="train one model per language instead of one for all, to compare")
    args = parser.parse_args()
    args.out = args.out or ROOT / "results" / ("nlu-per-language" if args.per_language else "nlu")

    if len(args.seeds) == 1:
        parsed, memory, bar = evaluate(ROOT / args.config, args.holdout, args.seeds[0], args.per_language)
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "rows.json").write_text(json.dumps(parsed, ensure_ascii=False), encoding="utf-8")
        (args.out / "memory.json").write_text(json.dumps({"memory": memory, "bar": bar}), encoding="utf-8")
        report(args.out, {args.seeds[0]: parsed}, memory, bar)
        return 0
    runs = run_seeds_in_parallel(args)
    first = json.loads((args.out / f"seed-{args.seeds[0]}" / "memory.json").read_text(encoding="utf-8"))
    report(args.out, runs, first["memory"], first["bar"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
