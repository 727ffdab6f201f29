# TapTrail: `make run` serves the demo, `make test` runs every check. Both install what they need.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
INSTANCE := instance
# The demo's settings; production sets its own (see docs/operations.md).
DEMO_ENV := TAPTRAIL_SIGNING_KEYS_FILE=$(INSTANCE)/keys.json \
	TAPTRAIL_SECRET_KEY_FILE=$(INSTANCE)/secret_key \
	TAPTRAIL_TAP_BASE_URL=http://127.0.0.1:8000 \
	TAPTRAIL_MOBILITY_FEEDS=server/demo/feeds.yaml TAPTRAIL_DEMO_FEEDS=1 \
	TAPTRAIL_BRAND_FILE=server/demo/brand.yaml

.PHONY: install test lint format run bench translations browser

install: $(STAMP)

# Reinstall only when the dependencies change; the package itself is installed editable.
$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# Lint, the browser tests and the rest on every core (pytest-xdist; each worker builds its own
# throwaway databases) side by side; the browser tests that time a page last, alone: see
# tests/suite.sh for why.
test: install browser
	tests/suite.sh $(BIN)

# The browser tests drive Debian's Chromium (Playwright cannot download browsers here). Without
# root to install it they are skipped, except in CI, where they fail.
browser:
	@command -v chromium >/dev/null || { apt-get update -qq && apt-get install -y -qq chromium; } \
		|| echo "chromium is missing and could not be installed: browser tests will be skipped"

# After changing visitor-facing text: extract messages, merge them into the fr/en/nl catalogues,
# translate the new ones (the tests list any left empty), then run this again to compile. The
# compiled .mo files are committed so that any install, pip's included, has them.
MESSAGES := server/translations
translations: install
	$(BIN)/pybabel extract -F babel.cfg -k N_ --no-location --sort-output --project TapTrail \
		--version 0.1 --copyright-holder TapTrail --msgid-bugs-address translations@taptrail.invalid \
		-o $(MESSAGES)/messages.pot .
	$(BIN)/pybabel update -i $(MESSAGES)/messages.pot -d $(MESSAGES) --no-fuzzy-matching \
		--ignore-obsolete --width 100
	$(BIN)/pybabel compile -d $(MESSAGES) --statistics

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Demo secrets live in the gitignored instance/ folder, created on first run.
$(INSTANCE)/keys.json: | $(STAMP)
	@mkdir -p $(INSTANCE)
	$(BIN)/taptrail keys create --file $@
$(INSTANCE)/secret_key:
	@mkdir -p $(INSTANCE)
	@umask 077 && $(BIN)/python -c "import secrets; print(secrets.token_hex(32))" > $@

run: install $(INSTANCE)/keys.json $(INSTANCE)/secret_key
	$(DEMO_ENV) $(BIN)/taptrail init-db
	$(DEMO_ENV) $(BIN)/taptrail demo --urls 6
	@echo "Open one of the tap URLs above, or the visitor pages at http://127.0.0.1:8000/;"
	@echo "the portal is at http://127.0.0.1:8000/portal/ (demo accounts above);"
	@echo "the API is at http://127.0.0.1:8000/api/v1/openapi.json"
	$(DEMO_ENV) $(BIN)/gunicorn -c python:server.gunicorn_conf 'server:create_app()'

# Benchmarks run on demand, never in `make test` (they need wrk; bench.analytics generates ten
# million taps per database and takes the better part of an hour).
bench: install
	$(BIN)/python -m bench.tap
	$(BIN)/python -m bench.sun_tap --http 15
	$(BIN)/python -m bench.nearby
	$(BIN)/python -m bench.pages
	$(BIN)/python -m bench.mobility
	$(BIN)/python -m bench.ical
	$(BIN)/python -m bench.encode
	$(BIN)/python -m bench.analytics
	$(BIN)/python -m bench.rollups
	$(BIN)/python -m bench.sizing
	$(BIN)/python -m bench.maps
