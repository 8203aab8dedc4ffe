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

    job = defs.resolve_job_def(REFRESH_ALL)
    instance = dg.DagsterInstance.get() if os.environ.get("DAGSTER_HOME") else None
    print("RUNNER START", flush=True)
    result = job.execute_in_process(instance=instance, raise_on_error=False)
    print(f"RUN {result.run_id} {'SUCCESS' if result.success else 'FAILURE'}", flush=True)
    return 0 if result.success else 1


if __name__ == "__main__":
    sys.exit(main())
