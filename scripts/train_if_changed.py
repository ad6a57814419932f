"""Train the Rasa model only when its inputs changed.

The fingerprint is a content hash of the config, the domain, every training-data file
and the code of our own pipeline components (their code is part of the model), so a
fresh clone (new file times, same content) does not retrain twice and an edited story
or keyword rule does. Rasa's own fingerprinting picks "the latest model" in a folder,
which breaks when a CI model and a full model live side by side.
"""
from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: Our custom NLU components and the matching they run at training and at run time.
COMPONENT_CODE = tuple(ROOT / "bot" / name for name in (
    "keyword_entities.py", "keyword_matching.py", "safety_intents.py", "intent_keywords.py",
    "unknown_words.py", "vocabulary.py"))


def fingerprint(config: Path, domain: Path, data: Path) -> str:
    digest = hashlib.sha256()
    training_data = sorted(p for p in data.rglob("*") if p.suffix in {".yml", ".yaml"})
    files = [config, domain, *training_data, *COMPONENT_CODE]
    for path in files:
        digest.update(os.path.relpath(path, ROOT).encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rasa", required=True, help="path of the rasa executable")
    parser.add_argument("--config", default="config.yml")
    parser.add_argument("--domain", default="domain.yml")
    parser.add_argument("--data", default="data")
    parser.add_argument("--out", required=True, help="model file, e.g. models/hulpwijzer.tar.gz")
    args = parser.parse_args()

    config, domain, data = ROOT / args.config, ROOT / args.domain, ROOT / args.data
    model = ROOT / args.out
    stamp = model.with_name(model.name + ".sha256")
    wanted = fingerprint(config, domain, data)
    if model.exists() and stamp.exists() and stamp.read_text().strip() == wanted:
        print(f"Model {args.out} is up to date; not training.")
        return 0

    name = model.name.removesuffix(".tar.gz")
    print(f"Training {args.out} (config {args.config}); this takes a few minutes on 2 cores.")
    started = time.monotonic()
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "PYTHONWARNINGS": "ignore::DeprecationWarning"}
    result = subprocess.run(
        [args.rasa, "train", "--config", str(config), "--domain", str(domain), "--data", str(data),
         "--out", str(model.parent), "--fixed-model-name", name, "--force"],
        cwd=ROOT, env=env,
    )
    if result.returncode != 0:
        return result.returncode
    stamp.write_text(wanted + "\n")
    print(f"Trained {args.out} in {time.monotonic() - started:.0f} s.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
