# Zero-config entry points. Without DATABASE_URL / REDIS_URL, a private PostgreSQL+PostGIS and Redis
# run under ./var/ on loopback (scripts/services.sh); with them, those servers are used instead.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
STUB_PORT ?= 9100
WORKERS ?= 4
THREADS ?= 64
# var/services.env holds the URLs in use (the caller's DATABASE_URL / REDIS_URL when they were set).
WITH_ENV = set -a; . var/services.env; set +a; export FLASK_APP=wsgi.py;

.PHONY: venv services stop migrate demo console run stub test prod-smoke bench clean backup restore

$(VENV)/.installed: requirements.txt requirements-dev.txt constraints.txt
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements-dev.txt -c constraints.txt
	touch $@

venv: $(VENV)/.installed

services:
	bash scripts/services.sh start

stop:
	bash scripts/services.sh stop
	-@[ -f var/stub.pid ] && kill $$(cat var/stub.pid) 2>/dev/null; rm -f var/stub.pid
	-@[ -f var/worker.pid ] && kill $$(cat var/worker.pid) 2>/dev/null; rm -f var/worker.pid

migrate: venv services
	@$(WITH_ENV) $(PY) -m flask db upgrade

demo: migrate
	@$(WITH_ENV) $(PY) -m flask demo load --if-empty

# The web console (console/dist, served at /console/); skipped while its lockfile and sources are unchanged.
console:
	@bash scripts/console-build.sh

# Serves the API on http://127.0.0.1:$(PORT) with demo data and the console at /console/ (demo accounts are
# created once and their passwords printed then); WeChat calls go to the local stub. The
# notification worker (outbox → RQ → subscribe messages, log in var/worker.log) runs alongside and
# stops with the server. gthread workers (gunicorn.conf.py): a slow client holds one of $(THREADS) threads, not a
# worker. LOG_FORMAT=text for readable logs in a terminal (default: one JSON line per request).
run: demo console
	@$(WITH_ENV) $(PY) -m flask console demo-accounts
	@if ! [ -f var/stub.pid ] || ! kill -0 $$(cat var/stub.pid) 2>/dev/null; then \
		$(PY) -m miniprogram_stub.wechat_server --port $(STUB_PORT) \
			--callback-url http://127.0.0.1:$(PORT)/api/v1/wechat/media-check > var/stub.log 2>&1 & echo $$! > var/stub.pid; fi
	@$(WITH_ENV) export WECHAT_API_BASE=$${WECHAT_API_BASE:-http://127.0.0.1:$(STUB_PORT)} \
		PUBLIC_BASE_URL=$${PUBLIC_BASE_URL:-http://127.0.0.1:$(PORT)}; \
		$(PY) -m flask notifications work > var/worker.log 2>&1 & echo $$! > var/worker.pid; \
		trap 'kill $$(cat var/worker.pid) 2>/dev/null; rm -f var/worker.pid' EXIT; trap 'exit 130' INT TERM; \
		$(VENV)/bin/gunicorn -c gunicorn.conf.py -w $(WORKERS) --threads $(THREADS) -b 127.0.0.1:$(PORT) wsgi:app

test: venv services
	@$(WITH_ENV) $(PY) -m pytest -q -p no:cacheprovider tests
	@bash scripts/api-fuzz.sh
	@bash scripts/miniprogram-test.sh
	@bash scripts/console-test.sh

# The compose deployment without images: gunicorn (APP_ENV=production) behind nginx with the front's config,
# checked through nginx (tests/smoke/prod_smoke.py says what it covers). CI runs it after `make test`.
prod-smoke: venv services
	@$(WITH_ENV) $(PY) -m tests.smoke.prod_smoke

bench: venv services
	@$(WITH_ENV) $(PY) bench/nearby.py

# pg_dump -Fc of DATABASE_URL + a tar of UPLOAD_DIR into DIR (default var/backups/<UTC time>).
backup: services
	@$(WITH_ENV) bash scripts/backup.sh backup $(DIR)

# Restores DIR into a new database, then swaps it in (the old one is kept); stop `make run` first.
restore: services
	@test -n "$(DIR)" || { echo "usage: make restore DIR=var/backups/<time>" >&2; exit 2; }
	@$(WITH_ENV) bash scripts/backup.sh restore $(DIR)

clean: stop
	rm -rf var $(VENV)
