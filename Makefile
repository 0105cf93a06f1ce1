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
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) CLAMD_HOST=clamav \
	SECRET_KEY=$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(64))')

# The exact versions (with their hashes) of what pyproject.toml's ranges allow: requirements.lock
# for running the portal (the Docker image), requirements-dev.lock for it plus the tools and tests.
LOCK := requirements.lock
DEV_LOCK := requirements-dev.lock
UV_VERSION := 0.13.8
LOCK_FLAGS := --universal --python-version 3.11 --generate-hashes --quiet \
	--custom-compile-command "make lock"

.PHONY: install lock system-libraries test-services run test lint typecheck checks compose-check \
	pytest worker beat vendor clean screenshots

# The locked versions, hashes checked, then the portal itself (editable, built offline with the
# locked setuptools). pip check fails when pyproject.toml asks for something the lock lacks.
$(STAMP): pyproject.toml $(DEV_LOCK)
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --require-hashes -r $(DEV_LOCK)
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	@$(PY) -m pip check || { echo "The lock files are behind pyproject.toml: run make lock" >&2; exit 1; }
	touch $(STAMP)

install: $(STAMP)

# Regenerate the lock files after changing pyproject.toml's dependencies; versions already locked
# stay unless `make lock LOCK_ARGS=--upgrade` (or --upgrade-package NAME).
lock:
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet uv==$(UV_VERSION)
	$(VENV)/bin/uv pip compile pyproject.toml $(LOCK_FLAGS) $(LOCK_ARGS) -o $(LOCK)
	$(VENV)/bin/uv pip compile pyproject.toml --extra dev $(LOCK_FLAGS) $(LOCK_ARGS) \
		--constraint $(LOCK) -o $(DEV_LOCK)

# Debian's headless LibreOffice, which converts Word, Excel and PowerPoint papers to PDF.
LIBREOFFICE_PACKAGES = libreoffice-core-nogui libreoffice-writer-nogui libreoffice-calc-nogui \
	libreoffice-impress-nogui

# ClamAV's scanner daemon (clamd), which scans uploads; freshclam comes with it.
CLAMAV_PACKAGES = clamav-daemon

