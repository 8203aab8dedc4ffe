"""`refresh_all` in its own process, the way `make demo` runs it (the tests kill it, or race two).

Everything comes from the environment (ASSETS_DIR, FRED_CATALOGUE, the publishers' URLs,
DAGSTER_HOME for a persistent instance). Prints `RUN <id> SUCCESS|FAILURE`; exit code 0/1.
"""

from __future__ import annotations

import os
import sys

import dagster as dg


def main() -> int:
    from pipelines.definitions import REFRESH_ALL, defs
    from pipelines.lib import runguard

    job = defs.resolve_job_def(REFRESH_ALL)
    instance = dg.DagsterInstance.get() if os.environ.get("DAGSTER_HOME") else None
    if instance is not None:  # what make demo does first (pipelines/demo.py)
        runguard.release_dead_runs(instance)
    print("RUNNER START", flush=True)
    result = job.execute_in_process(instance=instance, raise_on_error=False,
                                    tags={runguard.ENTRY_TAG: "make demo"})
    print(f"RUN {result.run_id} {'SUCCESS' if result.success else 'FAILURE'}", flush=True)
    return 0 if result.success else 1


if __name__ == "__main__":
    sys.exit(main())
