# Two commands for a new user: `make run` (the app on the demo borough) and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
WAREHOUSE ?= $(or $(EARLYHELP_WAREHOUSE),data/warehouse)
DEMO_EXTRACT ?= data/demo
# Optional: DfE published files (or their folder) to load into a new demo warehouse, e.g.
# `make run BENCHMARKS=~/Downloads/dfe`; without them the Compared with others page says how.
BENCHMARKS ?=
PORT ?= 8501
SUDO := $(shell [ "$$(id -u)" = "0" ] || echo sudo)

.PHONY: run test lint demo clean chromium pack-libs pdf-tools screenshots

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.runtime-installed: requirements.txt | $(VENV)/bin/python
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements.txt requirements-dev.txt | $(VENV)/bin/python
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $(VENV)/.runtime-installed $@

# Debian's chromium for the real-browser tests (Playwright uses it; it downloads no browser)
# and for the committee pack's charts (kaleido draws them in it).
chromium:
	@command -v chromium >/dev/null 2>&1 || { $(SUDO) apt-get update && $(SUDO) apt-get install -y chromium; }

# The committee pack's PDF: WeasyPrint needs Pango (with HarfBuzz's subsetter) from Debian, and
# the pack's tests read its PDFs with poppler's pdftotext.
pack-libs:
	@/sbin/ldconfig -p | grep -q libpangoft2-1.0 && /sbin/ldconfig -p | grep -q libharfbuzz-subset || { $(SUDO) apt-get update && $(SUDO) apt-get install -y libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-liberation; }

pdf-tools:
	@command -v pdftotext >/dev/null 2>&1 || { $(SUDO) apt-get update && $(SUDO) apt-get install -y poppler-utils; }

$(WAREHOUSE)/CURRENT: | $(VENV)/.runtime-installed
	$(PY) -m earlyhelp demo --out $(DEMO_EXTRACT)
	$(PY) -m earlyhelp ingest $(DEMO_EXTRACT) --warehouse $(WAREHOUSE)
	$(if $(BENCHMARKS),$(PY) -m earlyhelp benchmarks --warehouse $(WAREHOUSE) $(BENCHMARKS))

demo: $(WAREHOUSE)/CURRENT

# A warehouse built by an earlier release is brought up to date first (its tables are reused).
run: $(VENV)/.runtime-installed $(WAREHOUSE)/CURRENT pack-libs chromium
	$(PY) -m earlyhelp rebuild --warehouse $(WAREHOUSE) --if-outdated
	EARLYHELP_WAREHOUSE=$(WAREHOUSE) $(VENV)/bin/streamlit run app.py --server.port $(PORT)

test: $(VENV)/.dev-installed chromium pack-libs pdf-tools
	$(PY) -m pytest

# Every page's first screen at 1366x768, normal and presenting, for the README: docs/screenshots/.
screenshots: $(VENV)/.dev-installed $(WAREHOUSE)/CURRENT chromium pack-libs
	$(PY) -m tests.first_screens --warehouse $(WAREHOUSE)

lint: $(VENV)/.dev-installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

clean:
	rm -rf $(VENV) $(WAREHOUSE) $(DEMO_EXTRACT) tests/screenshots
