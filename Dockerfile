# The portal's image: the locked runtime packages (hashes checked), then the portal's own wheel.
# docker-compose.yml runs it as web, worker, beat and backup.

# --- The wheel, built from a clean copy of the source (see .dockerignore) ----------------------
FROM python:3.11-slim-bookworm AS wheel
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY . .
# The build backend is the dev lock's setuptools, hash-checked, rather than whatever is newest.
RUN awk '/^[a-z]/ { keep = /^setuptools==/ } keep' requirements-dev.lock > /tmp/build.lock \
    && pip install --quiet --require-hashes -r /tmp/build.lock \
    && pip wheel --quiet --no-deps --no-build-isolation --wheel-dir /dist .

# --- The image ----------------------------------------------------------------------------------
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 DJANGO_SETTINGS_MODULE=bluelight.settings \
    MEDIA_ROOT=/app/media STATIC_ROOT=/app/staticfiles

# WeasyPrint draws the PDFs (agenda packs, minutes, reports) with Pango and needs a font;
# headless LibreOffice converts Word, Excel and PowerPoint papers to PDF.
# manage.py backup and restore run pg_dump and pg_restore of the server's major version
# (PostgreSQL 16 in docker-compose.yml), from the PostgreSQL project's own repository.
ARG POSTGRES_CLIENT=16
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
       postgresql-common \
       libreoffice-core-nogui libreoffice-writer-nogui libreoffice-calc-nogui \
       libreoffice-impress-nogui \
    && /usr/share/postgresql-common/pgdg/apt.postgresql.org.sh -y \
    && apt-get install -y --no-install-recommends postgresql-client-${POSTGRES_CLIENT} \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.lock ./
RUN pip install --require-hashes -r requirements.lock
COPY --from=wheel /dist/ /tmp/dist/
RUN pip install --no-deps /tmp/dist/*.whl && rm -rf /tmp/dist
# manage.py is the only file from the source tree: the portal runs from the installed wheel.
COPY manage.py ./

# Static files for production (hashed names, compressed); the throwaway secret and URLs only let
# the production settings load, nothing is contacted.
RUN BLUELIGHT_ENV=production ALLOWED_HOSTS=localhost DATABASE_URL=sqlite:////tmp/unused.sqlite3 \
    REDIS_URL=redis://localhost:6379/0 \
    SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(64))')" \
    python manage.py collectstatic --noinput -v0

RUN groupadd --system --gid 10001 bluelight \
    && useradd --system --uid 10001 --gid bluelight --home-dir /app --shell /usr/sbin/nologin bluelight \
    && mkdir -p /app/media /backups && chown bluelight:bluelight /app/media /backups
USER 10001:10001

EXPOSE 8000
CMD ["gunicorn", "-c", "python:bluelight.gunicorn", "bluelight.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--max-requests", "2000", "--max-requests-jitter", "200"]
