# PredelQ — `make help` lists the targets.
# Everything runs from the project-local virtual environment (.venv); nothing is
# installed globally and nothing needs editing: see profiles.example.yml.

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

export DBT_PROFILES_DIR := $(CURDIR)/.dbt
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export GX_ANALYTICS_ENABLED := false
export PYTHONDONTWRITEBYTECODE := 1

# Size of the demo portfolio (see README: "The demo portfolio").
DEMO_ASSETS ?= 450
DEMO_DAYS ?= 240
DEMO_SEED ?= 42

.PHONY: help setup demo test lint fmt bench docs evaluate pipeline clean pg-setup spark-setup metabase-sync train score

help: ## List the targets
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | \
	  awk 'BEGIN {FS = ":.*?## "}; {printf "  \033[36m%-10s\033[0m %s\n", $$1, $$2}'

$(STAMP): requirements.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@touch $(STAMP)

$(DBT_PROFILES_DIR)/profiles.yml: profiles.example.yml
	@mkdir -p $(DBT_PROFILES_DIR)
	cp profiles.example.yml $@

setup: $(STAMP) $(DBT_PROFILES_DIR)/profiles.yml ## Create .venv and install the pinned dependencies

demo: setup ## Simulate the demo portfolio into DuckDB and run the whole pipeline
	$(BIN)/predelq demo --assets $(DEMO_ASSETS) --days $(DEMO_DAYS) --seed $(DEMO_SEED)

# Test files run in this many processes at once (pytest-xdist; 0 runs them in this one).
TEST_WORKERS ?= 2

test: setup ## Lint, then run the whole test suite (DuckDB and PostgreSQL)
	$(MAKE) --no-print-directory lint
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile

lint: setup ## sqlfluff on the SQL, ruff on the Python
	$(BIN)/ruff check predelq ml python_models tests bench
	$(BIN)/ruff format --check predelq ml python_models tests bench
	@mkdir -p target
	PREDELQ_DUCKDB_PATH=$(CURDIR)/target/lint.duckdb $(BIN)/sqlfluff lint models tests

fmt: setup ## Fix what ruff and sqlfluff can fix
	$(BIN)/ruff check --fix predelq ml python_models tests bench
	$(BIN)/ruff format predelq ml python_models tests bench
	@mkdir -p target
	PREDELQ_DUCKDB_PATH=$(CURDIR)/target/lint.duckdb $(BIN)/sqlfluff fix models tests

bench: setup ## Run the benchmarks; results go to bench/results/
	$(BIN)/python -m bench.run

pipeline: setup ## Cron job: load ./inbox, check, dbt build, score, publish (PIPELINE_ARGS=...)
	$(BIN)/predelq pipeline $(PIPELINE_ARGS)

train: setup ## Train the delinquency models (30/90/180 days) on the built warehouse and register them
	$(BIN)/predelq train

score: setup ## Score the latest as-of day with the active models, then rebuild what reads the scores
	$(BIN)/python -c "from ml.pipeline import score_step; from predelq.db import Target; score_step(Target.from_env())"

pg-setup: setup ## Create the PostgreSQL database of target pg if missing
	$(BIN)/predelq db-create --target pg

spark-setup: setup ## Check Java for the spark target and start local Spark once (README "Spark")
	@command -v java >/dev/null || { echo "no java: apt-get install openjdk-17-jre-headless"; exit 2; }
	@java -version 2>&1 | head -1
	$(BIN)/python -c "import time; t = time.time(); from predelq.spark import session, describe; \
	  session(); print(describe(), f'started in {time.time() - t:.1f}s')"

# dbt docs site (README "Connect Metabase" for the sync). DOCS_PORT / DOCS_TARGET_PATH to change.
DOCS_PORT ?= 8080
DOCS_TARGET_PATH ?= target

docs: setup ## Generate the dbt docs site (lineage graph) and serve it on localhost:DOCS_PORT (8080)
	$(BIN)/predelq dbt docs generate --static --target-path $(DOCS_TARGET_PATH)
	@echo "Also written: $(DOCS_TARGET_PATH)/static_index.html, the whole site in one file (open it, or mail it)."
	$(BIN)/predelq dbt docs serve --no-browser --port $(DOCS_PORT) --target-path $(DOCS_TARGET_PATH)

# Metabase: METABASE_URL, METABASE_API_KEY and METABASE_DATABASE (its name in Metabase).
METABASE_URL ?= http://localhost:3000
METABASE_DATABASE ?= predelq

metabase-sync: setup ## Push the marts' descriptions and semantic types to Metabase (dbt-metabase)
	@test -n "$(METABASE_API_KEY)" || { echo "set METABASE_API_KEY (Metabase > Admin > API keys)"; exit 2; }
	$(BIN)/predelq dbt parse --target-path $(DOCS_TARGET_PATH)
	$(BIN)/dbt-metabase models --manifest-path $(DOCS_TARGET_PATH)/manifest.json \
	  --metabase-url "$(METABASE_URL)" --metabase-api-key "$(METABASE_API_KEY)" \
	  --metabase-database "$(METABASE_DATABASE)" --include-schemas marts

clean: ## Remove build output (keeps .venv and the DuckDB file)
	rm -rf target logs dbt_packages

evaluate: setup ## Write reports/evaluation.md: warnings and models vs the simulator's truth
	$(BIN)/predelq evaluate
