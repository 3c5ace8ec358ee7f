# The two commands: `make run` (serve the site with Celery) and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Test-only browser tools (axe-core, the Nu Html Checker): npm packages, pinned in package-lock.json.
NODE_STAMP := node_modules/.installed

.PHONY: run test lint audit mutate setup clean

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip setuptools
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

# Without npm the accessibility and HTML checks skip (and fail under CI=true).
# --ignore-scripts: vnu-jar's install script would download a Java runtime; the machine's Java runs it.
$(NODE_STAMP): package.json package-lock.json
	@if command -v npm >/dev/null; then \
		npm ci --no-audit --no-fund --ignore-scripts --loglevel=error && touch $@; \
	else echo "npm not found: the axe-core and Nu Html Checker tests will be skipped"; fi

setup: $(STAMP) $(NODE_STAMP)

# Development: DEBUG on (settings default to off, as production must be) for migrate,
# ensure_admin and the three honcho processes, unless DEBUG is already set.
run: export DEBUG ?= True
run: $(STAMP)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py ensure_admin
	$(BIN)/honcho start -f Procfile.dev

test: lint audit $(NODE_STAMP)
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Security checks alone: bandit on the deployed code, pip-audit on the installed packages.
audit: $(STAMP)
	$(BIN)/bandit --quiet --configfile pyproject.toml --recursive .
	$(BIN)/python scripts/audit_dependencies.py

# Mutation testing of the business rules (MUTATION.md): mutmut changes one rule at a time in a
# copy of the project (./mutants) and runs the fast tests; a change no test notices survives.
# On SQLite, whatever DATABASE_URL says: the PostgreSQL, worker and browser tests are left out.
mutate: $(STAMP)
	rm -rf mutants
	env -u DATABASE_URL -u REDIS_URL -u CI $(BIN)/mutmut run --max-children $(or $(MUTATE_JOBS),2) || true
	$(BIN)/python scripts/mutation_score.py

clean:
	rm -rf $(VENV) node_modules bench/lighthouse/node_modules var staticfiles mutants
