"""REPORT.md from the measurements: tables first, then targets, profile and fixes."""

from __future__ import annotations

import pstats
from pathlib import Path
from typing import Any

# What the profile showed and what changed (file, change, effect), measured before and after
# on the machine of the last full run with the same replica settings.
FIXES: tuple[tuple[str, str, str], ...] = (
    ("`pipelines/lib/vintages.py`, `pipelines/defs/fred/load.py`",
     "`batch_is_current()`: a keyless FRED window whose rows staging already holds is neither"
     " audited nor merged, and its body is marked loaded so the next identical request skips"
     " the parse as well",
     "The revision window moves (`cosd` = last date - N days is a new URL each day), so the"
     " body hash never matched and every run re-parsed and re-audited all 18 series with Great"
     " Expectations: nothing-new refresh 23.7 s wall / 20.6 s CPU / 480 MB, 9.6 s of it the GX"
     " import. Now GX is not imported on a run that changes nothing."),
    ("`pipelines/defs/fred/plan.py`, `fetch.py`, `load.py`",
     "`nothing_due()`: no request for a series whose next observation is dated after today"
     " (daily: last date + 1 day, weekly: + 7 days, monthly: the next month). Revisions made"
     " meanwhile are read by the revision window at the next due request",
     "Nothing-new refresh 25 -> 12 requests (13 daily and weekly FRED series skipped), about"
     " 6.5 s of rate-limited waiting gone. Together with the row above, one process without"
     " a bytecode cache: 23.7 s -> 5.5 s wall, 20.6 -> 5.0 s CPU, 480 -> 240 MB."),
)

# Why a target is missed and what would close it, shown under the targets table when it is.
WHY_MISSED = {
    "nothing-new": "All MOF and TIC files answer 304 and no daily or weekly FRED series is"
    " asked, but the five monthly FRED series stay due (their next month may appear any day:"
    " the OECD and TIC series are 1-3 months late) and fredgraph.csv has no validators, so"
    " five requests at 2/s (about 2 s with latency) plus importing polars, duckdb and the"
    " pipeline (about 0.7 s) sit above the floor; against rate-limit + framework floors the"
    " run is within 1.2x. Closing it needs a policy call: FRED API mode (`last_updated`,"
    " still one request per series) or re-checking a monthly series at most every N hours,"
    " which would delay a same-day monthly update by up to N hours.",
    "cold": "The profile puts validation on the critical path: Great Expectations suites take"
    " about half of the profiled run (the GX import on the first audit, then ~0.5 s per"
    " batch for 23 batches), and the main thread audits while only 2 FRED requests/s arrive,"
    " so 18 audits (~12 s) outlast the 9 s rate floor. What would close it: import GX in a"
    " background thread when the step starts and something is due (overlaps ~3 s with the"
    " first rate-limited requests), and validate the FRED catalogue as one batch with one"
    " suite run, splitting the outcomes per series.",
    "peer": "The cold backfill does far more than the peer (validation, vintages, quarantine,"
    " marts, serving copy, report) and still ties with the peer that loses no series; it is"
    " slower only than the plain loop that loses 8 of 18 series to 429s. The daily work is"
    " where the pipeline wins: nothing new and one new day cost a fraction of the peer's full"
    " reload. The two fixes above for the cold backfill would also settle this one.",
}


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


def _profile(path: str | None, top: int = 14) -> list[str]:
    if not path or not Path(path).exists():
        return ["(not profiled in --quick mode)"]
    stats = pstats.Stats(path).stats  # type: ignore[attr-defined]
    total = max(v[3] for v in stats.values())
    rows = sorted(stats.items(), key=lambda kv: kv[1][3], reverse=True)

    def label(key: tuple[str, int, str]) -> str:
        file, line, func = key
        short = file.split("site-packages/")[-1].split("/work/main/")[-1]
        return f"`{short}:{line}({func})`"

    ours = [kv for kv in rows if "/pipelines/" in kv[0][0] and "site-packages" not in kv[0][0]]
    lines = [f"Cumulative time of the cold backfill (one process, {total:.1f} s profiled),"
             " our functions first:", "", "| function | calls | cumulative s | own s |",
             "|---|---:|---:|---:|"]
    lines += [f"| {label(k)} | {v[1]} | {v[3]:.2f} | {v[2]:.2f} |" for k, v in ours[:top]]
    lines += ["", "Largest own time anywhere:", "", "| function | calls | own s |",
              "|---|---:|---:|"]
    by_own = sorted(stats.items(), key=lambda kv: kv[1][2], reverse=True)[:8]
    lines += [f"| {label(k)} | {v[1]} | {v[2]:.2f} |" for k, v in by_own]
    return lines


