"""REPORT.md from the measurements of one run: tables, targets, profile. Nothing hand-written:
every number and every "why" below is computed from this run's measurements (explanations a
person wrote live in benchmarks/README.md, dated, with the commit they refer to)."""

from __future__ import annotations

import pstats
import re
from pathlib import Path
from typing import Any

SCALE_PATH = Path(__file__).resolve().parent / "SCALE.md"
# The first line after SCALE.md's title, written by benchmarks/scale.py and read back here.
SCALE_MARK = "<!-- scale-commit: {commit} dirty: {dirty} -->"
_SCALE_MARK = re.compile(r"<!-- scale-commit: (\S+) dirty: (True|False) -->")


def _f(x: float | None, digits: int = 1) -> str:
    return "-" if x is None else f"{x:.{digits}f}"


def _ratio(a: float | None, b: float | None) -> str:
    return "-" if not a or not b else f"{a / b:.2f}x"


def _facts(facts: dict[str, str]) -> list[str]:
    return ["| | |", "|---|---|", *[f"| {k} | {v} |" for k, v in facts.items()]]


def _scenario_table(scenarios: list[Any]) -> list[str]:
    lines = [
        "| scenario | wall s | of which run s | CPU s | peak RSS MB | requests (FRED / 304) |"
        " bytes | rows written staging / marts | framework floor s | x floor |"
        " rate-limit floor s | x (rate + framework) |",
        "|---|---:|---:|---:|---:|---|---:|---|---:|---:|---:|---:|",
    ]
    for s in scenarios:
        r, t, fl = s.run.result, s.traffic, s.floor
        rate = s.rate_floor_s
        lines.append(
            f"| {s.name}{' (FAILED)' if s.run.returncode else ''} | {_f(s.run.wall_s)} |"
            f" {_f(r.get('run_s'))} | {_f(s.run.cpu_s)} | {s.run.peak_rss_mb:.0f} |"
            f" {t.requests} ({t.fred} / {t.not_modified}) | {t.bytes:,} |"
            f" {r.get('staging_rows_written', 0):,} / {r.get('mart_rows_written', 0):,} |"
            f" {_f(fl.wall_s if fl else None)} | {_ratio(s.run.wall_s, fl.wall_s if fl else None)}"
            f" | {_f(rate)} | {_ratio(s.run.wall_s, rate + (fl.wall_s if fl else 0))} |"
        )
    return lines


def _stats(path: str | None) -> dict[Any, Any]:
    if not path or not Path(path).exists():
        return {}
    return pstats.Stats(path).stats  # type: ignore[attr-defined]


def _label(key: tuple[str, int, str]) -> str:
    file, line, func = key
    short = file.split("site-packages/")[-1].split("/pipelines/", 1)[-1]
    return f"`{short}:{line}({func})`"


def _ours(stats: dict[Any, Any]) -> list[Any]:
    rows = sorted(stats.items(), key=lambda kv: kv[1][3], reverse=True)
    return [kv for kv in rows if "/pipelines/" in kv[0][0] and "site-packages" not in kv[0][0]
            and not kv[0][2].startswith("<")]


def _profile(path: str | None, mode: str, top: int = 14) -> list[str]:
    stats = _stats(path)
    if not stats:
        return ["(not profiled in --quick mode)"]
    total = max(v[3] for v in stats.values())
    ours = _ours(stats)
    label = _label
    lines = [f"Cumulative time of the {mode} cold backfill (one process, {total:.1f} s profiled),"
             " our functions first:", "", "| function | calls | cumulative s | own s |",
             "|---|---:|---:|---:|"]
    lines += [f"| {label(k)} | {v[1]} | {v[3]:.2f} | {v[2]:.2f} |" for k, v in ours[:top]]
    lines += ["", "Largest own time anywhere:", "", "| function | calls | own s |",
              "|---|---:|---:|"]
    by_own = sorted(stats.items(), key=lambda kv: kv[1][2], reverse=True)[:8]
    lines += [f"| {label(k)} | {v[1]} | {v[2]:.2f} |" for k, v in by_own]
    return lines


