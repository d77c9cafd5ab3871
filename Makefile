# OTP Dash: `make run` serves the app, `make test` runs the whole suite. Both set themselves up.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
BIND   ?= 127.0.0.1:8000
export OTPDASH_BIND := $(BIND)

.PHONY: venv venv-test run test lint bench-detect clean

venv: $(VENV)/.installed

$(VENV)/.installed: requirements.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "OTP Dash needs Python 3.11 or newer")'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

venv-test: $(VENV)/.installed-test

$(VENV)/.installed-test: $(VENV)/.installed requirements-test.txt
	$(PY) -m pip install --quiet -r requirements-test.txt
	touch $@

run: venv
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput --verbosity 0
	@echo ""
	@echo "  OTP Dash is starting: open http://$(BIND)/   (Ctrl-C stops everything)"
	@echo ""
	$(VENV)/bin/honcho --procfile Procfile start

lint: venv-test
	$(VENV)/bin/ruff check .

test: venv-test lint
	$(PY) -m pytest -n 2 -q

bench-detect: venv
	$(PY) tests/bench/bench_detect.py

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis .ruff_cache
