# buudien — `make help` lists the targets.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
NAME ?=
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: help env demo point-demo serve test install-check lint typecheck unit browser bench messages clean browser-deps

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | column -t -s $$'\t'

$(BIN)/uv:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check uv

$(VENV)/.synced: $(BIN)/uv pyproject.toml uv.lock
	$(BIN)/uv sync --frozen --inexact --quiet
	@touch $@

env: $(VENV)/.synced messages ## create .venv and install the locked dependencies

messages: $(BIN)/uv ## compile the translation catalogues
	@for po in src/buudien/locale/*/LC_MESSAGES/django.po; do \
	  msgfmt --check -o "$${po%.po}.mo" "$$po" 2>/dev/null || $(BIN)/python -c "import sys;from babel.messages.mofile import write_mo;from babel.messages.pofile import read_po;c=read_po(open(sys.argv[1],'rb'));write_mo(open(sys.argv[2],'wb'),c)" "$$po" "$${po%.po}.mo"; \
	done

demo: env ## migrate the SQLite database, load the reference data and the demo province (each step timed), print the logins, serve on :8000
	@begin=$${EPOCHREALTIME/./}; \
	for step in "migrate --no-input" load_admin_units demo; do \
	  start=$${EPOCHREALTIME/./}; \
	  $(BIN)/buudien $$step || exit 1; \
	  took=$$(( ($${EPOCHREALTIME/./} - start) / 100000 )); \
	  echo "⏱ buudien $$step: $$((took / 10)),$$((took % 10)) s"; \
	done; \
	took=$$(( ($${EPOCHREALTIME/./} - begin) / 100000 )); \
	echo "⏱ sẵn sàng sau $$((took / 10)),$$((took % 10)) s — mở http://127.0.0.1:$(PORT)/"
	$(BIN)/buudien serve --port $(PORT)

point-demo: env ## a small province on :8000 and an enrolled commune point's laptop on :8001 (POINT_PORT), a link between them you can cut
	$(BIN)/buudien point_demo --province-port $(PORT) --point-port $${POINT_PORT:-8001}

serve: env ## serve without reloading the demo
	$(BIN)/buudien serve --port $(PORT)

lint: env ## ruff, import contracts and migrations check
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/lint-imports
	$(BIN)/buudien makemigrations --check --dry-run > /dev/null

typecheck: env ## mypy in strict mode
	$(BIN)/mypy src

browser-deps: ## Debian chromium for the browser tests, GNU gettext for the translation check
	@command -v chromium >/dev/null && command -v xgettext >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium gettext >/dev/null)

test: env browser-deps lint typecheck ## lint, type checks, the whole suite and the install check (DATABASE_URL picks PostgreSQL)
	$(BIN)/pytest
	.ci/install-check

install-check: env ## a real install without the demo on a fresh SQLite file (and PostgreSQL if DATABASE_URL is one)
	.ci/install-check

unit: env ## the tests without the browser
	$(BIN)/pytest -m "not browser"

bench: env ## run the benchmarks (NAME=network for one)
	$(BIN)/python -m bench $(NAME)

clean: ## remove the environment and local data
	rm -rf $(VENV) var/*.sqlite3* var/static var/bench-pages