def _why_slow(s: Any, stats: dict[Any, Any]) -> str:
    """The measured split of one scenario's wall time, and what the profile puts first."""
    r = s.run.result
    run_s = r.get("run_s") or 0.0
    parts = [f"wall {s.run.wall_s:.1f} s = {s.run.wall_s - run_s:.1f} s interpreter start and"
             f" imports + {run_s:.1f} s run", f"{s.traffic.fred} FRED requests"
             f" (rate-limit floor {s.rate_floor_s:.1f} s)",
             f"{s.traffic.requests - s.traffic.fred} MOF/TIC requests"
             f" ({s.traffic.not_modified} answered 304)",
             f"Great Expectations imported: {r.get('gx_imported')}"]
    if s.floor:
        parts.append(f"framework floor {s.floor.wall_s:.1f} s")
    ours = _ours(stats)
    if ours:
        total = max(v[3] for v in stats.values())
        top = [kv for kv in ours if kv[1][3] < 0.9 * total][:3]
        parts.append("profile, largest cumulative of ours: " + ", ".join(
            f"{_label(k)} {v[3]:.1f} s ({v[3] / total:.0%})" for k, v in top))
    return "; ".join(parts)


def _targets(res: dict[str, Any], mode: str) -> list[str]:
    sc = {s.name.split("/", 1)[1]: s for s in res["scenarios"] if s.mode == mode}
    cold, none_, new = sc["cold-backfill"], sc["nothing-new"], sc["one-new-day"]
    marts = sc["marts-only"]
    stats = _stats((res.get("profile") or {}).get(mode))
    rows: list[tuple[str, str, bool]] = []
    missed: list[str] = []

    def add(target: str, measured: str, ok: bool, why: str = "") -> None:
        rows.append((target, measured, ok))
        if not ok and why:
            missed.append(f"- **{target}** (measured): {why}")

    r = none_.run.wall_s / none_.floor.wall_s if none_.floor else 99
    add("nothing new: <= 1.5x framework floor", f"{r:.2f}x ({none_.run.wall_s:.1f} s vs"
        f" {none_.floor.wall_s if none_.floor else 0:.1f} s)", r <= 1.5, _why_slow(none_, {}))
    t = none_.traffic
    files = t.requests - t.fred
    add("nothing new: one request per source file, 304s where supported",
        f"{files} MOF/TIC requests, {t.not_modified} answered 304; {t.fred} FRED requests",
        t.not_modified == files, _why_slow(none_, {}))
    written = none_.run.result.get("staging_rows_written", 0) + \
        none_.run.result.get("mart_rows_written", 0)
    add("nothing new: zero rows rewritten", f"{written} rows, "
        f"{len(none_.run.result.get('materialised', []))} materialisations, Great Expectations"
        f" imported: {none_.run.result.get('gx_imported')}", written == 0)
    budget = cold.rate_floor_s + (cold.floor.wall_s if cold.floor else 0)
    add("cold backfill: <= 1.3x (rate-limit floor + framework floor)",
        f"{cold.run.wall_s / budget:.2f}x ({cold.run.wall_s:.1f} s vs {cold.rate_floor_s:.1f}"
        f" + {cold.floor.wall_s if cold.floor else 0:.1f} s)", cold.run.wall_s <= 1.3 * budget,
        _why_slow(cold, stats))
    peers = {k.split("/")[1]: v for k, v in res["peer"].items() if k.startswith(mode + "/")}
    if peers:
        paused = peers["paused"][0]
        lost = len(paused.result.get("series_lost", []))
        add(f"faster than the {mode} peer (paused, nothing lost), zero failed series",
            f"cold backfill {cold.run.wall_s:.1f} s (exit {cold.run.returncode}) vs peer"
            f" {paused.wall_s:.1f} s ({lost} lost)",
            cold.run.returncode == 0 and cold.run.wall_s < paused.wall_s and lost == 0,
            _why_slow(cold, stats))
    lat = res["latency"].get(mode)
    if lat is not None:
        d = lat.result.get("distribution") or {}
        worst = d.get("max_minutes")
        p50 = d.get("p50_minutes")
        per_day = d.get("requests_in_all", lat.result.get("requests_per_day", 0))
        add("publication to marts.latest_indicators: max <= 10 min, p50 <= 3 min,"
            " <= 300 requests/day in all", f"max {_f(worst)} min, p50 {_f(p50)} min,"
            f" {per_day:.0f} requests/day ({d.get('requests_per_day')} polls on the busiest"
            f" day + {lat.result.get('run_requests_per_day')} sent by the day's runs)",
            worst is not None and p50 is not None
            and worst <= 10 and p50 <= 3 and per_day <= 300,
            "; ".join(f"{k}: {v}" for k, v in (d.get("worst_case") or {}).items()))
    rss = max(cold.run.peak_rss_mb, new.run.peak_rss_mb)
    add("peak RSS of a full refresh < 600 MB", f"{rss:.0f} MB", rss < 600)
    mr = marts.run.result.get("run_s", 99)
    add("marts rebuild < 2 s, full history", f"{mr:.2f} s in the run ({marts.run.wall_s:.1f} s"
        " with interpreter start and imports)", mr < 2)
    if mode == "keyless":
        q = res["query"].result
        ms = q.get("latest_indicators", {}).get("median_ms", 99)
        add("latest-indicators query < 20 ms", f"{ms:.2f} ms median", ms < 20)
    out = ["| target | measured | |", "|---|---|---|"]
    out += [f"| {t} | {m} | {'met' if ok else '**missed**'} |" for t, m, ok in rows]
    if missed:
        out += ["", "What this run measured for each missed target:", "", *missed]
    return out


