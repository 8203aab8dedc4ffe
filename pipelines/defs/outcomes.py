"""The check that fails a run in which a refresh failed, after everything else has run.

Ingestion and mart steps never fail for a publisher's fault (defs/ingest.py): each reports a
materialisation whose metadata says `outcome: failed`, so Dagster still runs every mart, the
serving copy and the report downstream, built from the last good data. This check, one step
over all of them, then turns those outcomes into failed `refresh_succeeded` checks and fails
its step, so the run ends FAILURE and the UI shows which asset failed and why.

It is not a blocking check: a blocking check gates the assets downstream of its asset, which
is exactly what must not happen. Raising after yielding the results fails the step (and the
run) without holding anything back.
"""

# No `from __future__ import annotations`: Dagster checks the context annotation at runtime.
from collections.abc import Iterable, Iterator

import dagster as dg
from dagster import DagsterEventType

from pipelines.lib.refresh import FAILED, one_line

CHECK_NAME = "refresh_succeeded"
FULL_LINE_CHARS = 2000  # one failure, still on one line, in the Failure's `failed` metadata
DESCRIPTION = (
    "This run's refresh of the asset succeeded: new rows loaded, nothing new, or (marts) built"
    " or already current. Fails when the source could not be fetched, parsed or passed its"
    " checks, or the mart could not be built; the previous data is kept, everything"
    " downstream is rebuilt from it, meta.table_status marks it stale, and the run fails."
)


def _outcomes(context: dg.AssetCheckExecutionContext) -> dict[dg.AssetKey, dict[str, object]]:
    """Asset key -> metadata values of its materialisation in this run (the last one)."""
    out: dict[dg.AssetKey, dict[str, object]] = {}
    for entry in context.instance.all_logs(context.run.run_id,
                                           of_type=DagsterEventType.ASSET_MATERIALIZATION):
        event = entry.dagster_event
        if event is None or event.asset_key is None:
            continue
        materialization = event.step_materialization_data.materialization
        out[event.asset_key] = {k: getattr(v, "value", v)
                                for k, v in materialization.metadata.items()}
    return out


def build_outcome_checks(keys: Iterable[dg.AssetKey]) -> dg.AssetChecksDefinition:
    """`refresh_succeeded` on every ingestion asset and mart in `keys`."""
    specs = [dg.AssetCheckSpec(CHECK_NAME, asset=k, description=DESCRIPTION)
             for k in sorted(set(keys), key=lambda k: k.to_user_string())]

    @dg.multi_asset_check(name="refresh_outcomes", specs=specs, can_subset=True,
                          description="Fails the run when a refresh in it failed (see module).")
    def refresh_outcomes(context: dg.AssetCheckExecutionContext) -> Iterator[dg.AssetCheckResult]:
        outcomes = _outcomes(context)
        failed: list[str] = []
        for check_key in sorted(context.selected_asset_check_keys,
                                key=lambda c: c.asset_key.to_user_string()):
            key = check_key.asset_key
            meta = outcomes.get(key)
            if meta is None:
                problem = "no materialisation in this run: its step did not report"
            elif meta.get("outcome") == FAILED:
                problem = str(meta.get("error") or "failed")
            else:
                problem = None
            if problem is not None:
                # Whole, not cut: the source's URL and cause come after a long prefix.
                failed.append(f"{key.to_user_string()}: {one_line(problem, FULL_LINE_CHARS)}")
            yield dg.AssetCheckResult(
                asset_key=key, check_name=CHECK_NAME, passed=problem is None,
                severity=dg.AssetCheckSeverity.ERROR,
                description=one_line(problem) if problem else None,
                metadata={
                    "outcome": str((meta or {}).get("outcome", "none")),
                    **({"failing_since": str(meta["failing_since"])}
                       if meta and "failing_since" in meta else {}),
                },
            )
        if failed:
            raise dg.Failure(
                description=f"{len(failed)} refresh(es) failed in this run; each kept its last"
                " good data, and everything downstream was rebuilt from what the warehouse"
                " holds: " + one_line("; ".join(failed)),
                metadata={"failed": dg.MetadataValue.json(failed)},
                allow_retries=False,
            )

    return refresh_outcomes
