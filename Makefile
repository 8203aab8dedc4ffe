# The commands in README. Everything installs from the package registries only; uv uses this
# machine's Python (nothing else can be downloaded here).
SHELL := /bin/bash
export UV_PYTHON_DOWNLOADS := never
UV := $(shell command -v uv 2>/dev/null || echo python3 -m uv)
DAGSTER_HOME ?= $(CURDIR)/.dagster_home
export DAGSTER_HOME
# The serving copy readers open (ASSETS_DIR as the pipeline reads it, default ./assets).
SERVING_DB = $(or $(ASSETS_DIR),assets)/serving/analytics.duckdb
DEV_PORT ?= 3000

.PHONY: setup demo run dev serve test lint bench report replica probe sql replay

# Packages are compiled to bytecode once, here: uv does not by default, and where
# PYTHONDONTWRITEBYTECODE is set (this machine's shell sets it) every process then compiled
# Dagster from source (import dagster 4.1 s -> 0.8 s). Not a [tool.uv] setting: `uv run`
# would then re-check all 8,800 files (0.4-1.4 s) every time.
setup:  ## install uv if missing, then the locked environment
	@command -v uv >/dev/null 2>&1 || python3 -m uv --version >/dev/null 2>&1 \
		|| python3 -m pip install --quiet uv
	$(UV) sync --all-groups --locked --compile-bytecode
	@mkdir -p "$(DAGSTER_HOME)"
	@test -f "$(DAGSTER_HOME)/dagster.yaml" || cp dagster.yaml "$(DAGSTER_HOME)/dagster.yaml"

# demo and run: one refresh at a time (a second one says who holds it and exits 75); Ctrl-C or
# SIGTERM stops the run within seconds and marks it CANCELED/FAILURE (pipelines/demo.py).
demo: setup  ## offline: start the replica, materialise every asset into assets/, print a summary
	$(UV) run python -m pipelines.demo

run: setup  ## the same against the real publishers (FRED_*_URL, MOF_URL, TIC_URL override hosts)
	$(UV) run python -m pipelines.demo --live

# make dev never starts schedules or sensors by itself: JGB_AUTOMATION from the shell is
# ignored here (production runs the daemon with JGB_AUTOMATION=on, see README);
# `make dev JGB_AUTOMATION=on` switches them on deliberately.
dev: setup  ## the Dagster UI on http://127.0.0.1:3000 (DEV_PORT), schedules and sensors off
	JGB_AUTOMATION=$(if $(filter command line,$(origin JGB_AUTOMATION)),$(JGB_AUTOMATION),off) \
		$(UV) run dagster dev -w workspace.yaml -h 127.0.0.1 -p $(DEV_PORT)

serve: setup  ## production processes until Ctrl-C: code server, daemon, webserver (docs/deploy.md)
	$(UV) run python -m pipelines.serve

# The suite runs in TEST_WORKERS processes (pytest-xdist; TEST_WORKERS=0: in this one), longest
# work first as measured in tests/durations.json (tests/scheduling.py). Three, on 2 cores: much
# of the suite waits on servers, sleeps and child processes (whole runs on one idle 2-core
# machine, 2026-11-30: 13 min 51 s with 2; 12 min 43 s and 13 min 42 s with 3, a small gain
# within the spread between runs). PYTEST_ARGS adds options,
# e.g. --durations=150 to refresh that table (python -m tests.scheduling LOG). The suite's
# processes keep compiled bytecode in .pytest_cache/pycache even under PYTHONDONTWRITEBYTECODE
# (tests/conftest.py).
TEST_WORKERS ?= 3
test: setup  ## the test suite, offline, in 3 processes: 13-14 minutes on 2 idle cores (real files in tests/data/)
	$(UV) run pytest -n $(TEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)

lint: setup
	$(UV) run ruff check .

bench: setup  ## benchmarks/ against the replica; writes benchmarks/REPORT.md (SCALE=1: the scale runs only)
	$(if $(SCALE),$(UV) run python -m benchmarks.scale,$(UV) run python -m benchmarks.run)

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
