# Production image: gunicorn serving the Flask app. Migrations run as a separate one-shot step
# (`flask db upgrade`, the `migrate` service in docker-compose.yml), never at worker start.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    FLASK_APP=wsgi.py TZ=Asia/Shanghai APP_ENV=production
WORKDIR /srv/app

# shapely, pyproj, psycopg[binary], Pillow and argon2 ship manylinux wheels: no compilers needed.
COPY requirements.txt .
RUN pip install -r requirements.txt && useradd --system --uid 1000 app

COPY wsgi.py gunicorn.conf.py ./
COPY app ./app
COPY migrations ./migrations
COPY miniprogram_stub/__init__.py miniprogram_stub/wechat_server.py ./miniprogram_stub/
COPY miniprogram_stub/wechat ./miniprogram_stub/wechat

USER app
EXPOSE 8000
# Workers, threads, limits, logs and metrics: gunicorn.conf.py (WEB_WORKERS, WEB_THREADS, WEB_TIMEOUT).
CMD ["gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"]
