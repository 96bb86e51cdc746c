# The two commands a newcomer needs: `make demo` and `make test`.
# Everything rests on `make setup`, which is idempotent.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
MANAGE := $(PY) manage.py
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: setup venv assets migrate demo serve load-demo test lint migrations-check check-deploy lock browser-deps bench fuzz-api load backup restore clean

setup: venv assets migrate

# Production installs requirements.txt alone. Here everything (demo, tests, lint, benchmarks,
# load) runs on requirements-dev.txt: production's exact pins plus the tools, both locked with
# hashes. Re-installs only when a lock file changes.
venv: $(VENV)/.installed
$(VENV)/.installed: requirements-pip.txt requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --require-hashes -r requirements-pip.txt
	$(BIN)/pip install --quiet --require-hashes -r requirements-dev.txt
	touch $@

# GOV.UK Frontend from npm, compiled with our font and colours.
assets: static/css/app.css
static/css/app.css: package.json package-lock.json static/src/app.scss
	npm ci --no-audit --no-fund --loglevel=error
	npm run --silent build
	@test -s static/css/app.css

migrate: venv
	$(MANAGE) migrate --no-input -v0

load-demo: setup
	$(MANAGE) load_demo

# Sets everything up, loads the demo, and serves the site with the task worker.
demo: load-demo
	@echo "Serving on http://$(HOST):$(PORT)/ (Ctrl+C to stop)"
	@$(MANAGE) db_worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT; \
	trap 'exit 0' INT TERM; \
	$(MANAGE) runserver --insecure $(HOST):$(PORT)

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache
	$(BIN)/mypy

migrations-check: venv
	$(MANAGE) makemigrations --check --dry-run -v0

check-deploy: venv
	VAWG_PRODUCTION=1 SECRET_KEY=check-deploy-only-$$(date +%s)-0123456789abcdefghijklmnopqrstuvwxyz \
	ALLOWED_HOSTS=vawg.example PSEUDONYM_KEYS=1:check-deploy-only FIELD_ENCRYPTION_KEYS=$$($(PY) -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())') \
	$(MANAGE) check --deploy --fail-level WARNING

# Tests: ruff, the missing-migrations check, the deploy check, then the suite.
test: setup lint migrations-check check-deploy
	$(BIN)/pytest -n 2 --dist loadfile

# Debian's Chromium for the browser tests, and for the report tests poppler-utils (pdftoppm,
# pdftotext: a PDF read back as pages and text) with Pango and fonts for WeasyPrint (CI runs
# this; needs root).
browser-deps:
	command -v chromium >/dev/null && command -v pdftoppm >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium poppler-utils libpango-1.0-0 libpangoft2-1.0-0 fonts-liberation >/dev/null)

# Re-pins both lock files from requirements.in and requirements-dev.in, with hashes. Pins already
# in a lock file are kept unless its .in file asks for another version; add --upgrade to move on.
LOCK := $(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links
lock: venv
	$(LOCK) --output-file requirements-pip.txt requirements-pip.in
	$(LOCK) --output-file requirements.txt requirements.in
	$(LOCK) --output-file requirements-dev.txt requirements-dev.in

# Each capability's benchmark, bench/bench_<name>.py; BENCH_ROWS and DATABASE_URL pass through.
bench: setup
	@set -e; for script in bench/bench_*.py; do \
		[ -e "$$script" ] || continue; echo "== $$script"; $(PY) $$script; done

# The partner API against its own schema with more generated cases than the test suite's 200
# an operation (API_FUZZ_EXAMPLES, default 1000).
fuzz-api: setup
	API_FUZZ_EXAMPLES=$${API_FUZZ_EXAMPLES:-1000} $(BIN)/pytest -q -p no:xdist vawg/api/tests/test_schema.py

# Signed-in staff on the main pages through gunicorn and PostgreSQL (bench/load.py).
load: setup
	$(PY) bench/load.py

# The database and MEDIA_ROOT into one archive (BACKUP_DIR, default var/backups), and back:
# `make restore ARCHIVE=FILE` checks the archive; add YES=1 to replace the database and files.
backup: venv
	$(MANAGE) backup $(if $(BACKUP_DIR),--output "$(BACKUP_DIR)")

restore: venv
	@test -n "$(ARCHIVE)" || { echo "Usage: make restore ARCHIVE=FILE [YES=1]" >&2; exit 2; }
	$(MANAGE) restore "$(ARCHIVE)" $(if $(YES),--yes)

clean:
	rm -rf $(VENV) node_modules static/css/app.css staticfiles db.sqlite3*