# PDFs (agenda packs, minutes) are drawn by WeasyPrint with Pango, a system library, and a font.
system-libraries:
	@if ! ldconfig -p | grep -q libpangoft2-1.0.so.0 \
	    || ! [ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing Pango for the PDFs (apt-get)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	      libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core >/dev/null; \
	  else \
	    echo "The portal draws PDFs with Pango: install it first, e.g." \
	      "sudo apt-get install libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core" >&2; exit 1; \
	  fi; \
	fi
	@# Word, Excel and PowerPoint papers are converted to PDF with LibreOffice (headless). Without
	@# it the portal still runs and says those papers are "not converted yet".
	@if ! command -v soffice >/dev/null; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing LibreOffice for Office papers' PDFs (apt-get)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	      $(LIBREOFFICE_PACKAGES) >/dev/null; \
	  else \
	    echo "Office papers are converted to PDF with LibreOffice: install it, e.g." \
	      "sudo apt-get install $(LIBREOFFICE_PACKAGES)" >&2; \
	  fi; \
	fi
	@# Uploads are scanned by ClamAV's daemon (clamd) when CLAMD_SOCKET or CLAMD_HOST is set; the
	@# tests start a clamd of their own with a test signature (tests/clamav.py). Without it the
	@# portal still runs (nothing is scanned unless configured) but the virus-scan tests fail.
	@if ! command -v clamd >/dev/null && ! [ -x /usr/sbin/clamd ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing ClamAV's daemon for the virus check (apt-get)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	      $(CLAMAV_PACKAGES) >/dev/null; \
	  else \
	    echo "Uploads are scanned with ClamAV: install its daemon, e.g." \
	      "sudo apt-get install $(CLAMAV_PACKAGES)" >&2; \
	  fi; \
	fi

run: system-libraries $(STAMP)
	$(PY) manage.py migrate --noinput
	SITE_URL=http://$(HOST):$(PORT) $(PY) manage.py seed_demo
	@echo
	@echo "The portal is starting at http://$(HOST):$(PORT)/ — sign in with a demo login above (Ctrl+C stops it)."
	SITE_URL=http://$(HOST):$(PORT) $(PY) manage.py runserver $(HOST):$(PORT)

# PostgreSQL and Redis running, Chromium for the browser journeys: installed and started on
# Debian as root, otherwise the script says what to install.
test-services:
	TEST_DATABASE_URL=$(TEST_DATABASE_URL) TEST_REDIS_URL=$(TEST_REDIS_URL) \
		PYTHON=$(PYTHON) bash .ci/test-services

test: system-libraries test-services $(STAMP) lint typecheck checks compose-check pytest

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

# mypy with the Django plugin over every app, configured in pyproject.toml ([tool.mypy]). The plugin
# imports the settings, so it gets a development environment that needs no running service.
typecheck: $(STAMP)
	env BLUELIGHT_ENV=development DATABASE_URL=sqlite://:memory: REDIS_URL= $(PY) -m mypy

checks: $(STAMP)
	$(PY) manage.py makemigrations --check --dry-run
	env $(DEPLOY_ENV) $(PY) manage.py check --deploy --fail-level WARNING

# docker-compose.yml against the Compose specification's JSON schema (vendored in tests/schemas).
compose-check: $(STAMP)
	$(PY) -m pytest -q -p no:cacheprovider tests/test_compose.py

# The suite in parallel, one process per core (pytest-xdist), each test file kept on one
# process: a file's module-scoped set-up (the delivery proofs' redis-server, mail server and
# worker; the accessibility crawl) runs once. Each process has its own test database
# (pytest-django), copied from one template that the first process migrates
# (tests/database_template.py), its own cache keys (tests/conftest.py) and its own ports.
# PYTEST_WORKERS=0 runs it in one process.
PYTEST_WORKERS ?= auto
pytest: $(STAMP)
	env $(TEST_ENV) $(PY) -m pytest -n $(PYTEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

# PNGs of the main pages (home, register, an opportunity, a referral, a meeting, the dashboard and
# the public register) at 320 px and 1280 px, from the demo data, into screenshots/ for review.
screenshots: $(STAMP)
	env $(TEST_ENV) $(PY) -m pytest -q -p no:cacheprovider tests/e2e/screenshot_pages.py

# Each runs until stopped with Ctrl-C: if the process exits (a crash, a lost broker), it is
# started again after a pause; production runs them under compose or systemd (see deploy/).
worker: $(STAMP)
	while :; do $(VENV)/bin/celery -A bluelight worker --loglevel=INFO --concurrency=2; \
		echo "make worker: the worker exited (status $$?); starting it again in 5 s" >&2; \
		sleep 5; done

beat: $(STAMP)
	while :; do $(VENV)/bin/celery -A bluelight beat --loglevel=INFO; \
		echo "make beat: beat exited (status $$?); starting it again in 5 s" >&2; \
		sleep 5; done

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
	mkdir -p portal/static/vendor/axe-core
	cp node_modules/axe-core/axe.min.js portal/static/vendor/axe-core/
	cp node_modules/axe-core/LICENSE portal/static/vendor/axe-core/LICENSE
	# PDF.js for the paper viewer: the library, its worker and the text layer's rules (the first
	# top-level .textLayer block of its viewer's stylesheet), without source maps.
	mkdir -p portal/static/vendor/pdfjs
	cp node_modules/pdfjs-dist/build/pdf.min.mjs node_modules/pdfjs-dist/build/pdf.worker.min.mjs portal/static/vendor/pdfjs/
	cp node_modules/pdfjs-dist/LICENSE portal/static/vendor/pdfjs/LICENSE
	awk '/^\.textLayer \{/ {on = 1} on {print} on && /^\}/ {exit}' node_modules/pdfjs-dist/web/pdf_viewer.css > portal/static/vendor/pdfjs/text_layer.css
	sed -i 's#//\# sourceMappingURL=.*##' portal/static/vendor/pdfjs/pdf.min.mjs portal/static/vendor/pdfjs/pdf.worker.min.mjs

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache .mypy_cache build dist *.egg-info
