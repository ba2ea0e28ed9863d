# One image for every process of the platform (web, worker, beat; later the SIA receiver and video
# workers): docker-compose.yml picks the command. The source tree in /app is what runs (PYTHONPATH),
# so templates, static files and translations come from it.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONPATH=/app \
    DJANGO_SETTINGS_MODULE=opscenter.settings

WORKDIR /app

# Dependencies first, in a layer of their own, so a code change does not reinstall them.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

COPY . .
RUN pip install --no-deps . \
    && DEBUG=False SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput -v 0 \
    && useradd --system --uid 10001 --home-dir /app --no-create-home opscenter \
    && mkdir -p /app/media \
    && chown opscenter /app/media

USER opscenter
EXPOSE 8000
CMD ["daphne", "-b", "0.0.0.0", "-p", "8000", "opscenter.asgi:application"]