def _targets(res: dict[str, Any]) -> list[str]:
    sc = {s.name: s for s in res["scenarios"]}
    cold, none_, new = sc["cold-backfill"], sc["nothing-new"], sc["one-new-day"]
    marts = sc["marts-only"]
    q = res["query"].result
    lat = res["latency"].result
    peer_paused = res["peer"]["paused"][0]
    peer_plain = res["peer"].get("plain", res["peer"]["paused"])[0]
    rows: list[tuple[str, str, bool]] = []
    missed: list[str] = []

    def add(target: str, measured: str, ok: bool, why: str = "") -> None:
        rows.append((target, measured, ok))
        if not ok and why in WHY_MISSED:
            missed.append(f"- **{target}**: {WHY_MISSED[why]}")

    r = none_.run.wall_s / none_.floor.wall_s if none_.floor else 99
    add("nothing new: <= 1.5x framework floor", f"{r:.2f}x ({none_.run.wall_s:.1f} s vs"
        f" {none_.floor.wall_s if none_.floor else 0:.1f} s)", r <= 1.5, "nothing-new")
    t = none_.traffic
    files = t.requests - t.fred
    add("nothing new: one request per source file, 304s where supported",
        f"{files} MOF/TIC requests, {t.not_modified} answered 304; {t.fred} FRED requests"
        " (fredgraph.csv has no validators: series not yet due are not requested)",
        t.not_modified == files)
    written = none_.run.result.get("staging_rows_written", 0) + \
        none_.run.result.get("mart_rows_written", 0)
    add("nothing new: zero rows rewritten", f"{written} rows, "
        f"{len(none_.run.result.get('materialised', []))} materialisations, Great Expectations"
        f" imported: {none_.run.result.get('gx_imported')}", written == 0)
    budget = cold.rate_floor_s + (cold.floor.wall_s if cold.floor else 0)
    add("cold backfill: <= 1.3x (rate-limit floor + framework floor)",
        f"{cold.run.wall_s / budget:.2f}x ({cold.run.wall_s:.1f} s vs {cold.rate_floor_s:.1f}"
        f" + {cold.floor.wall_s if cold.floor else 0:.1f} s)", cold.run.wall_s <= 1.3 * budget,
        "cold")
    lost = len(peer_paused.result.get("series_lost", []))
    add("faster than the peer on the same work, zero failed series",
        f"cold backfill {cold.run.wall_s:.1f} s (0 failed: {cold.run.returncode == 0}) vs peer"
        f" {peer_paused.wall_s:.1f} s with 0.5 s pause ({lost} lost) and {peer_plain.wall_s:.1f}"
        f" s plain ({len(peer_plain.result.get('series_lost', []))} lost); daily refresh"
        f" {new.run.wall_s:.1f} s vs the peer's full reload",
        cold.run.returncode == 0 and cold.run.wall_s < peer_paused.wall_s, "peer")
    first = lat.get("first_indicator_minutes")
    per_day = lat.get("requests_per_day", 0)
    add("publication to marts.latest_indicators <= 10 min, <= 300 requests/day",
        f"{_f(first, 1)} min, {per_day:.0f} requests/day",
        first is not None and first <= 10 and per_day <= 300)
    rss = max(cold.run.peak_rss_mb, new.run.peak_rss_mb)
    add("peak RSS of a full refresh < 600 MB", f"{rss:.0f} MB", rss < 600)
    mr = marts.run.result.get("run_s", 99)
    add("marts rebuild < 2 s, full history", f"{mr:.2f} s in the run ({marts.run.wall_s:.1f} s"
        " with interpreter start and imports)", mr < 2)
    ms = q.get("latest_indicators", {}).get("median_ms", 99)
    add("latest-indicators query < 20 ms", f"{ms:.2f} ms median", ms < 20)
    out = ["| target | measured | |", "|---|---|---|"]
    out += [f"| {t} | {m} | {'met' if ok else '**missed**'} |" for t, m, ok in rows]
    if missed:
        out += ["", "Why the missed targets are missed, and what would close them:", "", *missed]
    return out


