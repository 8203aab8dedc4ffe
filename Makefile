# The commands in README. Everything installs from the package registries only; uv uses this
# machine's Python (nothing else can be downloaded here).
SHELL := /bin/bash
export UV_PYTHON_DOWNLOADS := never
UV := $(shell command -v uv 2>/dev/null || echo python3 -m uv)
DAGSTER_HOME ?= $(CURDIR)/.dagster_home
export DAGSTER_HOME
# The serving copy readers open (ASSETS_DIR as the pipeline reads it, default ./assets).
SERVING_DB = $(or $(ASSETS_DIR),assets)/serving/analytics.duckdb

.PHONY: setup demo run dev serve test lint bench report replica probe sql replay

setup:  ## install uv if missing, then the locked environment
	@command -v uv >/dev/null 2>&1 || python3 -m uv --version >/dev/null 2>&1 \
		|| python3 -m pip install --quiet uv
	$(UV) sync --all-groups --locked
	@mkdir -p "$(DAGSTER_HOME)"
	@test -f "$(DAGSTER_HOME)/dagster.yaml" || cp dagster.yaml "$(DAGSTER_HOME)/dagster.yaml"

demo: setup  ## offline: start the replica, materialise every asset into assets/, print a summary
	$(UV) run python -m pipelines.demo

run: setup  ## the same against the real publishers (FRED_*_URL, MOF_URL, TIC_URL override hosts)
	$(UV) run python -m pipelines.demo --live

dev: setup  ## the Dagster UI on http://127.0.0.1:3000, run history kept in .dagster_home/
	$(UV) run dagster dev -w workspace.yaml

serve: setup  ## production processes until Ctrl-C: code server, daemon, webserver (docs/deploy.md)
	$(UV) run python -m pipelines.serve

test: setup  ## the test suite, offline, about 20 minutes on 2 cores (real files in tests/data/)
	$(UV) run pytest

lint: setup
	$(UV) run ruff check .

bench: setup  ## benchmarks/ against the replica; writes benchmarks/REPORT.md
	$(UV) run python -m benchmarks.run

report: setup  ## rebuild assets/serving/report.html from the current warehouse
	$(UV) run python -m pipelines.serving.report

sql: setup  ## Q="SELECT ..." on the serving copy with the DuckDB CLI, read-only; no Q: the shell
	@test -f "$(SERVING_DB)" || { echo "$(SERVING_DB) not found: run make demo first" >&2; exit 1; }
	$(UV) run duckdb -readonly "$(SERVING_DB)" $(if $(Q),"$(Q)")

replay: setup  ## rebuild staging, marts and the serving copy from assets/raw/, no HTTP request
	REPLAY=1 $(UV) run python -m pipelines.demo --live

replica: setup  ## serve the sample snapshot on a free localhost port until Ctrl-C
	$(UV) run python -m pipelines.replica

probe: setup  ## fetch each publisher file once from the real sites; say what each parser makes of it
	$(UV) run python -m pipelines.probe
