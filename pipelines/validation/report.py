"""A static HTML page of the latest outcome of every check, for analysts who never open Dagster.

Self-contained (inline CSS, no scripts), generated from `meta.check_results`, written atomically
(temp file, then rename) so a browser or a file server never reads half a page. It opens with
what needs attention: counts (failed, warned, passed, not applicable), then one line per table
naming its failing checks; each table's check-by-check details are folded (`<details>`), open
only where something failed. A check that did not apply is shown as "not applicable", never as
"passed".
"""

from __future__ import annotations

import json
import os
import tempfile
from datetime import UTC, datetime
from html import escape
from pathlib import Path

import duckdb
import polars as pl

from pipelines.lib.publish import ERROR
from pipelines.validation.results import latest_outcomes

_CSS = """
body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}
h1{font-size:1.4em}h2{font-size:1.15em;margin-top:2em}
table{border-collapse:collapse;width:100%}th,td{border:1px solid #ddd;padding:4px 8px;
vertical-align:top;text-align:left;overflow-wrap:anywhere}th{background:#f4f4f4}
.pass{color:#176b2c}.warn{color:#8a5a00;font-weight:bold}.fail{color:#b00020;font-weight:bold}
.sample{font-family:ui-monospace,monospace;font-size:12px}.muted{color:#777}
.na{color:#777}table.summary{width:auto}table.summary td,table.summary th{padding:3px 12px}
.counts span{display:inline-block;margin-right:18px;font-size:1.1em}
details{margin:10px 0}summary{cursor:pointer;font-weight:600;font-size:1.05em;padding:4px 0}
"""

# Outcome classes, worst first: (css class, label shown, counted as).
_FAIL, _WARN, _NA, _PASS = "fail", "warn", "na", "pass"


def _not_applicable(row: dict) -> str | None:
    return (json.loads(row["details"] or "{}") or {}).get("not_applicable")


def _status(row: dict) -> tuple[str, str]:
    if row["passed"]:
        return (_NA, "not applicable") if _not_applicable(row) else (_PASS, "passed")
    return (_FAIL, "FAILED (blocking)") if row["severity"] == ERROR else (_WARN, "warning")


def _sample(text: str | None) -> str:
    values = json.loads(text) if text else []
    return "<br>".join(escape(str(v)) for v in values) or '<span class="muted">-</span>'


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC) if moment.tzinfo else moment


def _rows(frame: pl.DataFrame) -> str:
    out = []
    for row in frame.to_dicts():
        css, label = _status(row)
        not_applicable = _not_applicable(row)
        note = f'<br><span class="muted">why: {escape(str(not_applicable))}</span>' if (
            not_applicable) else ""
        out.append(
            f'<tr><td class="{css}">{label}</td><td>{escape(row["check_name"])}</td>'
            f'<td>{escape(row["asset_key"])}</td><td>{escape(row["severity"])}</td>'
            f'<td>{row["unexpected_count"]}</td><td class="sample">{_sample(row["sample"])}</td>'
            f'<td>{escape(row["description"] or "")}{note}</td>'
            f'<td>{_utc(row["evaluated_at"]):%Y-%m-%d %H:%M} UTC</td></tr>'
        )
    return "\n".join(out)


def render(latest: pl.DataFrame, generated_at: datetime) -> str:
    head = (f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Data checks"
            f"</title><style>{_CSS}</style></head><body><h1>Data checks: latest outcome per"
            f" check</h1><p class='muted'>Generated {generated_at:%Y-%m-%d %H:%M} UTC from"
            f" meta.check_results. ERROR checks block a batch (it is kept in quarantine and the"
            f" previous data stay); WARN checks are shown only.</p>")
    if latest.is_empty():
        return head + "<p>No checks have been recorded yet.</p></body></html>"
    classes = [_status(row)[0] for row in latest.to_dicts()]
    latest = latest.with_columns(_class=pl.Series(classes, dtype=pl.String))
    sections, lines = [], []
    for (table,), part in latest.sort("table_name").group_by("table_name", maintain_order=True):
        n = {c: part.filter(pl.col("_class") == c).height for c in (_FAIL, _WARN, _NA, _PASS)}
        bad = part.filter(pl.col("_class").is_in([_FAIL, _WARN]))
        names = ", ".join(sorted(set(bad["check_name"].to_list())))
        lines.append(
            f'<tr><td>{escape(table)}</td><td class="fail">{n[_FAIL] or ""}</td>'
            f'<td class="warn">{n[_WARN] or ""}</td><td>{n[_PASS]}</td>'
            f'<td class="na">{n[_NA] or ""}</td><td>{escape(names)}</td></tr>')
        order = part.with_columns(_rank=pl.col("_class").replace_strict(
            {_FAIL: 0, _WARN: 1, _PASS: 2, _NA: 3}, return_dtype=pl.Int8))
        sections.append(
            f'<details id="{escape(table)}"{" open" if n[_FAIL] else ""}><summary>'
            f"{escape(table)}: {_counts_text(n)}</summary><table><tr><th>status</th><th>check"
            f"</th><th>asset</th><th>severity</th><th>unexpected</th><th>sample values</th>"
            f"<th>what it expects</th><th>evaluated</th></tr>"
            f"{_rows(order.sort(['_rank', 'asset_key', 'check_name']))}</table></details>")
    totals = {c: classes.count(c) for c in (_FAIL, _WARN, _PASS, _NA)}
    summary = (
        f'<h2>Summary</h2><p class="counts"><span class="fail">{totals[_FAIL]} failed'
        f'</span><span class="warn">{totals[_WARN]} warned</span><span class="pass">'
        f'{totals[_PASS]} passed</span><span class="na">{totals[_NA]} not applicable</span>'
        f"</p><p>{len(classes)} checks: {totals[_PASS]} passed, {totals[_FAIL]} blocking"
        f" failures, {totals[_WARN]} warnings"
        f"{f', {totals[_NA]} not applicable' if totals[_NA] else ''}.</p>"
        f"<table class='summary'><tr><th>table</th><th>failed</th><th>warned</th>"
        f"<th>passed</th><th>not applicable</th><th>failing checks</th></tr>"
        f"{''.join(lines)}</table><h2>Details by table</h2>")
    return head + summary + "".join(sections) + "</body></html>"


def _counts_text(n: dict[str, int]) -> str:
    parts = [f"{n[_FAIL]} failed" if n[_FAIL] else "", f"{n[_WARN]} warned" if n[_WARN] else "",
             f"{n[_PASS]} passed", f"{n[_NA]} not applicable" if n[_NA] else ""]
    return ", ".join(p for p in parts if p)


def write_report(con: duckdb.DuckDBPyConnection, path: Path | str) -> Path:
    """Write the report to `path` (e.g. assets/serving/validation.html) atomically."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    page = render(latest_outcomes(con), datetime.now(UTC))
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(page)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target
