"""`make run` trains only when what the model is made of changed, so a restart starts at once."""
from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from bot.stack import ROOT

SCRIPT = ROOT / "scripts" / "train_if_changed.py"

# Stands in for `rasa train`: records the call and writes the model file it was asked for.
RECORDING_TRAINER = """#!/bin/sh
echo "$@" >> "{calls}"
while [ $# -gt 0 ]; do
  case "$1" in --out) out="$2"; shift;; --fixed-model-name) name="$2"; shift;; esac
  shift
done
mkdir -p "$out" && echo model > "$out/$name.tar.gz"
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "data" / "nlu").mkdir(parents=True)
    (tmp_path / "config.yml").write_text("pipeline: []\n")
    (tmp_path / "domain.yml").write_text("intents: [greet]\n")
    (tmp_path / "data" / "nlu" / "nl.yml").write_text("nlu:\n- intent: greet\n  examples: |\n    - hoi\n")
    trainer = tmp_path / "rasa"
    trainer.write_text(RECORDING_TRAINER.format(calls=tmp_path / "calls.log"))
    trainer.chmod(trainer.stat().st_mode | stat.S_IEXEC)
    return tmp_path


def train(project: Path) -> int:
    """Run the script as `make run` does; return how many times it has trained so far."""
    subprocess.run(
        [sys.executable, str(SCRIPT), "--rasa", str(project / "rasa"), "--config", str(project / "config.yml"),
         "--domain", str(project / "domain.yml"), "--data", str(project / "data"),
         "--out", str(project / "models" / "hulpwijzer.tar.gz")],
        check=True, capture_output=True,
    )
    calls = project / "calls.log"
    return len(calls.read_text().splitlines()) if calls.exists() else 0


def test_a_second_start_with_the_same_data_does_not_retrain(project: Path) -> None:
    assert train(project) == 1
    assert (project / "models" / "hulpwijzer.tar.gz").exists()
    assert train(project) == 1


def test_new_file_times_alone_do_not_retrain(project: Path) -> None:
    """A fresh clone has new file times and the same content."""
    train(project)
    for path in project.rglob("*.yml"):
        os.utime(path, (1, 1))
    assert train(project) == 1


@pytest.mark.parametrize("changed", ["data/nlu/nl.yml", "domain.yml", "config.yml"])
def test_a_change_to_data_domain_or_config_retrains(project: Path, changed: str) -> None:
    train(project)
    with (project / changed).open("a") as file:
        file.write("# edited\n")
    assert train(project) == 2


def test_a_lost_model_is_trained_again(project: Path) -> None:
    train(project)
    (project / "models" / "hulpwijzer.tar.gz").unlink()
    assert train(project) == 2