def _latency(mode: str, lat: Any) -> list[str]:
    res = lat.result
    lines = [f"### {mode} mode", ""]
    if lat.returncode:
        return [*lines, f"(FAILED, exit {lat.returncode}: see logs/{mode}-publication-latency.log)"]
    d = res.get("distribution")
    if d:
        lines += [f"A release simulated at every minute of each publisher's window; polling plan"
                  f" from `{d.get('plan')}`; processing time from this run's real runs.", "",
                  "| publisher | window (local time) | releases | p50 min | p95 min | max min |",
                  "|---|---|---:|---:|---:|---:|"]
        for name, row in d.get("publishers", {}).items():
            lines.append(f"| {name} | {row['window']} | {row['releases']} | {row['p50']:.1f} |"
                         f" {row['p95']:.1f} | {row['max']:.1f} |")
        lines += ["", f"Requests per day by the watcher's polling plan on the busiest day (every"
                  f" window open): {d.get('requests_per_day')} ({d.get('requests_by_publisher')});"
                  f" with the requests the simulated day's runs sent,"
                  f" {d.get('requests_in_all')} in all. First seen: {d.get('worst_case')}."
                  f" Processing seconds measured in this"
                  f" run: {d.get('processing_s')} {d.get('processing_notes') or ''}.", ""]
    lines += [f"One real simulated day: the replica published {res.get('new_day')} at"
              f" {res.get('publish_at')}; {res.get('simulated_hours')} simulated hours took"
              f" {res.get('real_seconds')} s of real time ({res.get('watch_ticks')} watcher"
              f" ticks, {res.get('watch_ticks_polling')} with a file due)."
              f" Requests: {res.get('requests')} = {res.get('requests_per_day')} per day"
              f" ({res.get('poll_requests')} watcher polls, the rest sent by runs):"
              f" {res.get('requests_by_publisher')}.", "",
              "| indicator | minutes after publication |", "|---|---:|"]
    for name, minutes in sorted((res.get("minutes_to_indicator") or {}).items(),
                                key=lambda kv: kv[1]):
        lines.append(f"| {name} | {minutes} |")
    lines += ["", "| simulated time | why | job | seconds | materialised |",
              "|---|---|---|---:|---:|"]
    for run in res.get("runs", []):
        lines.append(f"| {run['at'][:19]} | {run['why']} | {run['job']} | {run['seconds']} |"
                     f" {run['materialised']} |")
    return [*lines, ""]


def _scale(commit: str, path: Path) -> list[str]:
    """SCALE.md's table when it measured this commit; otherwise which commit it measured."""
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    mark = _SCALE_MARK.search(text)
    if mark is None:
        return [f"No scale measurement (`make bench SCALE=1` writes {path.name})."]
    measured, dirty = mark[1], mark[2] == "True"
    head = commit.split()[0]
    if measured != head:
        return [f"Not measured at this commit: {path.name} was measured at {measured}"
                f"{' with uncommitted changes' if dirty else ''}, this report at {head}."
                " Run `make bench SCALE=1` at this commit to refresh it."]
    table = [line for line in text.splitlines() if line.startswith("|")]
    note = (" with uncommitted changes (`--dirty`): its numbers belong to no commit"
            if dirty else "")
    return [f"From {path.name}, measured at this commit{note}: cold backfill and no-change"
            " refresh in API mode, each size on a fresh replica and warehouse.", "", *table]