def render(res: dict[str, Any]) -> str:
    lines = ["# Benchmark report", "",
             "Generated by `make bench` (`python -m benchmarks.run"
             f"{' --quick' if res['quick'] else ''}`) in {res['total_s']:.0f} s; the replica"
             " served the deterministic sample as of"
             f" {res['as_of']} with FRED limited to 2 requests/s and 120/min and 50 ms latency"
             " per request. See benchmarks/README.md for what each scenario means.", ""]
    if res["quick"]:
        lines += ["**Quick mode**: five FRED series, a one-hour simulated window. A smoke"
                  " test of the harness; the numbers are not comparable to a full run.", ""]
    lines += ["## Machine", "", *_facts(res["facts"]), "", "## Scenarios", ""]
    lines += _scenario_table(res["scenarios"])
    lines += ["", "Wall time is the whole child process (interpreter start, imports, run);"
              " `run s` is the Dagster run alone. The framework floor is the same asset graph"
              " (same steps, keys, deps and check specs) with bodies that only yield what the"
              " real run yielded; the rate-limit floor is the scenario's FRED requests / 2 per"
              " second.", ""]
    q = res["query"].result
    lines += ["## Queries against the serving copy", "",
              f"Median of {q.get('runs')} runs after one open ({_f(q.get('open_ms'), 1)} ms to"
              " open `assets/serving/analytics.duckdb` read-only).", "",
              "| query | median ms | max ms | rows |", "|---|---:|---:|---:|"]
    for name in ("latest_indicators", "spread_10y_range"):
        d = q.get(name, {})
        lines.append(f"| {name} | {_f(d.get('median_ms'), 2)} | {_f(d.get('max_ms'), 2)} |"
                     f" {d.get('rows', '-')} |")
    lat = res["latency"].result
    lines += ["", "## Publication latency (simulated day)", "",
              f"The replica published {lat.get('new_day')} at {lat.get('publish_at')} (15:07"
              f" Tokyo). {lat.get('simulated_hours')} simulated hours took"
              f" {lat.get('real_seconds')} s of real time: {lat.get('watch_ticks')} watcher"
              f" ticks every {lat.get('watch_interval_s', 0) // 60} min, every schedule tick"
              " in its own zone, automation evaluated after each run.", "",
              "| indicator | minutes after publication |", "|---|---:|"]
    for name, minutes in sorted((lat.get("minutes_to_indicator") or {}).items(),
                                key=lambda kv: kv[1]):
        lines.append(f"| {name} | {minutes} |")
    lines += ["", f"Requests in the window: {lat.get('requests')} ({lat.get('bytes', 0):,}"
              f" bytes) = {lat.get('requests_per_day')} per day:"
              f" {lat.get('requests_by_publisher')}.", "", "| simulated time | why | job |"
              " seconds | materialised |", "|---|---|---|---:|---:|"]
    for run in lat.get("runs", []):
        lines.append(f"| {run['at'][:19]} | {run['why']} | {run['job']} | {run['seconds']} |"
                     f" {run['materialised']} |")
    lines += ["", "## The peer (fredapi + pandas.read_csv into DuckDB)", "",
              "| variant | wall s | CPU s | peak RSS MB | requests | 429s | series lost |"
              " rows written |", "|---|---:|---:|---:|---:|---:|---|---:|"]
    for variant, (m, t) in res["peer"].items():
        lost = m.result.get("series_lost", [])
        lines.append(f"| {variant} (pause {m.result.get('pause_s')} s) | {_f(m.wall_s)} |"
                     f" {_f(m.cpu_s)} | {m.peak_rss_mb:.0f} | {t.requests} | {t.rate_limited} |"
                     f" {len(lost)} of {m.result.get('series')} {', '.join(lost)} |"
                     f" {m.result.get('rows_written', 0):,} |")
    lines += ["", "The peer writes the rows as they come: no validation, no vintages, no"
              " marts, no serving copy, and it re-downloads everything every day.", "",
              "## Targets", "", *_targets(res), "", "## Profile", "", *_profile(res.get("profile")),
              "", "## Fixes made from the profile", "", "| file | change | effect |",
              "|---|---|---|", *[f"| {a} | {b} | {c} |" for a, b, c in FIXES]]
    return "\n".join(lines) + "\n"
