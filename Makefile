# OTP Dash: `make run` serves the app, `make test` runs the whole suite. Both set themselves up.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
BIND   ?= 127.0.0.1:8000
export OTPDASH_BIND := $(BIND)

.PHONY: venv venv-test system-deps container-deps run test lint messages catalogues image test-containers bench-detect bench-scan \
        bench-scan-large bench-web bench-footprint bench-office clean

venv: $(VENV)/.installed

$(VENV)/.installed: requirements.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "OTP Dash needs Python 3.11 or newer")'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

venv-test: $(VENV)/.installed-test tests/tooling/node_modules/.installed

$(VENV)/.installed-test: $(VENV)/.installed requirements-test.txt
	$(PY) -m pip install --quiet -r requirements-test.txt
	touch $@

# axe-core, which the browser tests run in each page to find accessibility faults (pinned in the lock).
tests/tooling/node_modules/.installed: tests/tooling/package.json tests/tooling/package-lock.json
	@command -v npm >/dev/null 2>&1 || { echo "The browser tests need axe-core from the npm registry: install Node.js and npm (apt-get install -y nodejs npm)"; exit 1; }
	cd tests/tooling && npm ci --silent --no-audit --no-fund
	touch $@

# Debian packages the tests and benchmarks start as real programs: Dovecot for IMAP, Chromium for the UI,
# nginx as the README's reverse proxy, PostgreSQL's client for backups, dnsmasq as the DNS server that
# serves DKIM keys to the signature tests, Prometheus to scrape /metrics in the metrics test, gettext's
# xgettext for make messages and the pseudo-locale test, Mosquitto as the Home Assistant test's MQTT
# broker. (Debian's policy-rc.d keeps their system services from starting.)
SYSTEM_PACKAGES := dovecot-core dovecot-imapd chromium nginx postgresql-client dnsmasq-base prometheus gettext mosquitto
system-deps:
	@if { command -v dovecot >/dev/null 2>&1 || test -x /usr/sbin/dovecot; } && test -x /usr/bin/chromium \
	   && { command -v nginx >/dev/null 2>&1 || test -x /usr/sbin/nginx; } && command -v pg_dump >/dev/null 2>&1 \
	   && { command -v dnsmasq >/dev/null 2>&1 || test -x /usr/sbin/dnsmasq; } \
	   && { command -v prometheus >/dev/null 2>&1 || test -x /usr/bin/prometheus; } \
	   && command -v xgettext >/dev/null 2>&1 && command -v msgmerge >/dev/null 2>&1 \
	   && { command -v mosquitto >/dev/null 2>&1 || test -x /usr/sbin/mosquitto; }; \
	then exit 0; fi; \
	if [ "$$(id -u)" != 0 ]; then \
	  echo "The tests need Dovecot, Chromium, nginx, pg_dump, dnsmasq, Prometheus, gettext and Mosquitto: run 'sudo apt-get install -y $(SYSTEM_PACKAGES)' (or make test as root)"; exit 1; fi; \
	echo "Installing $(SYSTEM_PACKAGES) (private instances are started by the tests; no system service is enabled)"; \
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q $(SYSTEM_PACKAGES) >/dev/null \
	  || { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $(SYSTEM_PACKAGES) >/dev/null; }

# The .po catalogues into .mo files, with polib: running OTP Dash needs no gettext package.
catalogues: venv
	$(PY) manage.py compile_catalogues

# Updates locale/<language>/LC_MESSAGES/django.po from the marked strings (our makemessages adds N_, for
# strings translated where shown); then translate, make lint shows what is left; .mo files are never committed.
LANGUAGE_DIRS := de fr es it pt_BR nl pl
messages: venv system-deps
	$(PY) manage.py makemessages --no-obsolete $(addprefix -l ,$(LANGUAGE_DIRS)) \
	  --ignore='.venv/*' --ignore='tests/*' --ignore='static/*' --ignore='data/*' --ignore='node_modules/*'

run: venv catalogues
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput --verbosity 0
	@echo ""
	@echo "  OTP Dash is starting: open http://$(BIND)/   (Ctrl-C stops everything)"
	@echo ""
	$(PY) -m otpdash.stack

lint: venv-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py check_catalogues

test: venv-test system-deps lint catalogues
	$(PY) -m pytest -n 2 -q --ignore=tests/containers

# --- the container image (see the README's "Run with containers") ---
IMAGE      ?= localhost/otpdash:latest
BASE_IMAGE := docker.io/library/debian:bookworm-slim
CONTAINER_PACKAGES := podman runc mmdebstrap podman-compose
# The build machines refuse crun's cgroup and rlimit handling; this config is harmless elsewhere.
export CONTAINERS_CONF ?= $(CURDIR)/deploy/podman/containers.conf
CA_BUNDLE := /etc/ssl/certs/ca-certificates.crt

container-deps:
	@if command -v podman >/dev/null 2>&1 && command -v runc >/dev/null 2>&1 && command -v mmdebstrap >/dev/null 2>&1 \
	   && command -v podman-compose >/dev/null 2>&1; then exit 0; fi; \
	if [ "$$(id -u)" != 0 ]; then \
	  echo "Building the image needs podman: run 'sudo apt-get install -y $(CONTAINER_PACKAGES)' (or make image as root)"; exit 1; fi; \
	echo "Installing $(CONTAINER_PACKAGES)"; \
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q $(CONTAINER_PACKAGES) >/dev/null \
	  || { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $(CONTAINER_PACKAGES) >/dev/null; }

# The base is pulled where a registry is reachable, else made from Debian's own packages (mmdebstrap).
image: container-deps
	@podman image exists $(BASE_IMAGE) || podman pull -q $(BASE_IMAGE) 2>/dev/null || { \
	  echo "No registry reachable: making $(BASE_IMAGE) from Debian's packages with mmdebstrap"; \
	  tmp=$$(mktemp -d) && mmdebstrap --quiet --variant=minbase --include=ca-certificates bookworm $$tmp/rootfs.tar \
	  && podman import -q $$tmp/rootfs.tar $(BASE_IMAGE) >/dev/null; status=$$?; rm -rf $$tmp; exit $$status; }
	podman build --quiet --format docker --pull=never \
	  $$(test -f $(CA_BUNDLE) && echo "--volume $(CA_BUNDLE):$(CA_BUNDLE):ro --build-arg PIP_CERT=$(CA_BUNDLE)") \
	  -t $(IMAGE) -f Containerfile .
	@echo "$(IMAGE): $$(podman image inspect --format '{{.Size}}' $(IMAGE) | awk '{printf "%.0f MB", $$1 / 1e6}')"

test-containers: image venv-test system-deps
	OTPDASH_TEST_IMAGE=$(IMAGE) $(PY) -m pytest -q tests/containers

bench-detect: venv
	$(PY) tests/bench/bench_detect.py

bench-scan: venv-test system-deps
	$(PY) tests/bench/bench_scan.py

# The same on 100,000 messages: per_message_ms should stay near bench-scan's as the mailbox grows.
bench-scan-large: venv-test system-deps
	BENCH_MESSAGES=100000 $(PY) tests/bench/bench_scan.py

bench-web: venv-test
	$(PY) tests/bench/bench_web.py

bench-footprint: venv-test system-deps
	$(PY) tests/bench/footprint.py

bench-office: venv-test system-deps
	$(PY) tests/bench/bench_office.py

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis .ruff_cache
