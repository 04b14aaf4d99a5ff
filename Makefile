# CivicLadder: `make run` sets up and serves the app; `make test` sets up and runs every check.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := wsgi
# Compiled modules are kept (__pycache__, ignored by git) even where the shell asks otherwise: the
# tests start many app processes (servers, workers), and each would compile the app again.
unexport PYTHONDONTWRITEBYTECODE
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run setup lock translations test test-sqlite test-browser test-postgres lint fmt migrate seed assets clean bench shape

# Installs come from requirements.lock: every package (pip and setuptools too) at the version and
# with the file hashes recorded there, so every machine gets the same set; a changed lock (or
# pyproject.toml) installs again. The app itself goes in editable, with the locked setuptools.
LOCK := requirements.lock

$(BIN)/.installed: $(LOCK) pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --require-hashes -r $(LOCK)
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
	touch $@

# Writes requirements.lock again from pyproject.toml (the dependencies and the dev extra) and
# requirements-tools.in (pip, setuptools), with pip-tools from a throwaway virtual environment.
# Pins already in the lock are kept while they satisfy pyproject.toml; upgrading is deliberate:
# `make lock LOCK_ARGS=--upgrade` (everything) or `LOCK_ARGS='--upgrade-package sqlalchemy'`.
# Hashes are PyPI's (local pip settings are ignored), so the lock installs the same anywhere.
LOCK_ARGS ?=
lock:
	@tools=$$(mktemp -d) && trap 'rm -rf "$$tools"' EXIT && \
	$(PYTHON) -m venv "$$tools" && \
	"$$tools/bin/pip" install --quiet 'pip-tools>=7.5,<8' && \
	env -u PIP_FIND_LINKS -u PIP_INDEX_URL -u PIP_EXTRA_INDEX_URL -u PIP_CONSTRAINT \
		PIP_CONFIG_FILE=/dev/null CUSTOM_COMPILE_COMMAND="make lock" \
		"$$tools/bin/pip-compile" --quiet --generate-hashes --allow-unsafe --strip-extras \
		--extra dev --no-emit-index-url --no-emit-find-links $(LOCK_ARGS) \
		--output-file $(LOCK) pyproject.toml requirements-tools.in

# axe-core (browser tests) comes from the npm registry through package-lock.json.
node_modules/.installed: package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# The catalogues: every string marked for translation (gettext, _, ngettext, lazy_gettext as _l,
# N_ where a label is declared) is extracted to translations/messages.pot, each language's .po is
# brought up to date (new strings arrive empty, for the translator), and compiled to the .mo the
# app reads. Both files are kept in git; tests/civicladder/test_languages.py says when they lag.
WORDS := civicladder people competencies hiring academy autonomy reports api templates
translations: setup
	$(BIN)/pybabel extract -F babel.cfg -k lazy_gettext -k _l --no-location \
		--sort-output --omit-header -o translations/messages.pot $(WORDS)
	$(BIN)/pybabel update --no-fuzzy-matching -i translations/messages.pot \
		-d translations
	$(BIN)/pybabel compile --statistics -d translations

setup: $(BIN)/.installed

migrate: setup
	$(BIN)/flask db upgrade

seed: migrate
	$(BIN)/flask seed demo

run: seed
	@echo "CivicLadder is at http://$(HOST):$(PORT)/ (Ctrl-C stops it)"
	$(BIN)/flask run --host $(HOST) --port $(PORT)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

fmt: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# SQLite always, with the browser tests; PostgreSQL too when TEST_DATABASE_URL is set.
# The suites without a browser run on pytest-xdist workers, one per core, each with a database
# of its own (`make test PYTEST_WORKERS=0` runs them in one process).
PYTEST_WORKERS ?= auto
test: lint node_modules/.installed test-sqlite test-browser test-postgres

test-sqlite: setup
	@echo "== tests on SQLite"
	env -u TEST_DATABASE_URL $(BIN)/pytest -m "not browser" -n $(PYTEST_WORKERS)

# In one process: under xdist the workers' axe-core findings would not reach the summary.
test-browser: setup node_modules/.installed
	@echo "== tests on SQLite (browser tests)"
	env -u TEST_DATABASE_URL $(BIN)/pytest -m browser

test-postgres: setup
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		echo "== tests on PostgreSQL ($$TEST_DATABASE_URL)"; \
		$(BIN)/pytest -m "not browser" -n $(PYTEST_WORKERS); \
	else \
		echo "== PostgreSQL tests not run: set TEST_DATABASE_URL (bash .ci/run does)"; \
	fi

# The app under gunicorn with production settings, measured page by page for each role (README,
# "Benchmarks"). BENCH_DATABASE_URL, BENCH_DATA=demo|city, BENCH_EMPLOYEES, BENCH_REUSE=1,
# BENCH_ENFORCE=0 and the rest come from the environment. A small run of it is a test
# (tests/bench/test_bench_smoke.py), so `make test` runs it on each database.
bench: setup
	$(BIN)/python -m bench

# The production shape on this machine until Ctrl-C (README, "Running in production"):
# PgBouncer in transaction pooling mode in front of PostgreSQL, two gunicorn app servers from
# two checkouts of the last commit, and one `flask worker` on Redis. SHAPE_DATABASE_URL (created,
# migrated and seeded with the demo when empty) and SHAPE_REDIS_URL come from the environment.
shape: setup
	$(BIN)/python -m deploy.shape

assets:
	bash scripts/install-assets.sh

clean:
	rm -rf $(VENV) node_modules .pytest_cache .ruff_cache
