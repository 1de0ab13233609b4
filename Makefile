# The README's commands. `make demo` serves the demo; `make test` runs every gate.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
VENDOR := src/kollega/core/static/vendor
# A fresh Debian machine often runs upgrades at first boot: wait for the dpkg lock, not fail.
APT_GET := apt-get -o DPkg::Lock::Timeout=600
DEMO_ENV := KOLLEGA_DEMO=1

# Debian packages: node/npm build the front end, gettext compiles translations,
# chromium runs browser tests (with a Chinese font, so screenshots of zh-hans pages are readable),
# espeak-ng and sox make test audio, systemd (systemd-analyze) and nginx check deploy/.
APT_BUILD := nodejs npm gettext
APT_TEST := chromium fonts-wqy-microhei espeak-ng sox systemd nginx openssl

.PHONY: demo test lint typecheck imports pytest fuzz static messages apt-build apt-test clean help

help:
	@echo "make demo   install into .venv, prepare var/kollega.sqlite3 with demo data, serve on http://127.0.0.1:8000/"
	@echo "make test   install test tools and run ruff, mypy, import-linter and pytest"
	@echo "make fuzz   the fuzz suite (tests/fuzz) with many examples; FUZZ_EXAMPLES=N to change"

define apt_install
	@missing=""; for pkg in $(1); do \
	  case $$pkg in \
	    fonts-*) dpkg -s $$pkg >/dev/null 2>&1 || missing="$$missing $$pkg"; continue;; \
	    nodejs) bin=node;; gettext) bin=msgfmt;; systemd) bin=systemd-analyze;; *) bin=$$pkg;; \
	  esac; \
	  command -v $$bin >/dev/null 2>&1 || missing="$$missing $$pkg"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  $(SUDO) $(APT_GET) update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) $(APT_GET) install -y -qq $$missing; \
	fi
endef

apt-build:
	$(call apt_install,$(APT_BUILD))

apt-test:
	$(call apt_install,$(APT_TEST))

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip wheel

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install -q -e '.[test]'
	touch $@

node_modules/.installed: package.json package-lock.json | apt-build
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

static: node_modules/.installed
	mkdir -p $(VENDOR)
	cp node_modules/@digdir/designsystemet-css/dist/src/index.css $(VENDOR)/designsystemet.css
	cp node_modules/@digdir/designsystemet-theme/brand/digdir.css $(VENDOR)/theme.css
	cp node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/htmx.min.js

messages: $(VENV)/.installed | apt-build
	cd src/kollega && KOLLEGA_DEMO=1 KOLLEGA_VAR_DIR=$(CURDIR)/var ../../$(BIN)/kollega compilemessages -v 0

demo: $(VENV)/.installed static messages
	$(DEMO_ENV) $(BIN)/kollega demo

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(VENV)/.installed-test
	$(BIN)/mypy src/kollega

imports: $(VENV)/.installed-test
	$(BIN)/lint-imports

pytest: $(VENV)/.installed-test static messages apt-test
	# The faults suite kills worker processes that share the test database; it runs in its own
	# session, away from the browser tests' live server and its open connections.
	$(BIN)/pytest --cov --cov-report= --ignore=tests/faults
	$(BIN)/pytest --cov --cov-append --cov-report=term:skip-covered tests/faults

test: lint typecheck imports pytest

# `make test` runs tests/fuzz with a few examples each; this runs them long.
FUZZ_EXAMPLES ?= 1000
fuzz: $(VENV)/.installed-test
	KOLLEGA_FUZZ=long KOLLEGA_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/pytest -p no:randomly -p no:cov tests/fuzz

clean:
	rm -rf $(VENV) node_modules $(VENDOR) .mypy_cache .ruff_cache
