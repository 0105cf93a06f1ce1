FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app

COPY pyproject.toml README.md ./
COPY bluelight ./bluelight
COPY boards ./boards
COPY opportunities ./opportunities
RUN pip install .
COPY . .
RUN BLUELIGHT_ENV=development python manage.py collectstatic --noinput \
    && useradd --system --home /app bluelight && mkdir -p /app/media && chown bluelight /app/media
USER bluelight

EXPOSE 8000
CMD ["gunicorn", "bluelight.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--max-requests", "2000", "--max-requests-jitter", "200"]
