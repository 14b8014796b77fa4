# Set-up and everyday commands. `make run` and `make test` are all a newcomer needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip --disable-pip-version-check
# Stamps make a second run reuse what is installed; they are redone when pyproject.toml changes.
APP_STAMP := $(VENV)/.installed-app
TEST_STAMP := $(VENV)/.installed-test

.PHONY: run test bench narrate-sample clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(APP_STAMP): pyproject.toml | $(BIN)/python
	$(PIP) install -e .
	touch $@

$(TEST_STAMP): pyproject.toml | $(BIN)/python
	# Every engine, so the tests load each one's real code; torch is pinned inside the extras.
	$(PIP) install -e '.[test,kokoro,coqui,piper]'
	touch $@ $(APP_STAMP)

run: $(APP_STAMP)
	$(BIN)/voxweave narrate voxweave/data/sample.md -o out/sample --format mp3 --subtitles srt,vtt

test: $(TEST_STAMP)
	$(BIN)/python -m pytest

bench: $(TEST_STAMP)
	$(BIN)/python bench/bench_pipeline.py

clean:
	rm -rf $(VENV) out .pytest_cache
