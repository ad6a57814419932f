# Hulpwijzer: the single entry point. `make run` to chat, `make test` to check everything.
SHELL := /bin/bash
.DEFAULT_GOAL := help

APP_VENV  := .venv
RASA_VENV := .venv-rasa
APP_PY    := $(APP_VENV)/bin/python
# Rasa 3.6 and its libraries print pages of deprecation warnings; they hide real messages.
RASA      := PYTHONWARNINGS=ignore::DeprecationWarning SQLALCHEMY_SILENCE_UBER_WARNING=1 $(RASA_VENV)/bin/rasa
MODEL     := models/hulpwijzer.tar.gz

# No call leaves the machine at run time: Rasa telemetry is off on every path.
export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2
export PYTHONPATH := $(CURDIR)

.PHONY: help install lock train run staff validate test bench clean browser-deps \
        translations translations-extract translations-update eval-nlu eval-nlu-per-language eval-free-text postgres-deps \
        run-prod load prod-deps

help:
	@echo "make run    install what is missing, train when the data changed, start the chat"
	@echo "make staff  start the staff web app on http://127.0.0.1:8090 (this machine only)"
	@echo "make test   validate the data, train the model (when the data changed), run every test"
	@echo "make eval-nlu  held-out NLU scores per language and intent (results/nlu/)"
	@echo "make eval-nlu-per-language  the same with one model per language, to compare"
	@echo "make eval-free-text  unseen free-text messages per topic and language, end to end"
	@echo "make bench  training time, cold start, per-turn latency, memory, routing speed"
	@echo "make run-prod  production profile: Rasa replicas behind nginx, Redis, PostgreSQL (loopback)"
	@echo "make load   simulated people at once: stock starter bot, embedded default, production profile"

install: $(APP_VENV)/.installed $(RASA_VENV)/.installed

# Our code: Python 3.11, current libraries.
$(APP_VENV)/.installed: requirements/app.lock
	@test -x $(APP_PY) || "$$(scripts/find_python.sh 3.11)" -m venv $(APP_VENV)
	$(APP_PY) -m pip install --quiet --upgrade pip
	$(APP_PY) -m pip install --quiet -r requirements/app.lock
	@touch $@

# The Rasa engine: Python 3.10 (Rasa 3.6 supports 3.8-3.10 only).
$(RASA_VENV)/.installed: requirements/rasa.lock
	@test -x $(RASA_VENV)/bin/python || "$$(scripts/find_python.sh 3.10)" -m venv $(RASA_VENV)
	$(RASA_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(RASA_VENV)/bin/python -m pip install --quiet -r requirements/rasa.lock
	@touch $@

# Re-resolve the pinned versions from the *.in files (needs the network to PyPI).
lock: install
	$(APP_PY) -m pip install --quiet -r requirements/app.in
	$(APP_PY) -m pip freeze --exclude-editable > requirements/app.lock
	$(RASA_VENV)/bin/python -m pip install --quiet -r requirements/rasa.in
	$(RASA_VENV)/bin/python -m pip freeze --exclude-editable > requirements/rasa.lock

# Translations (gettext, managed with Babel). Dutch is the source language: msgids are the
# Dutch texts in helplines/, actions/, bot/ and domain.yml. Translators edit locale/*/*.po.
translations-extract: install
	$(APP_VENV)/bin/pybabel extract -F babel.cfg --no-location --add-comments=Translators: --sort-output \
	  --project=Hulpwijzer --copyright-holder=Hulpwijzer -o locale/hulpwijzer.pot .

translations-update: translations-extract
	$(APP_VENV)/bin/pybabel update -i locale/hulpwijzer.pot -d locale -D hulpwijzer --no-wrap

# Compiled catalogs (.mo) are build output; both the action server and Rasa's NLG read them.
translations: install
	$(APP_VENV)/bin/pybabel compile -d locale -D hulpwijzer --statistics

train: install
	$(APP_PY) scripts/train_if_changed.py --rasa $(RASA_VENV)/bin/rasa --config config.yml --out $(MODEL)

run: train translations
	$(APP_PY) -m bot.stack --model $(MODEL)

# Production profile (bot/production.py): Rasa replicas behind nginx, trackers and locks in
# Redis, the directory in PostgreSQL; all from Debian's packages, on loopback.
run-prod: train translations prod-deps postgres-deps
	$(APP_PY) -m bot.production --model $(MODEL)

# The staff web app (accounts: `python -m helplines create-user`); same database as the bot.
staff: install translations
	$(APP_PY) -m staff

validate: install
	$(RASA) data validate --domain domain.yml --data data --config config.yml --fail-on-warnings

# Browser tests use Debian's Chromium (no browser download) and axe-core from npm.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
browser-deps:
	@test -x /usr/bin/chromium || { echo "Installing Debian's chromium for the browser tests ..."; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium; }
	@test -f tests/browser/node_modules/axe-core/axe.min.js || \
	  npm ci --prefix tests/browser --no-audit --no-fund --loglevel=error

# Directory tests also run on PostgreSQL (production's database): a private throwaway server
# per test run (tests/postgres_server.py) from Debian's packages, which keep it in /usr/lib/postgresql.
postgres-deps:
	@ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || command -v pg_ctl >/dev/null || { \
	  echo "Installing Debian's postgresql for the database tests ..."; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq postgresql; }

# Rasa test stories first, then pytest (unit and end-to-end against the real stack).
# `pytest -m "not stack"` skips the end-to-end tests for a quick check.
# The production profile's servers: Redis (trackers, locks) and nginx (the one entry point).
prod-deps:
	@command -v redis-server >/dev/null && { command -v nginx >/dev/null || test -x /usr/sbin/nginx; } || { \
	  echo "Installing Debian's redis-server and nginx for the production profile ..."; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq redis-server nginx; }

test: validate train translations browser-deps postgres-deps prod-deps
	$(RASA) test core --model $(MODEL) --stories tests/stories --out results/stories --fail-on-prediction-errors
	HULPWIJZER_TEST_MODEL=$(MODEL) HULPWIJZER_REQUIRE_POSTGRES=1 $(APP_PY) -m pytest -q tests

# Only the unseen free-text first messages, every topic in every language, end to end
# (make test runs them too).
eval-free-text: train translations
	HULPWIJZER_TEST_MODEL=$(MODEL) $(APP_PY) -m pytest -q -m nlu_quality -rf tests/test_free_text_e2e.py

# Per-language, per-intent precision/recall/F1 on held-out examples -> results/nlu/.
eval-nlu: install
	PYTHONWARNINGS=ignore::DeprecationWarning SQLALCHEMY_SILENCE_UBER_WARNING=1 \
	  $(RASA_VENV)/bin/python scripts/eval_nlu.py --config config.yml

eval-nlu-per-language: install
	PYTHONWARNINGS=ignore::DeprecationWarning SQLALCHEMY_SILENCE_UBER_WARNING=1 \
	  $(RASA_VENV)/bin/python scripts/eval_nlu.py --config config.yml --per-language

bench: train
	$(APP_PY) bench/bench_routing.py
	$(APP_PY) bench/bench_stack.py --model $(MODEL)

# Bounded load test (a few minutes per set-up) -> results/load/; trains the stock starter bot once.
load: train translations prod-deps postgres-deps
	$(APP_PY) bench/load.py --model $(MODEL)

clean:
	rm -rf results .pytest_cache var/*.sqlite3
