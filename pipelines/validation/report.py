"""A static HTML page of the latest outcome of every check, for analysts who never open Dagster.

Self-contained (inline CSS, no scripts), generated from `meta.check_results`, written atomically
(temp file, then rename) so a browser or a file server never reads half a page.
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
vertical-align:top;text-align:left}th{background:#f4f4f4}
.pass{color:#176b2c}.warn{color:#8a5a00;font-weight:bold}.fail{color:#b00020;font-weight:bold}
.sample{font-family:ui-monospace,monospace;font-size:12px}.muted{color:#777}
"""


def _status(row: dict) -> tuple[str, str]:
    if row["passed"]:
        return "pass", "passed"
    return ("fail", "FAILED (blocking)") if row["severity"] == ERROR else ("warn", "warning")


def _sample(text: str | None) -> str:
    values = json.loads(text) if text else []
    return "<br>".join(escape(str(v)) for v in values) or '<span class="muted">-</span>'


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC) if moment.tzinfo else moment


def _rows(frame: pl.DataFrame) -> str:
    out = []
    for row in frame.to_dicts():
        css, label = _status(row)
        not_applicable = (json.loads(row["details"] or "{}") or {}).get("not_applicable")
        note = f'<br><span class="muted">not applicable: {escape(not_applicable)}</span>' if (
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
    failing = latest.filter(~pl.col("passed"))
    summary = (f"<p>{latest.height} checks: {latest.height - failing.height} passed,"
               f" {failing.filter(pl.col('severity') == ERROR).height} blocking failures,"
               f" {failing.filter(pl.col('severity') != ERROR).height} warnings.</p>")
    sections = []
    for (table,), part in latest.sort("table_name").group_by("table_name", maintain_order=True):
        sections.append(
            f"<h2>{escape(table)}</h2><table><tr><th>status</th><th>check</th><th>asset</th>"
            f"<th>severity</th><th>unexpected</th><th>sample values</th><th>what it expects"
            f"</th><th>evaluated</th></tr>{_rows(part.sort(['passed', 'asset_key']))}</table>"
        )
    return head + summary + "".join(sections) + "</body></html>"


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
