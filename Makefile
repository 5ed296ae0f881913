# bangdiem — two commands on a fresh machine: `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
DATA ?= var/demo
SAMPLE ?= scans/sample
SAMPLE_PAGES ?= 24
SOAK_MINUTES ?= 10
export BANGDIEM_DATA_DIR ?= $(DATA)

.PHONY: setup system-packages scans demo ingest-demo serve test test-fast lint bench soak audit clean

setup: system-packages $(STAMP)  ## install everything the project needs

system-packages:
	@tools/install-system-packages.sh

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $(STAMP)

scans: setup  ## render a sample set of scans with ground truth into scans/sample
	@[ -f $(SAMPLE)/manifest.json ] || \
	  $(VENV)/bin/bangdiem scans generate --out $(SAMPLE) --pages $(SAMPLE_PAGES) --seed 1975

ingest-demo: scans
	$(VENV)/bin/bangdiem ingest $(SAMPLE) --batch mau-1975 || [ $$? -eq 3 ]
	$(VENV)/bin/bangdiem export --format xlsx --out $(DATA)/mau-1975.xlsx --batch mau-1975
	$(VENV)/bin/bangdiem publish

demo: ingest-demo  ## install, generate sample scans, run the batch, serve the review app and API
	@tools/demo-accounts.sh
	@echo "Ứng dụng duyệt: http://127.0.0.1:8700  —  Tra cứu công khai: http://127.0.0.1:8701/docs"
	$(VENV)/bin/bangdiem serve

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy .

test: setup lint  ## lint, then the whole suite on SQLite and PostgreSQL
	BANGDIEM_TEST_POSTGRES_URL=$$(tools/postgres-test-server.sh) $(PY) -m pytest -n 2

test-fast: setup
	$(PY) -m pytest -n 2 -m "not slow and not postgres"

bench: setup  ## print speed and accuracy figures (ours vs img2table, weather-rescue pages, review, lookup)
	$(PY) -m pip install -q -e '.[bench]'
	@command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get update -qq && apt-get install -y -qq --no-install-recommends wrk >&2; } || \
	  echo "Thiếu wrk (tải cho benchmark tra cứu): sudo apt-get install -y wrk" >&2
	$(PY) -m benchmarks

soak: setup  ## load and soak, SOAK_MINUTES each: 5 reviewers on one batch, then the public service (SQLite, PostgreSQL)
	$(PY) -m benchmarks.soak --minutes $(SOAK_MINUTES) --database both

audit: setup  ## known vulnerabilities in the installed dependencies (needs PyPI's advisory service)
	$(PY) -m pip install -q pip-audit
	$(VENV)/bin/pip-audit --strict --skip-editable

clean:
	rm -rf var $(SAMPLE) build *.egg-info