def render(res: dict[str, Any]) -> str:
    commit = res["facts"]["commit"]
    gps, gpm = res["fredgraph_rate"]
    aps, apm = res["fred_rate"]
    lines = ["# Benchmark report", "",
             f"Commit **{commit}**. Generated by `make bench` (`python -m benchmarks.run"
             f"{' --quick' if res['quick'] else ''}{' --dirty' if res.get('dirty') else ''}`)"
             f" in {res['total_s']:.0f} s; the replica served the deterministic sample as of"
             f" {res['as_of']} with {res['latency_ms']} ms latency per request. See"
             " benchmarks/README.md for what each scenario means.", ""]
    if res.get("dirty"):
        lines += [f"**Dirty tree** (`--dirty`): uncommitted changes to {', '.join(res['dirty'])};"
                  " these numbers belong to no commit.", ""]
    lines += ["Rate limits: the FRED API documents 120 requests/minute per key; the replica"
              f" enforces {aps}/s and {apm}/min per key. fredgraph.csv has no documented limit;"
              f" this run assumed {gps}/s and {gpm}/min per client host, so both modes pay the"
              " same floor and every peer meets the same limiter as the pipeline.", ""]
    if res["quick"]:
        lines += ["**Quick mode**: five FRED series, a one-hour simulated window. A smoke"
                  " test of the harness; the numbers are not comparable to a full run.", ""]
    lines += ["## Machine", "", *_facts(res["facts"]), "", "## Scenarios", ""]
    lines += _scenario_table(res["scenarios"])
    lines += ["", "Wall time is the whole child process (interpreter start, imports, run);"
              " `run s` is the Dagster run alone. The framework floor is the same asset graph"
              " (same steps, keys, deps and check specs) with bodies that only yield what the"
              " real run yielded; the rate-limit floor is the scenario's FRED requests under"
              f" {aps}/s and {apm}/min.", ""]
    notes = [f"{sc.name}: {sc.note}" for sc in res["scenarios"] if getattr(sc, "note", "")]
    if notes:
        lines += ["Set-up of scenarios: " + "; ".join(notes) + ".", ""]
    if "query" in res:
        q = res["query"].result
        lines += ["## Queries against the serving copy", "",
                  f"Median of {q.get('runs')} runs after one open ({_f(q.get('open_ms'), 1)} ms"
                  " to open `assets/serving/analytics.duckdb` read-only).", "",
                  "| query | median ms | max ms | rows |", "|---|---:|---:|---:|"]
        for name in ("latest_indicators", "spread_10y_range"):
            d = q.get(name, {})
            lines.append(f"| {name} | {_f(d.get('median_ms'), 2)} | {_f(d.get('max_ms'), 2)} |"
                         f" {d.get('rows', '-')} |")
    lines += ["", "## Publication latency", ""]
    for mode, lat in res["latency"].items():
        lines += _latency(mode, lat)
    lines += ["## The peers (same FRED endpoint as the pipeline, pandas.read_csv for MOF/TIC)",
              "", "| peer | wall s | CPU s | peak RSS MB | requests | 429s | series lost |"
              " rows written |", "|---|---:|---:|---:|---:|---:|---|---:|"]
    for key, (m, t) in res["peer"].items():
        mode, variant = key.split("/")
        tool = "fredapi" if mode == "api" else "pandas.read_csv(fredgraph.csv)"
        lost = m.result.get("series_lost", [])
        lines.append(f"| {tool}, {variant} (pause {m.result.get('pause_s')} s) | {_f(m.wall_s)} |"
                     f" {_f(m.cpu_s)} | {m.peak_rss_mb:.0f} | {t.requests} | {t.rate_limited} |"
                     f" {len(lost)} of {m.result.get('series')} {', '.join(lost)} |"
                     f" {m.result.get('rows_written', 0):,} |")
    lines += ["", "The peers write the rows as they come: no validation, no vintages, no"
              " marts, no serving copy, and they re-download everything every day.", ""]
    modes = sorted({s.mode for s in res["scenarios"]}, key=lambda m: m != "keyless")
    lines += ["## Targets", ""]
    for mode in modes:
        lines += [f"### {mode} mode", "", *_targets(res, mode), ""]
    lines += ["## Scale", "", *_scale(commit, Path(res.get("scale_path") or SCALE_PATH)), ""]
    lines += ["## Profile", ""]
    for mode, path in (res.get("profile") or {}).items():
        lines += [*_profile(path, mode), ""]
    return "\n".join(lines).rstrip() + "\n"
