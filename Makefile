# RunPhys: `make run` (install, migrate, demo data, web server + task worker) and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell for p in python3.13 python3.12 python3; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null \
	&& { command -v $$p; break; }; done)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
UV_VERSION := 0.13.9
WEASYPRINT_APT := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-liberation fonts-dejavu-core

.PHONY: run test install install-dev syslibs demo lint bench

$(BIN)/uv:
	@if [ -z "$(PYTHON)" ]; then \
		echo "RunPhys needs Python 3.12 or newer (3.13 preferred): sudo apt-get install python3 python3-venv"; exit 1; fi
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

install: $(BIN)/uv
	$(BIN)/uv pip install --quiet --compile-bytecode --python $(BIN)/python -r requirements.lock
	@$(MAKE) --no-print-directory syslibs

install-dev: $(BIN)/uv
	$(BIN)/uv pip install --quiet --compile-bytecode --python $(BIN)/python -r requirements-dev.lock
	@$(MAKE) --no-print-directory syslibs

# WeasyPrint loads Pango and HarfBuzz from the system at import time.
syslibs:
	@$(BIN)/python -c "import weasyprint" 2>/dev/null || { \
		echo "WeasyPrint cannot find its system libraries (Pango, HarfBuzz)."; \
		echo "Install them with:  sudo apt-get install $(WEASYPRINT_APT)"; exit 1; }
	@fc-list 2>/dev/null | grep -q 'Liberation Sans' || \
		echo "Note: the handout's font, Liberation Sans, is missing (sudo apt-get install fonts-liberation); PDFs fall back to DejaVu Sans, wider and slower to lay out."

demo:
	$(BIN)/python manage.py load_demo_data

run: install demo
	@echo "RunPhys on http://$(HOST):$(PORT)/ (web server and task worker; Ctrl-C stops both)"
	@trap 'kill $$worker $$sweeper 2>/dev/null' EXIT INT TERM; \
	$(BIN)/python manage.py db_worker & worker=$$!; \
	while sleep 60; do $(BIN)/python manage.py sweep_deliveries >/dev/null; $(BIN)/python manage.py sweep_handouts >/dev/null; $(BIN)/python manage.py prune_print_copies >/dev/null; done & sweeper=$$!; \
	$(BIN)/gunicorn runphys.wsgi --bind $(HOST):$(PORT) --workers 2 --access-logfile - --log-level warning

# The suite runs in parallel (pytest-xdist), one process per core, each with its own test
# database (PostgreSQL test_<name>_gw0, ...; SQLite a file per process); PYTEST_WORKERS=0 runs it
# in this one process.
PYTEST_WORKERS ?= auto
test: install-dev
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

lint: install-dev
	$(BIN)/ruff check .

bench: install-dev
	@for script in bench/*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done
