# Set-up and everyday commands. `make run` and `make test` are all a newcomer needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip --disable-pip-version-check
# Stamps make a second run reuse what is installed; they are redone when pyproject.toml changes.
APP_STAMP := $(VENV)/.installed-app
TEST_STAMP := $(VENV)/.installed-test
# The browser tests drive Debian's chromium through playwright; `playwright install` cannot download here.
CHROMIUM := /usr/bin/chromium
CHROMIUM_PACKAGES := chromium chromium-driver

.PHONY: run test browser bench narrate-sample clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(APP_STAMP): pyproject.toml | $(BIN)/python
	$(PIP) install -e .
	touch $@

$(TEST_STAMP): pyproject.toml | $(BIN)/python
	# Every engine, so the tests load each one's real code; torch is pinned inside the extras.
	$(PIP) install -e '.[test,kokoro,coqui,piper]'
	@$(MAKE) --no-print-directory browser
	touch $@ $(APP_STAMP)

# Installs chromium with apt when it is missing; never fails: without it the browser tests are skipped.
# `apt-get update` runs only when the install fails for want of package lists.
browser:
	@if [ -x $(CHROMIUM) ]; then exit 0; fi; \
	skip() { echo "make: $$1; the browser tests will be skipped"; exit 0; }; \
	command -v apt-get >/dev/null 2>&1 || skip "no $(CHROMIUM) and no apt-get to install it"; \
	if [ "$$(id -u)" = 0 ]; then sudo=""; else sudo="sudo -n"; fi; \
	apt_install() { $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $(CHROMIUM_PACKAGES) 2>&1; }; \
	echo "make: installing $(CHROMIUM_PACKAGES) with apt-get"; \
	log=$$(apt_install); status=$$?; echo "$$log"; \
	if [ $$status -ne 0 ] && echo "$$log" | grep -qE "Unable to locate package|has no installation candidate"; then \
		echo "make: no package lists yet: apt-get update"; \
		$$sudo env DEBIAN_FRONTEND=noninteractive apt-get update && apt_install; status=$$?; \
	fi; \
	[ $$status -eq 0 ] && [ -x $(CHROMIUM) ] || skip "could not install chromium with apt-get"

# The web app on http://localhost:8501 and the LAN; the first start prints the admin's password.
run: $(APP_STAMP)
	$(BIN)/voxweave serve

narrate-sample: $(APP_STAMP)
	$(BIN)/voxweave narrate voxweave/data/sample.md -o out/sample --format mp3 --subtitles srt,vtt

test: $(TEST_STAMP)
	$(BIN)/python -m pytest

bench: $(TEST_STAMP)
	$(BIN)/python bench/bench_pipeline.py

clean:
	rm -rf $(VENV) out .pytest_cache
