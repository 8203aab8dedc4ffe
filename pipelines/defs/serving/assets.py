"""Serving assets: the analysts' read-only copy, the HTML report and threshold alerts.

Each follows the marts it reads with AutomationCondition.eager(): one refresh after each mart
change, none while a mart is still building. They read the warehouse under the writer lock
(`pool="warehouse"`), so they see one consistent state and never race a writer.
"""

# No `from __future__ import annotations`: Dagster checks the context annotation at runtime.
from datetime import UTC, datetime

import dagster as dg

from pipelines.defs.resources import WarehouseResource
from pipelines.marts.build import discover_marts
from pipelines.serving.alerts import raise_alerts
from pipelines.serving.publish import publish_serving_copy
from pipelines.serving.report import CHARTS, write_report

GROUP = "serving"
ANALYTICS_KEY = dg.AssetKey([GROUP, "analytics_duckdb"])
REPORT_KEY = dg.AssetKey([GROUP, "report"])
ALERTS_KEY = dg.AssetKey([GROUP, "alerts"])
THRESHOLD_EVENTS_KEY = dg.AssetKey(["marts", "threshold_events"])


def mart_key(name: str) -> dg.AssetKey:
    return dg.AssetKey(["marts", name])


MART_KEYS = [mart_key(m.name) for m in discover_marts()]
REPORT_MART_KEYS = sorted({mart_key(c.table.split(".")[1]) for c in CHARTS},
                          key=lambda k: k.to_user_string())


def _last_built(context: dg.AssetExecutionContext, keys: list[dg.AssetKey]) -> dict[str, datetime]:
    """"marts.<name>" -> its latest materialisation time, for meta.table_status."""
    out = {}
    for key in keys:
        event = context.instance.get_latest_materialization_event(key)
        if event is not None:
            out[f"marts.{key.path[-1]}"] = datetime.fromtimestamp(event.timestamp, UTC)
    return out


@dg.asset(
    key=ANALYTICS_KEY,
    deps=MART_KEYS,
    group_name=GROUP,
    kinds={"duckdb", "parquet"},
    pool="warehouse",
    automation_condition=dg.AutomationCondition.eager(),
    description=(
        "assets/serving/analytics.duckdb: read-only copy of staging (with _history vintages),"
        " marts and meta.table_status for analysts and BI tools, in DuckDB storage v1.0.0 so"
        " DuckDB 1.x drivers open it; swapped in atomically so open readers are never blocked;"
        " plus assets/serving/parquet/<mart>.parquet."
    ),
)
def analytics_duckdb(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    serving_dir = warehouse.settings().serving_dir
    built = _last_built(context, MART_KEYS)
    with warehouse.connect() as con:
        report = publish_serving_copy(con, serving_dir, refreshed_at=built)
    failing = [s.qualified for s in report.statuses if s.check_status == "fail"]
    stale = [s.qualified for s in report.statuses if s.freshness_warning]
    context.log.info(
        f"published {report.path} ({report.bytes:,} bytes, {len(report.tables)} tables) in"
        f" {report.duration_s:.2f}s; failing checks: {failing or 'none'}; stale: {stale or 'none'}"
    )
    return dg.MaterializeResult(metadata={
        "path": dg.MetadataValue.path(str(report.path)),
        "bytes": report.bytes,
        "tables": dg.MetadataValue.json(list(report.tables)),
        "table_count": len(report.tables),
        "storage_version": report.storage_version,
        "parquet_files": len(report.parquet),
        "duration_s": round(report.duration_s, 3),
        "tables_failing_checks": dg.MetadataValue.json(failing),
        "tables_with_freshness_warning": dg.MetadataValue.json(stale),
    })


@dg.asset(
    key=REPORT_KEY,
    deps=REPORT_MART_KEYS,
    group_name=GROUP,
    kinds={"html"},
    pool="warehouse",
    automation_condition=dg.AutomationCondition.eager(),
    description=(
        "assets/serving/report.html: one self-contained page (inline SVG, works offline) with"
        " 10-year UST and JGB yields and their spread, the hedged pickup, Japan's UST holdings"
        " and 12-month change beside MOF flows, and US net liquidity against Bitcoin."
    ),
)
def report(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    out = warehouse.settings().serving_dir / "report.html"
    with warehouse.connect() as con:
        counts = write_report(con, out)
    context.log.info(f"wrote {out}: {counts}")
    return dg.MaterializeResult(metadata={
        "path": dg.MetadataValue.path(str(out)),
        "bytes": out.stat().st_size,
        "points_per_chart": dg.MetadataValue.json(counts),
    })


@dg.asset(
    key=ALERTS_KEY,
    deps=[THRESHOLD_EVENTS_KEY],
    group_name=GROUP,
    kinds={"duckdb"},
    pool="warehouse",
    automation_condition=dg.AutomationCondition.eager(),
    description=(
        "meta.alerts: each new threshold crossing in marts.threshold_events, logged once and,"
        " when ALERT_WEBHOOK_URL is set, POSTed once (a failed POST is retried next run)."
    ),
)
def alerts(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    webhook = warehouse.settings().alert_webhook_url
    with warehouse.connect() as con:
        raised = raise_alerts(con, webhook, log=context.log)
        total = con.execute("SELECT count(*) FROM meta.alerts").fetchall()[0][0]
    return dg.MaterializeResult(metadata={
        "alerts_this_run": len(raised),
        "messages": dg.MetadataValue.json([a.message for a in raised][:20]),
        "webhook": "configured" if webhook else "not configured (log only)",
        "webhook_failures": sum(1 for a in raised if a.webhook_status.startswith("failed")),
        "alerts_total": total,
    })


SERVING_ASSETS = [analytics_duckdb, report, alerts]
