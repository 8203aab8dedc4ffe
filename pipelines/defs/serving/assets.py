"""Serving assets: the analysts' read-only copy, the HTML report and threshold alerts.

They run in every run that selects them and decide themselves whether anything changed:

- the serving copy depends on every mart, every ingestion asset (it copies staging) and the
  alerts; it is republished when the fingerprint of what it would hold differs from the one
  recorded in the existing copy, or when there is no readable copy (publish.py);
- the report reads the serving copy and is rewritten when that copy's fingerprint differs
  from the one recorded in the page, or when the page is missing;
- the alerts run every time (a webhook POST that failed is retried).

Each reports its data version, and the automation sensor requests them when an input's data
version changes (defs/automation.py), never merely because an input was materialised.
"""

# No `from __future__ import annotations`: Dagster checks the context annotation at runtime.
import hashlib
from collections.abc import Sequence
from pathlib import Path

import dagster as dg
import duckdb

from pipelines.defs.automation import ON_NEW_DATA_PUBLISH
from pipelines.defs.resources import WarehouseResource
from pipelines.defs.tablemeta import table_metadata
from pipelines.marts.build import discover_marts
from pipelines.serving.alerts import raise_alerts
from pipelines.serving.publish import SERVING_FILE, publish_serving_copy
from pipelines.serving.report import report_data_version, write_report

GROUP = "serving"
ANALYTICS_KEY = dg.AssetKey([GROUP, "analytics_duckdb"])
REPORT_KEY = dg.AssetKey([GROUP, "report"])
ALERTS_KEY = dg.AssetKey([GROUP, "alerts"])
THRESHOLD_EVENTS_KEY = dg.AssetKey(["marts", "threshold_events"])
ALERTS_TABLE = "meta.alerts"
# The code that draws the page: a change to it redraws the page though no data changed.
_REPORT_CODE = tuple(
    Path(__file__).resolve().parents[2] / "serving" / name
    for name in ("report.py", "svg.py", "status.py")
)


def mart_key(name: str) -> dg.AssetKey:
    return dg.AssetKey(["marts", name])


MART_KEYS = [mart_key(m.name) for m in discover_marts()]
def report_code_version() -> str:
    digest = hashlib.sha256()
    for path in _REPORT_CODE:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def build_analytics_asset(ingest_keys: Sequence[dg.AssetKey]) -> dg.AssetsDefinition:
    """The serving copy, depending on the code location's ingestion assets."""
    known = frozenset(k.to_user_string() for k in [*ingest_keys, *MART_KEYS])

    @dg.asset(
        key=ANALYTICS_KEY,
        deps=[*MART_KEYS, *ingest_keys, ALERTS_KEY],
        group_name=GROUP,
        kinds={"duckdb", "parquet"},
        pool="warehouse",
        automation_condition=ON_NEW_DATA_PUBLISH,
        description=(
            "assets/serving/analytics.duckdb: read-only copy of staging (with _history"
            " vintages), marts, meta.table_status (freshness, checks, and is_stale with the"
            " reason when a refresh is failing) for analysts and BI tools, in DuckDB storage"
            " v1.0.0 so DuckDB 1.x drivers open it; swapped in atomically so open readers are"
            " never blocked; plus assets/serving/parquet/<mart>.parquet. Republished whenever"
            " anything it holds changed, or when it is missing."
        ),
    )
    def analytics_duckdb(
        context: dg.AssetExecutionContext, warehouse: WarehouseResource
    ) -> dg.MaterializeResult:
        serving_dir = warehouse.settings().serving_dir
        with warehouse.connect() as con:
            report = publish_serving_copy(con, serving_dir, known_assets=known,
                                          skip_if_unchanged=True)
        failing = [s.qualified for s in report.statuses if s.check_status == "fail"]
        late = [s.qualified for s in report.statuses if s.freshness_warning]
        stale = [s for s in report.statuses
                 if s.is_stale and not s.table_name.endswith("_history")]
        if report.published:
            context.log.info(
                f"published {report.path} ({report.bytes:,} bytes, {len(report.tables)} tables)"
                f" in {report.duration_s:.2f}s; failing checks: {failing or 'none'};"
                f" late: {late or 'none'}; stale: {[s.qualified for s in stale] or 'none'}"
            )
        else:
            context.log.info(f"{report.path}: already holds exactly this, kept as it is")
        for s in stale:
            # The failure itself was one console line already; the summary lists stale tables.
            context.log.debug(f"{s.qualified} is stale: {s.stale_reason}")
        return dg.MaterializeResult(
            data_version=dg.DataVersion(report.fingerprint),
            metadata={
                "path": dg.MetadataValue.path(str(report.path)),
                "published": report.published,
                "fingerprint": report.fingerprint,
                "bytes": report.bytes,
                "tables": dg.MetadataValue.json(list(report.tables)),
                "table_count": len(report.tables),
                "storage_version": report.storage_version,
                "parquet_files": len(report.parquet),
                "duration_s": round(report.duration_s, 3),
                "tables_failing_checks": dg.MetadataValue.json(failing),
                "tables_with_freshness_warning": dg.MetadataValue.json(late),
                "stale_tables": dg.MetadataValue.json(
                    {s.qualified: s.stale_reason for s in stale}),
            },
        )

    return analytics_duckdb


