# SchoolBell: `make run` serves the demo, `make test` runs the whole suite. Both install first.
VENV     := .venv
BIN      := $(VENV)/bin
PYTHON   ?= python3
STAMP    := $(VENV)/.installed-$(shell cat pyproject.toml constraints.txt | cksum | cut -d' ' -f1)
export FLASK_APP := wsgi:app

.PHONY: install lock run test test-at test-faketime test-postgres soak lint lessons-check bench translations clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -c constraints.txt --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

MO_FILES := $(patsubst %.po,%.mo,$(wildcard translations/*/LC_MESSAGES/messages.po))

translations/%/LC_MESSAGES/messages.mo: translations/%/LC_MESSAGES/messages.po $(STAMP)
	$(BIN)/pybabel compile -d translations -l $* >/dev/null

install: $(STAMP) $(MO_FILES)

# After changing dependencies in pyproject.toml: pin every package, pip and transitive ones too. A
# package already pinned keeps its tested version, except the ones pyproject.toml names (their pins
# are there); `make lock UPGRADE=1` re-resolves every package to the newest allowed.
LOCK_KEEP := import re, tomllib; \
  norm = lambda name: re.sub(r"[-_.]+", "-", name).lower(); \
  project = tomllib.load(open("pyproject.toml", "rb"))["project"]; \
  wanted = project["dependencies"] + sum(project.get("optional-dependencies", {}).values(), []); \
  named = {norm(re.match(r"[A-Za-z0-9._-]+", line)[0]) for line in wanted}; \
  print("".join(line for line in open("constraints.txt") if norm(line.split("==")[0]) not in named))
lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	$(if $(UPGRADE),: >,.lock-venv/bin/python -c '$(LOCK_KEEP)' >) .lock-venv/keep.txt
	.lock-venv/bin/python -m pip install --quiet -c .lock-venv/keep.txt --upgrade pip
	.lock-venv/bin/python -m pip install --quiet -c .lock-venv/keep.txt -e '.[test]' || { rm -rf .lock-venv; \
		echo "make lock: a pinned package no longer fits pyproject.toml; make lock UPGRADE=1 re-resolves all"; \
		exit 1; }
	(echo "# Every package a fresh machine installs, at the version tested (make lock refreshes it)."; \
	 .lock-venv/bin/python -m pip freeze --all --exclude-editable | grep -v '^-e') > .lock-venv/constraints.txt
	mv .lock-venv/constraints.txt constraints.txt
	rm -rf .lock-venv

# After changing UI strings: refresh the catalogs, then translate the new entries.
translations: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -o translations/messages.pot . >/dev/null
	$(BIN)/pybabel update -N -i translations/messages.pot -d translations >/dev/null

# A random SECRET_KEY for development, made once: production sets SECRET_KEY and never uses this file.
instance/secret_key:
	mkdir -p instance
	umask 077 && $(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(48))' > $@

run: install instance/secret_key
	$(BIN)/flask db upgrade
	$(BIN)/flask demo seed --if-empty
	$(BIN)/flask serve --host 127.0.0.1 --port 5000

lint: install
	$(BIN)/ruff check .

lessons-check: install instance/secret_key
	$(BIN)/flask lessons check

# The whole suite on SQLite at the real clock; again on PostgreSQL when SCHOOLBELL_TEST_DATABASE_URL
# names one, with the clock in the other half of Seoul's day (03:30, in quiet hours, when it is day in
# Seoul; 14:00 when it is night), so every run covers both and neither a night nor a day regression lands.
SEOUL_HOUR  := $(shell TZ=Asia/Seoul date +%-H)
OTHER_CLOCK := $(shell TZ=Asia/Seoul date +%F)T$(if $(filter 8 9 10 11 12 13 14 15 16 17 18 19 20,$(SEOUL_HOUR)),03:30,14:00)+09:00
test: install lint lessons-check
	env -u SCHOOLBELL_TEST_DATABASE_URL $(BIN)/pytest -q
	@if [ -n "$$SCHOOLBELL_TEST_DATABASE_URL" ]; then \
		echo "== again on PostgreSQL, at $(OTHER_CLOCK) (the other half of Seoul's day)"; \
		SCHOOLBELL_TEST_CLOCK=$(OTHER_CLOCK) $(BIN)/pytest -q; fi

# The whole suite at a chosen moment, e.g. `make test-at CLOCK=2026-12-05T14:00+09:00` (see tests/clock.py).
test-at: install
	SCHOOLBELL_TEST_CLOCK=$(CLOCK) $(BIN)/pytest -q

# The whole suite with the system clock itself moved (libfaketime, for every process the tests start):
# `make test-faketime CLOCK='2026-12-05 05:00'` (UTC; 14:00 in Seoul). Debian's libfaketime 0.9.10 fakes
# sleeps and hangs Python's timed waits (Event.wait never returns); PyPI's libfaketime package builds it
# without sleep faking, and the monotonic clock stays real. An offset, not a start time, keeps every
# process the tests start on the same clock.
FAKETIME_LIB := $(VENV)/faketime/libfaketime/vendor/libfaketime/src/libfaketime.so.1
$(FAKETIME_LIB): | $(STAMP)
	$(BIN)/python -m pip install --quiet --no-deps --target $(VENV)/faketime libfaketime==3.0.1
test-faketime: install $(FAKETIME_LIB)
	LD_PRELOAD=$(abspath $(FAKETIME_LIB)) FAKETIME_DONT_FAKE_MONOTONIC=1 \
		FAKETIME="$$(printf '%+d' $$(( $$(date -u -d '$(CLOCK)' +%s) - $$(date -u +%s) )))s" $(BIN)/pytest -q

# The fault suite at full size and length (about an hour): real workers, the simulator, an SMTP sink
# and PostgreSQL (then SQLite) broken on purpose; prints what the provider received against the
# database and fails on any loss. `make test` runs a short version of three scenarios.
soak: install
	bash .ci/postgres.sh start >/dev/null
	$(BIN)/python -m tests.faults --database $$(bash .ci/postgres.sh url)
	$(BIN)/python -m tests.faults --database sqlite

# Starts a throwaway PostgreSQL on 127.0.0.1 (installing it from Debian when missing) and tests on it.
test-postgres: install
	bash .ci/postgres.sh start
	SCHOOLBELL_TEST_DATABASE_URL=$$(bash .ci/postgres.sh url) $(BIN)/pytest -q

# Seoul-scale benchmarks (minutes; not tests; bench.seoul sends the whole city: about an hour).
# Also on PostgreSQL when SCHOOLBELL_BENCH_POSTGRES_URL names a database whose schema may be dropped.
bench: install
	$(BIN)/python -m bench.directory_bench $${SCHOOLBELL_BENCH_POSTGRES_URL:+--postgres "$$SCHOOLBELL_BENCH_POSTGRES_URL"}
	$(BIN)/python -m bench.dispatch_bench $${SCHOOLBELL_BENCH_POSTGRES_URL:+--postgres "$$SCHOOLBELL_BENCH_POSTGRES_URL"}
	$(BIN)/python -m bench.seoul $${SCHOOLBELL_BENCH_POSTGRES_URL:+--postgres "$$SCHOOLBELL_BENCH_POSTGRES_URL"}

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache
