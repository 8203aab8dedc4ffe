"""The framework floor: the same asset graph with bodies that do nothing.

`describe` snapshots the real Definitions' shape (one node per step: its keys, deps, check
specs) to JSON; `build` turns that JSON back into a Definitions whose bodies only yield what
the real run yielded (a materialisation with passing checks for each key the real run
materialised, one check result for each key it skipped). The floor imports Dagster and
nothing of the pipeline, so the ratio real/floor is what our code costs beyond Dagster's own
per-run, per-step and per-event work.
"""

# No `from __future__ import annotations`: Dagster reads the context annotation at runtime.

from collections.abc import Iterator
from typing import Any

import dagster as dg

MARTS_GROUP = "marts"


def describe(defs: dg.Definitions) -> list[dict[str, Any]]:
    """One entry per executable node of `defs`, in a JSON-able form."""
    nodes = []
    for assets_def in defs.resolve_asset_graph().assets_defs:
        if not assets_def.is_executable:
            continue
        specs = [
            {"key": spec.key.to_user_string(), "deps": [d.asset_key.to_user_string()
                                                         for d in spec.deps],
             "group": spec.group_name or "default"}
            for spec in assets_def.specs
        ]
        checks = [{"name": c.name, "asset": c.asset_key.to_user_string(), "blocking": c.blocking}
                  for c in assets_def.check_specs]
        nodes.append({"name": assets_def.node_def.name, "specs": specs, "checks": checks})
    return nodes


def _key(text: str) -> dg.AssetKey:
    return dg.AssetKey.from_user_string(text)


def _checks_only(node: dict[str, Any]) -> dg.AssetChecksDefinition:
    """A step that only evaluates checks (the run's `refresh_outcomes` gate): all pass."""

    @dg.multi_asset_check(
        name=node["name"], can_subset=True,
        specs=[dg.AssetCheckSpec(c["name"], asset=_key(c["asset"]), blocking=c["blocking"])
               for c in node["checks"]],
    )
    def _noop_checks(context: dg.AssetCheckExecutionContext) -> Iterator[dg.AssetCheckResult]:
        for check in context.selected_asset_check_keys:
            yield dg.AssetCheckResult(asset_key=check.asset_key, check_name=check.name,
                                      passed=True)

    return _noop_checks


def _dependency_order(specs: list[dict[str, Any]]) -> list[dg.AssetKey]:
    """The node's keys, each after those it reads in the same node: the order in which
    Dagster requires a multi-asset to yield them (the marts are one such node)."""
    pending = {s["key"]: set(s["deps"]) for s in specs}
    ordered: list[str] = []
    while pending:
        ready = sorted(k for k, deps in pending.items() if not deps & pending.keys())
        if not ready:
            raise ValueError(f"a dependency cycle among {sorted(pending)}")
        ordered += ready
        for key in ready:
            del pending[key]
    return [_key(k) for k in ordered]


def _node(node: dict[str, Any], materialise: set[str] | None
          ) -> dg.AssetsDefinition | dg.AssetChecksDefinition:
    if not node["specs"]:
        return _checks_only(node)
    order = _dependency_order(node["specs"])
    checks_by_key: dict[str, list[str]] = {}
    for c in node["checks"]:
        checks_by_key.setdefault(c["asset"], []).append(c["name"])

    @dg.multi_asset(
        name=node["name"],
        specs=[dg.AssetSpec(_key(s["key"]), deps=[_key(d) for d in s["deps"]],
                            group_name=s["group"], skippable=True) for s in node["specs"]],
        check_specs=[dg.AssetCheckSpec(c["name"], asset=_key(c["asset"]),
                                       blocking=c["blocking"]) for c in node["checks"]],
        can_subset=True,
    )
    def _noop(context: dg.AssetExecutionContext) -> Iterator[Any]:
        for key in (k for k in order if k in context.selected_asset_keys):
            name = key.to_user_string()
            results = [dg.AssetCheckResult(asset_key=key, check_name=c, passed=True)
                       for c in checks_by_key.get(name, [])]
            if materialise is None or name in materialise:
                yield dg.MaterializeResult(asset_key=key, check_results=results)
            else:
                yield from results[:1]  # the real run reports freshness for a skipped key

    return _noop


def build(nodes: list[dict[str, Any]], materialise: set[str] | None = None) -> dg.Definitions:
    """No-op Definitions with the described shape; `materialise` None means every key."""
    built = [_node(n, materialise) for n in nodes]
    return dg.Definitions(
        assets=[b for b in built if not isinstance(b, dg.AssetChecksDefinition)],
        asset_checks=[b for b in built if isinstance(b, dg.AssetChecksDefinition)],
        jobs=[dg.define_asset_job("refresh_all", selection=dg.AssetSelection.all()),
              dg.define_asset_job("marts_only", selection=dg.AssetSelection.groups(MARTS_GROUP))],
    )
