# The two commands are `make run` and `make test`; both work on a fresh Debian with Python 3.11.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
MANAGE := $(PY) manage.py
EMBEDDED := $(PY) -m guidance_portal.embedded run
WEB_PORT ?= 8000
# Development defaults; production sets DEBUG=false, SECRET_KEY, ALLOWED_HOSTS, ...
export DEBUG ?= true
export WEB_PORT
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)

.PHONY: help install run serve test test-inner lint format bench demo migrate messages static \
	stop clean chromium gettext manage

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(PY):
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' \
		|| { echo "Python 3.11 is required (found $$($(PYTHON) --version))"; exit 1; }
	@$(PYTHON) -m venv $(VENV) 2>/dev/null || { \
		echo "python3-venv is missing: installing it with apt-get"; \
		apt-get update -qq && apt-get install -y -qq python3-venv && $(PYTHON) -m venv $(VENV); }

$(VENV)/.synced: pyproject.toml uv.lock | $(PY)
	$(PY) -m pip install --quiet --disable-pip-version-check uv==0.13.8
	$(BIN)/uv sync --frozen --python $(PY)
	@touch $@

install: $(VENV)/.synced ## create .venv and install the locked dependencies

gettext:
	@command -v msgfmt >/dev/null || { echo "gettext (msgfmt) is missing: installing it with apt-get"; \
		apt-get update -qq && apt-get install -y -qq gettext; }

chromium:
	@command -v /usr/bin/chromium >/dev/null || { echo "Chromium is missing: installing Debian's chromium package with apt-get"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

messages: install gettext ## compile the translations
	$(EMBEDDED) -- $(MANAGE) compilemessages --ignore '.venv/*' -v 0

static: install ## collect static files (hashed, compressed)
	$(EMBEDDED) -- $(MANAGE) collectstatic --noinput -v 0

run: install ## start PostgreSQL, Redis, migrate, demo data, web + worker + beat on :8000
	$(EMBEDDED) --port $(WEB_PORT) -- $(MAKE) --no-print-directory serve

# Runs inside the embedded-services wrapper: DATABASE_URL and REDIS_URL are set.
serve: messages static
	$(MANAGE) migrate --noinput
	$(MANAGE) load_demo
	@echo "Serving http://127.0.0.1:$(WEB_PORT)/ (Ctrl-C stops everything)"
	$(BIN)/honcho start -f Procfile || [ $$? -eq 130 ] # Ctrl-C is a clean stop

test: install chromium ## the whole suite, browser tests included
	$(EMBEDDED) -- $(MAKE) --no-print-directory test-inner

test-inner: messages static
	$(MANAGE) makemigrations --check --dry-run
	$(BIN)/pytest $(PYTEST_ARGS)

lint: install ## ruff format --check and ruff check
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .

format: install ## apply ruff's formatting and safe fixes
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: install ## run the benchmarks in bench/ and print figures (ARGS=directory for one)
	$(EMBEDDED) -- $(PY) -m bench $(ARGS)

demo: install ## load the demo data (idempotent)
	$(EMBEDDED) -- bash -c '$(MANAGE) migrate --noinput && $(MANAGE) load_demo'

migrate: install ## apply the migrations
	$(EMBEDDED) -- $(MANAGE) migrate --noinput

manage: install ## run a manage.py command: make manage ARGS='createsuperuser'
	$(EMBEDDED) -- $(MANAGE) $(ARGS)

stop: install ## stop embedded services left running by manage.py
	$(PY) -m guidance_portal.embedded stop

clean: stop ## remove the virtualenv, collected static files and embedded data
	rm -rf $(VENV) staticfiles .data .pytest_cache .ruff_cache
