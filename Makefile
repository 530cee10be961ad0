# Two commands on a fresh machine: `make demo` and `make test`. Both set up .venv first.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_DB := data/demo.db

.PHONY: setup demo test eval bench serve clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,serve]'
	touch $(STAMP)

demo: setup
	rm -f $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm
	$(BIN)/kb ingest data/samples/ --db $(DEMO_DB)
	$(BIN)/kb query --therapy immunotherapy --outcome OS --db $(DEMO_DB)
	$(BIN)/kb crosstab --rows therapy --cols outcome --count figures --db $(DEMO_DB)

serve: demo
	$(BIN)/kb serve --db $(DEMO_DB)

test: setup
	$(BIN)/python -m pytest

eval: setup
	$(BIN)/python eval/run_eval.py

bench: setup
	$(BIN)/pip install --quiet -e '.[test,serve,bench]'
	$(BIN)/python bench/bench_extract.py
	$(BIN)/python bench/bench_pubmed.py
	$(BIN)/python bench/bench_streaming.py

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache $(DEMO_DB)*
