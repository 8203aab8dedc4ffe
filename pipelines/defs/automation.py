"""When the automation sensor rebuilds a derived asset: when its inputs' data changed.

Every ingestion asset reports a materialisation on every run, with an unchanged data version
when the publisher had nothing new (defs/ingest.py). `AutomationCondition.eager()` reacts to any
new materialisation, so it would rebuild the marts after every refresh; this condition reacts to
a changed data version (or a changed code version, or a missing asset) instead.
"""

from __future__ import annotations

import dagster as dg


def on_new_data(*, wait_for_missing_deps: bool) -> dg.AutomationCondition:
    """eager(), with "a dependency was updated" narrowed to "its data version changed".

    `wait_for_missing_deps`: hold the target back while an input has never been materialised
    (a mart cannot be built without its inputs; the serving copy publishes what exists)."""
    changed = (
        dg.AutomationCondition.missing()
        | dg.AutomationCondition.code_version_changed()
        | dg.AutomationCondition.any_deps_match(dg.AutomationCondition.data_version_changed())
    ).since_last_handled()
    condition = (
        dg.AutomationCondition.in_latest_time_window()
        & changed
        & ~dg.AutomationCondition.any_deps_in_progress()
        & ~dg.AutomationCondition.in_progress()
    )
    if wait_for_missing_deps:
        condition = condition & ~dg.AutomationCondition.any_deps_missing()
    return condition.with_label("on new data")


ON_NEW_DATA = on_new_data(wait_for_missing_deps=True)
ON_NEW_DATA_PUBLISH = on_new_data(wait_for_missing_deps=False)
