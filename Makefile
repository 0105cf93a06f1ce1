# Two commands do all the set-up: `make run` (the portal on its embedded default, with demo data)
# and `make test` (the whole suite on PostgreSQL and Redis, browser journeys included).

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

TEST_DATABASE_URL ?= postgres://postgres:postgres@127.0.0.1:5432/bluelight
TEST_REDIS_URL ?= redis://127.0.0.1:6379/15
TEST_ENV := DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) \
	DJANGO_ALLOW_ASYNC_UNSAFE=true BLUELIGHT_ENV=development
DEPLOY_ENV := BLUELIGHT_ENV=production DEBUG=false ALLOWED_HOSTS=bluelight.example \
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) \
	SECRET_KEY=$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(64))')

.PHONY: install system-libraries run test lint checks compose-check pytest worker beat vendor clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

# PDFs (agenda packs, minutes) are drawn by WeasyPrint with Pango, a system library.
system-libraries:
	@if ! ldconfig -p | grep -q libpangoft2-1.0.so.0; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing Pango for the PDFs (apt-get)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	      libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core >/dev/null; \
	  else \
	    echo "The portal draws PDFs with Pango: install it first, e.g." \
	      "sudo apt-get install libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core" >&2; exit 1; \
	  fi; \
	fi

run: system-libraries $(STAMP)
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	@echo
	@echo "The portal is starting at http://$(HOST):$(PORT)/ — sign in with a demo login above (Ctrl+C stops it)."
	$(PY) manage.py runserver $(HOST):$(PORT)

test: system-libraries $(STAMP) lint checks compose-check pytest

lint: $(STAMP)
	$(PY) -m ruff check .

checks: $(STAMP)
	$(PY) manage.py makemigrations --check --dry-run
	env $(DEPLOY_ENV) $(PY) manage.py check --deploy --fail-level WARNING

compose-check:
	@if docker compose version >/dev/null 2>&1; then docker compose config --quiet; \
	elif command -v docker-compose >/dev/null 2>&1; then docker-compose config --quiet; \
	else echo "docker compose is not installed: cannot validate docker-compose.yml" >&2; exit 1; fi
	@echo "docker-compose.yml is valid"

pytest: $(STAMP)
	env $(TEST_ENV) $(PY) -m pytest $(PYTEST_ARGS)

worker: $(STAMP)
	$(VENV)/bin/celery -A bluelight worker --loglevel=INFO --concurrency=2

beat: $(STAMP)
	$(VENV)/bin/celery -A bluelight beat --loglevel=INFO

# Refresh the pinned front-end assets in portal/static/vendor from the npm registry.
vendor:
	npm install --no-audit --no-fund
	cp node_modules/bootstrap/dist/css/bootstrap.min.css node_modules/bootstrap/dist/js/bootstrap.bundle.min.js portal/static/vendor/bootstrap/
	sed -i 's#/\*\# sourceMappingURL=.*\*/##' portal/static/vendor/bootstrap/bootstrap.min.css
	sed -i 's#//\# sourceMappingURL=.*##' portal/static/vendor/bootstrap/bootstrap.bundle.min.js
	mkdir -p portal/static/vendor/chartjs
	cp node_modules/chart.js/dist/chart.umd.min.js portal/static/vendor/chartjs/
	cp node_modules/chart.js/LICENSE.md portal/static/vendor/chartjs/LICENSE
	sed -i 's#//\# sourceMappingURL=.*##' portal/static/vendor/chartjs/chart.umd.min.js

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
