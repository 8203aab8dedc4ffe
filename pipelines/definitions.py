"""The code location: every asset, check, resource, schedule and sensor, in one Definitions.

Policy that applies to every asset (freshness from its cadence) is applied here, once.
"""

import dagster as dg

from pipelines.defs.fred.assets import fred_series
from pipelines.defs.freshness import apply_freshness
from pipelines.defs.jobs import JOBS
from pipelines.defs.marts.assets import MART_ASSETS
from pipelines.defs.mof.flows import mof_securities_flows
from pipelines.defs.mof.jgb import mof_jgb_yields
from pipelines.defs.resources import PublishersResource, WarehouseResource
from pipelines.defs.schedules import SCHEDULES
from pipelines.defs.sensors import SENSORS
from pipelines.defs.serving.assets import SERVING_ASSETS
from pipelines.defs.tic.holdings import tic_major_foreign_holders
from pipelines.lib.console import LOGGERS
from pipelines.lib.runguard import drain_plan_events

# Every run here uses the in-process executor, whose loop can spin forever after a failure
# (a Dagster bug, lib/runguard.py): guard it where the code location loads, so runs launched
# by make demo, the CLI, the UI or the daemon's run workers all end.
drain_plan_events()

# Everything, in dependency order within one run: what `make demo` and `make run` execute.
refresh_all = dg.define_asset_job(
    "refresh_all",
    selection=dg.AssetSelection.all(),
    description="Every source, then the marts, the serving copy, the report and the alerts.",
)

defs = dg.Definitions(
    assets=apply_freshness([
        fred_series,
        mof_jgb_yields,
        mof_securities_flows,
        tic_major_foreign_holders,
        *MART_ASSETS,
        *SERVING_ASSETS,
    ]),
    jobs=[refresh_all, *JOBS],
    # One process per run: every step takes the one-slot "warehouse" pool, so a process per
    # step (the default executor) bought no parallelism and cost an import of this module each.
    executor=dg.in_process_executor,
    schedules=SCHEDULES,
    sensors=SENSORS,
    loggers=LOGGERS,  # one line per failure on the console, no stack traces (lib/console.py)
    resources={
        "warehouse": WarehouseResource(),
        "publishers": PublishersResource(),
    },
)