@dg.asset(
    key=REPORT_KEY,
    deps=[ANALYTICS_KEY],
    group_name=GROUP,
    kinds={"html"},
    automation_condition=ON_NEW_DATA_PUBLISH,
    description=(
        "assets/serving/report.html: one self-contained page (inline SVG, works offline) with"
        " 10-year UST and JGB yields and their spread, the hedged pickup, Japan's UST holdings"
        " and 12-month change beside MOF flows, and US net liquidity against Bitcoin; drawn"
        " from the serving copy, listing every stale table and why. Rewritten whenever the"
        " serving copy changed, or when missing."
    ),
)
def report(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    serving_dir = warehouse.settings().serving_dir
    out = serving_dir / "report.html"
    copy = serving_dir / SERVING_FILE
    if not copy.exists():
        raise dg.Failure(description=f"{copy} does not exist: the report is drawn from the"
                         " serving copy, which was not published")
    with duckdb.connect(str(copy), read_only=True) as con:
        served = con.execute("SELECT max(fingerprint) FROM meta.publication").fetchall()[0][0]
        version = f"{served}-{report_code_version()}"
        if out.exists() and report_data_version(out) == version:
            context.log.info(f"{out}: already drawn from this serving copy, kept as it is")
            counts, written = None, False
        else:
            counts, written = write_report(con, out, data_version=version), True
            context.log.info(f"wrote {out}: {counts}")
        stale = con.execute("SELECT count(*) FROM meta.table_status WHERE is_stale"
                            " AND NOT ends_with(table_name, '_history')").fetchall()[0][0]
    metadata: dict[str, object] = {
        "path": dg.MetadataValue.path(str(out)),
        "bytes": out.stat().st_size,
        "written": written,
        "stale_tables_listed": stale,
    }
    if counts is not None:
        metadata["points_per_chart"] = dg.MetadataValue.json(counts)
    return dg.MaterializeResult(data_version=dg.DataVersion(version), metadata=metadata)


@dg.asset(
    key=ALERTS_KEY,
    deps=[THRESHOLD_EVENTS_KEY],
    group_name=GROUP,
    kinds={"duckdb"},
    pool="warehouse",
    automation_condition=ON_NEW_DATA_PUBLISH,
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
        table_meta = table_metadata(con, ALERTS_TABLE)
    return dg.MaterializeResult(metadata={
        "alerts_this_run": len(raised),
        "messages": dg.MetadataValue.json([a.message for a in raised][:20]),
        "webhook": "configured" if webhook else "not configured (log only)",
        "webhook_failures": sum(1 for a in raised if a.webhook_status.startswith("failed")),
        "alerts_total": total,
        **table_meta,
    })

