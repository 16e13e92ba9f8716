# Two commands do everything on a fresh Debian 12 machine: `make demo` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV   := .venv
PY     := $(VENV)/bin/python
BIN    := $(VENV)/bin
PYTHON ?= python3
# Debian packages the pipeline, its tests and its reports need.
APT_PACKAGES := tesseract-ocr tesseract-ocr-rus tesseract-ocr-eng tesseract-ocr-osd \
	ghostscript qpdf unpaper pngquant poppler-utils \
	fonts-dejavu-core fonts-dejavu-extra fonts-freefont-ttf fonts-liberation fonts-urw-base35 \
	chromium python3-venv
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: help setup apt venv demo test bench check docker-test clean

help:
	@echo "make demo   - install what is missing, digitize scans/ into out/, print the accuracy report"
	@echo "make test   - install what is missing, run the test suite"
	@echo "make bench  - accuracy, layout and throughput benchmarks (slow)"
	@echo "make check  - ruff and mypy"
	@echo "make docker-test - build the Docker image, run it on scans/ and compare with a run on this machine"

setup: apt venv

# Installs only the packages that are missing, so a second run does nothing.
apt:
	@missing=$$(for p in $(APT_PACKAGES); do \
	    dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	    echo "installing Debian packages:" $$missing; \
	    $(SUDO) apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install -q --upgrade pip
	@$(PY) -m pip install -q -e '.[dev]'
	@touch $@

demo: setup
	$(BIN)/digitize run scans/ --out out/ --ground-truth ground_truth/ ; code=$$?; \
	echo; echo "Outputs: out/<document>/<document>.pdf .txt .json; run record: out/run.json"; \
	echo "Accuracy: out/accuracy.json"; \
	[ -f out/report/report.html ] && echo "Report: out/report/report.html"; \
	exit $$code

test: setup
	$(BIN)/pytest -q -m "not slow and not docker"

bench: setup
	@for b in bench/*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

check: setup
	$(BIN)/ruff check digitize tests bench
	$(BIN)/ruff format --check digitize tests bench
	$(BIN)/mypy digitize

# tests/docker/build_and_run.sh: builds the image with a private dockerd (installs docker.io and debootstrap
# if missing), runs it on scans/ and checks it gives the same PDFs and CER as the host (~16 min, 2 busy cores).
docker-test: setup
	bash tests/docker/build_and_run.sh

clean:
	rm -rf out/ .pytest_cache build dist
