# Production image: gunicorn serving the Flask app and the built web console (/console/). Migrations run as a
# separate one-shot step (`flask db upgrade`, the `migrate` service in docker-compose.yml), never at worker start.

# The console, built from its lockfile (npm registry only; nothing is fetched at run time).
FROM node:20-slim AS console
WORKDIR /console
COPY console/package.json console/package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY console/index.html console/vite.config.ts console/tsconfig.json ./
COPY console/src ./src
RUN node node_modules/vite/bin/vite.js build --logLevel warn

FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    FLASK_APP=wsgi.py TZ=Asia/Shanghai APP_ENV=production
WORKDIR /srv/app

# shapely, pyproj, psycopg[binary], Pillow and argon2 ship manylinux wheels: no compilers needed.
COPY requirements.txt constraints.txt ./
RUN pip install -r requirements.txt -c constraints.txt && useradd --system --uid 1000 app

COPY wsgi.py gunicorn.conf.py ./
COPY app ./app
COPY migrations ./migrations
COPY miniprogram_stub/__init__.py miniprogram_stub/wechat_server.py ./miniprogram_stub/
COPY miniprogram_stub/wechat ./miniprogram_stub/wechat
COPY --from=console /console/dist ./console/dist

USER app
EXPOSE 8000
# Workers, threads, limits, logs and metrics: gunicorn.conf.py (WEB_WORKERS, WEB_THREADS, WEB_TIMEOUT).
CMD ["gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"]
