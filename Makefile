# Weibao: `make run` serves the demo; `make test` runs every check on SQLite and PostgreSQL.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= $(shell PYENV_VERSION=3.12.1 pyenv which python 2>/dev/null || command -v python3.12 || echo python3.12)
export UV_PYTHON := $(PYTHON)
export UV_PYTHON_DOWNLOADS := never
UV := $(PYTHON) -m uv
RUN := $(UV) run --frozen
PG_URL ?= postgres://postgres@127.0.0.1:5432/weibao
PG_TEMPLATE ?= weibao_test_template

.PHONY: help install run test lint test-sqlite test-postgres system-deps system-test-deps postgres messages soak clean

help:
	@echo "make run    install, migrate, load the demo and serve http://127.0.0.1:8000"
	@echo "make test   ruff, mypy, import-linter and the test suite on SQLite and PostgreSQL"

install:
	@$(PYTHON) -m uv --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet --disable-pip-version-check uv
	$(UV) sync --frozen

run: install system-deps
	$(RUN) weibao migrate --no-input
	$(RUN) weibao demo
	$(RUN) weibao serve

# Debian packages the product needs at run time: Pango for WeasyPrint and a CJK font
# for the printed forms (PDF). Installed with apt when missing and running as root;
# otherwise a warning names them (the product runs, its PDFs lack Chinese glyphs).
RUN_PACKAGES := fonts-wqy-microhei libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0
# And the tests: Chromium for browser tests, gettext for message catalogues and
# poppler-utils (pdftotext) to read the PDFs back.
TEST_PACKAGES := $(RUN_PACKAGES) chromium gettext poppler-utils dovecot-imapd

define apt_ensure
	@missing=""; \
	for pkg in $(1); do \
	  dpkg -s $$pkg >/dev/null 2>&1 || missing="$$missing $$pkg"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "missing Debian packages:$$missing (run: sudo apt-get install$$missing)" >&2; \
	    $(2) \
	  fi; \
	fi
endef

system-deps:
	$(call apt_ensure,$(RUN_PACKAGES),true;)

system-test-deps:
	$(call apt_ensure,$(TEST_PACKAGES),exit 1;)

# Start the local PostgreSQL if it is down and make the C.UTF-8 template that
# test databases are copied from. Fails loudly when the server cannot be reached.
postgres:
	@pg_isready -q -h 127.0.0.1 -p 5432 || pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql) main start || true
	@for i in $$(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
	@pg_isready -h 127.0.0.1 -p 5432 || { echo "PostgreSQL on 127.0.0.1:5432 cannot be reached: the PostgreSQL pass cannot run" >&2; exit 1; }
	@psql -h 127.0.0.1 -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname='$(PG_TEMPLATE)'" | grep -q 1 || \
	  createdb -h 127.0.0.1 -U postgres -T template0 -E UTF8 --locale=C.UTF-8 $(PG_TEMPLATE)

lint: install
	$(RUN) ruff check src tests
	$(RUN) ruff format --check src tests
	$(RUN) mypy
	$(RUN) lint-imports
	WEIBAO_DATA_DIR=$$(mktemp -d) $(RUN) weibao makemigrations --check --dry-run

test-sqlite: install system-test-deps
	WEIBAO_DATA_DIR=$$(mktemp -d) $(RUN) pytest -p no:cacheprovider

test-postgres: install system-test-deps postgres
	WEIBAO_DATA_DIR=$$(mktemp -d) WEIBAO_DATABASE_URL=$(PG_URL) WEIBAO_DATABASE_TEST_TEMPLATE=$(PG_TEMPLATE) \
	  $(RUN) pytest -p no:cacheprovider

test: lint test-sqlite test-postgres

messages: install
	cd src/weibao && for app in */; do \
	  [ -d "$$app/locale" ] && (cd $$app && WEIBAO_DATA_DIR=$$(mktemp -d) $(RUN) weibao makemessages -l zh_Hans -l en --no-obsolete >/dev/null) || true; \
	done
	cd src/weibao && WEIBAO_DATA_DIR=$$(mktemp -d) $(RUN) weibao compilemessages >/dev/null

# Durability: 1,000 acknowledged writes through 10 crashes, SQLite then PostgreSQL;
# figures appended to bench/durability-soak.log (summarised in bench/RESULTS.md).
soak: install system-test-deps postgres
	@mkdir -p bench
	WEIBAO_DATA_DIR=$$(mktemp -d) DURABILITY_WRITES=1000 DURABILITY_KILLS=10 DURABILITY_REPORT=bench/durability-soak.log \
	  $(RUN) pytest -p no:cacheprovider -q src/weibao/instance/tests/test_durability.py
	WEIBAO_DATA_DIR=$$(mktemp -d) WEIBAO_DATABASE_URL=$(PG_URL) DURABILITY_WRITES=1000 DURABILITY_KILLS=10 \
	  DURABILITY_REPORT=bench/durability-soak.log $(RUN) pytest -p no:cacheprovider -q src/weibao/instance/tests/test_durability.py
	rm -f bench/api-fuzz-soak.jsonl
	WEIBAO_DATA_DIR=$$(mktemp -d) WEIBAO_FUZZ_EXAMPLES=100 WEIBAO_FUZZ_FIGURES=bench/api-fuzz-soak.jsonl \
	  $(RUN) pytest -p no:cacheprovider -q -k "fuzzing or read_only_token" tests/test_api_fuzz.py
	WEIBAO_DATA_DIR=$$(mktemp -d) WEIBAO_DATABASE_URL=$(PG_URL) WEIBAO_DATABASE_TEST_TEMPLATE=$(PG_TEMPLATE) \
	  WEIBAO_FUZZ_EXAMPLES=100 WEIBAO_FUZZ_FIGURES=bench/api-fuzz-soak.jsonl \
	  $(RUN) pytest -p no:cacheprovider -q -k "fuzzing or read_only_token" tests/test_api_fuzz.py
	$(RUN) python -m tests.fuzz.figures bench/api-fuzz-soak.jsonl

clean:
	rm -rf .venv var .pytest_cache .mypy_cache .ruff_cache
