# AHP Portal: one image for the web server (gunicorn), the Celery worker and Celery beat.
# docker-compose.yml runs all three with PostgreSQL and Redis; see the README's "Deploying".
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_DEBUG=0 DJANGO_MEDIA_ROOT=/data/media GUNICORN_BIND=0.0.0.0:8000
WORKDIR /app

# Pango: WeasyPrint's text layout, for the board report's PDF download.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 ahp \
    && useradd --system --uid 10001 --gid ahp --home-dir /app --shell /usr/sbin/nologin ahp \
    && install -d -o ahp -g ahp /data/media

# Dependencies first, from pyproject.toml alone, so a code change reuses this layer.
# (The project itself installs no packages: [tool.setuptools] packages = [].)
COPY pyproject.toml ./
RUN pip install --upgrade pip && pip install .

COPY . .
# Static files with hashed names, compressed, for whitenoise. The key is for this step only.
RUN DJANGO_SECRET_KEY="build-only-$(python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
    DJANGO_ALLOWED_HOSTS=build.invalid python manage.py collectstatic --noinput --verbosity 0

USER ahp
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=15s --start-period=30s --retries=3 \
    CMD ["python", "-m", "ahpportal.healthcheck", "web", "http://127.0.0.1:8000/healthz"]
CMD ["gunicorn", "--config", "ahpportal/gunicorn.conf.py", "ahpportal.wsgi"]
