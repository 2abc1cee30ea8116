# The two commands: `make run` (set up everything, serve the app and a worker) and `make test`.
SHELL := /bin/bash
PY := .venv/bin/python
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export OMP_THREAD_LIMIT := 1

.PHONY: run test test-fast setup setup-test lint bench migrate stop-db shell admin

run:
	@bash scripts/setup.sh
	@bash scripts/run.sh

test:
	@bash scripts/setup.sh --test
	@bash scripts/test.sh $(ARGS)

# The inner loop: everything but the tests that ingest real documents, start processes or drive Chromium.
test-fast:
	@bash scripts/setup.sh --test
	@bash scripts/test.sh -m "not slow and not browser" $(ARGS)

setup:
	@bash scripts/setup.sh

setup-test:
	@bash scripts/setup.sh --test

lint:
	@$(PY) -m ruff check .

bench:
	@$(PY) bench/ingest.py
	@$(PY) bench/retrieval.py
	@$(PY) bench/chat.py
	@$(PY) bench/review.py
	@$(PY) bench/generate.py
	@$(PY) bench/pages.py
	@$(PY) bench/soak.py

migrate:
	@$(PY) manage.py migrate --noinput
	@$(PY) manage.py createcachetable

stop-db:
	@$(PY) -m smartnotes.embedded_pg stop var/pg

shell:
	@$(PY) manage.py shell

# The first administrator (the Django admin at /admin/): set up, then asks for a name, e-mail and password.
admin:
	@bash scripts/setup.sh
	@$(PY) manage.py createsuperuser
