# Loket: the two commands (make demo, make test) and the checks CI runs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
export LOKET_VAR_DIR ?= $(CURDIR)/var

.PHONY: install system-deps demo demo-setup test test-postgres lint clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[dev]"
	touch $@

# axe-core, from the npm registry: the browser tests run it on every page they visit.
AXE_VERSION := 4.11.0
$(VENV)/node/axe-$(AXE_VERSION): | $(VENV)/.installed
	npm install --silent --no-audit --no-fund --prefix $(VENV)/node axe-core@$(AXE_VERSION)
	touch $@

install: $(VENV)/.installed

# What pip cannot bring: Pango for WeasyPrint (PDF) and Debian's Chromium for the browser tests.
system-deps:
	@bash scripts/system-deps.sh

# var/loket.env makes the demo checkout's `loket` command run in demo (debug) mode.
$(LOKET_VAR_DIR)/loket.env:
	mkdir -p "$(LOKET_VAR_DIR)"
	printf '# Written by make demo: this checkout runs in demo mode. Delete for production settings.\nLOKET_DEBUG=1\nEMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend\n' > $@

demo-setup: install system-deps $(LOKET_VAR_DIR)/loket.env
	LOKET_DEBUG=1 $(BIN)/loket migrate --noinput -v 0
	LOKET_DEBUG=1 $(BIN)/loket sop install --builtin
	LOKET_DEBUG=1 $(BIN)/loket demo --url http://$(HOST):$(PORT)

# The worker (outbox mail, expiry) runs beside the server and stops with it.
demo: demo-setup
	LOKET_DEBUG=1 $(BIN)/loket worker & WORKER=$$!; trap "kill $$WORKER 2>/dev/null" EXIT INT TERM; \
	LOKET_DEBUG=1 LOKET_BASE_URL=http://$(HOST):$(PORT) $(BIN)/loket runserver $(HOST):$(PORT)

test: install system-deps $(VENV)/node/axe-$(AXE_VERSION)
	$(BIN)/python -m pytest

# The suite on PostgreSQL, as CI runs it: PG_URL names a database on a server that answers (it
# need not exist); pytest creates test_<name> beside it and drops it afterwards. PYTEST_ARGS
# narrows the run, e.g. make test-postgres PYTEST_ARGS="tests/counter".
PG_URL ?= postgres://postgres@127.0.0.1:5432/loket_make_test
PYTEST_ARGS ?=
test-postgres: install system-deps $(VENV)/node/axe-$(AXE_VERSION)
	@$(BIN)/python -c "import psycopg; psycopg.connect('$(PG_URL)'.rsplit('/', 1)[0] + '/postgres', connect_timeout=5).close()" \
		|| { echo "PostgreSQL does not answer at $(PG_URL) (set PG_URL)" >&2; exit 1; }
	DATABASE_URL=$(PG_URL) $(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	LOKET_DEBUG=1 $(BIN)/mypy src

clean:
	rm -rf $(VENV) var test-artifacts
