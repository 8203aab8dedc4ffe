"""`make bench`: every scenario against the replica, each beside its floor; writes REPORT.md.

    python -m benchmarks.run [--quick] [--modes keyless,api] [--out benchmarks/REPORT.md]

The replica runs in its own process (FRED limited to 2 requests/s and 120/min per key, 50 ms
latency on every request) so its memory and CPU never count. Each scenario is a child
process measured from outside (benchmarks.measure); requests and bytes are read from the
replica's own log. Scenarios run in order on one warehouse: cold backfill, nothing new, one new
day, marts only, queries, then a simulated day of production polling, then the peer.
`--quick` uses a five-series catalogue, five query runs and a one-hour simulated window, and
skips the children whose code another one exercises: a smoke test of the harness, not a
measurement. `--modes keyless` runs one FRED mode only (the suite's smoke test: the other
mode is the same harness code with a key set). Work files and logs: benchmarks/runs/latest/.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import yaml

from benchmarks.facts import git_state, machine_facts
from benchmarks.measure import Measurement, run_child
from benchmarks.report import render

ROOT = Path(__file__).resolve().parents[1]
RUNS = ROOT / "benchmarks" / "runs"
AS_OF = date(2026, 11, 20)  # a Friday: the sample is deterministic, so every run is comparable
FRED_RATE = (2, 120)  # FRED's API: documented 120 requests/minute per key (2/s burst assumed)
# fredgraph.csv: FRED documents no limit. Assumed the API's, per client host, so that keyless
# and API mode pay the same floor and the peers face the same limiter as the pipeline.
FREDGRAPH_RATE = (2, 120)
LATENCY_MS = 50
QUICK_SERIES = ("DGS2", "DGS10", "DEXJPUS", "WALCL", "IR3TIB01JPM156N")
MODES = ("keyless", "api")
BENCH_KEY = "b" * 32  # the pipeline's key in API mode (its own rate-limit window)
PEER_KEYS = {"plain": "0" * 32, "paused": "1" * 32}  # separate rate-limit windows per key


@dataclass
class Traffic:
    requests: int = 0
    fred: int = 0
    not_modified: int = 0
    rate_limited: int = 0
    bytes: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)


@dataclass
class Scenario:
    name: str
    run: Measurement
    traffic: Traffic
    floor: Measurement | None = None
    note: str = ""
    mode: str = "keyless"

    @property
    def rate_floor_s(self) -> float:
        return rate_floor_s(self.traffic.fred)


def rate_floor_s(requests: int, per_s: int = FRED_RATE[0], per_min: int = FRED_RATE[1]) -> float:
    """Least time `requests` FRED requests take under both windows (the first is free)."""
    if requests <= 0:
        return 0.0
    return (requests - 1) // per_min * 60.0 + ((requests - 1) % per_min + 1) / per_s


class Bench:
    def __init__(self, quick: bool, work: Path, modes: tuple[str, ...] = MODES) -> None:
        self.quick = quick
        self.modes = modes
        self.work = work
        self.logs = work / "logs"
        self.logs.mkdir(parents=True, exist_ok=True)
        self.assets = work / "assets"
        self.replica: subprocess.Popen[bytes] | None = None
        self.replica_args: list[str] = []  # extra replica options (the scale bench's series)
        self.url = ""
        self.env = self._base_env()

    def _base_env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items()
               if k not in ("FRED_API_KEY", "DAGSTER_HOME", "PYTHONDONTWRITEBYTECODE",
                            "REPLAY", "ALERT_WEBHOOK_URL")}
        # One bytecode cache for every child (warmed first), like an installed deployment.
        env["PYTHONPYCACHEPREFIX"] = str(RUNS / "pycache")
        env["ASSETS_DIR"] = str(self.assets)
        env["AS_OF_DATE"] = AS_OF.isoformat()
        env["PYTHONPATH"] = str(ROOT)
        if self.quick:
            env["FRED_CATALOGUE"] = str(self._quick_catalogue())
        return env

    def _quick_catalogue(self) -> Path:
        from pipelines.sources.fred.catalogue import DEFAULT_CATALOGUE

        document = yaml.safe_load(DEFAULT_CATALOGUE.read_text())
        document["series"] = [s for s in document["series"] if s["id"] in QUICK_SERIES]
        path = self.work / "catalogue.yaml"
        path.write_text(yaml.safe_dump(document, sort_keys=False))
        return path

    # --- the replica -------------------------------------------------------------------------
    def start_replica(self) -> None:
        port_file = self.work / "replica.url"
        port_file.unlink(missing_ok=True)
        log = open(self.logs / "replica.log", "wb")
        self.replica = subprocess.Popen(
            [sys.executable, "-m", "pipelines.replica", "--port-file", str(port_file),
             "--as-of", AS_OF.isoformat(), "--latency-ms", str(LATENCY_MS),
             "--fred-rate-limit", f"{FRED_RATE[0]}/{FRED_RATE[1]}",
             "--fredgraph-rate-limit", f"{FREDGRAPH_RATE[0]}/{FREDGRAPH_RATE[1]}",
             *self.replica_args],
            env=self.env, cwd=ROOT, stdout=log, stderr=log)
        deadline = time.monotonic() + 60
        while not port_file.exists():
            if self.replica.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"replica did not start; see {self.logs / 'replica.log'}")
            time.sleep(0.05)
        self.url = port_file.read_text().strip()
        for name in ("FRED_GRAPH_URL", "FRED_API_URL", "MOF_URL", "TIC_URL"):
            self.env[name] = self.url

    def stop_replica(self) -> None:
        if self.replica is not None:
            self.replica.terminate()
            self.replica.wait(timeout=30)
            self.replica = None

    def _get(self, path: str) -> Any:
        with urllib.request.urlopen(self.url + path, timeout=60) as resp:
            return json.loads(resp.read())

    def publish_day(self) -> date:
        req = urllib.request.Request(self.url + "/_replica/publish-day", data=b"{}",
                                     method="POST")
        with urllib.request.urlopen(req, timeout=60) as resp:
            return date.fromisoformat(json.loads(resp.read())["as_of"])

    def mark(self) -> int:
        return len(self._get("/_replica/requests"))

    def traffic_since(self, mark: int) -> Traffic:
        t = Traffic()
        for r in self._get("/_replica/requests")[mark:]:
            t.requests += 1
            t.bytes += r["bytes_sent"]
            fred = r["path"].startswith(("/fred/", "/graph/"))
            t.fred += fred
            t.not_modified += r["status"] == 304
            t.rate_limited += r["status"] == 429
            kind = "fred" if fred else "tic" if "/tic/" in r["path"] else "mof"
            key = f"{kind} {r['method']} {r['status']}"
            t.by_kind[key] = t.by_kind.get(key, 0) + 1
        return t

    # --- children ----------------------------------------------------------------------------
    def child(self, name: str, args: list[str], **env: str) -> tuple[Measurement, Traffic]:
        mark = self.mark()
        m = run_child(name, args, {**self.env, **env}, self.work / f"{name}.json", cwd=ROOT,
                      log=self.logs / f"{name}.log")
        print(f"  {name}: {m.wall_s:.1f} s wall, {m.cpu_s:.1f} s CPU, {m.peak_rss_mb:.0f} MB"
              f"{'' if m.returncode == 0 else f' (exit {m.returncode})'}", flush=True)
        return m, self.traffic_since(mark)

    def pipeline(self, name: str, job: str = "refresh_all", *, floor: bool = True) -> Scenario:
        run, traffic = self.child(name.replace("/", "-"),
                                  ["benchmarks.scenario", "pipeline", "--job", job])
        mode = name.split("/")[0]
        if not floor:
            return Scenario(name, run, traffic, mode=mode)
        keys = self.work / f"{name.replace('/', '-')}.materialised.json"
        keys.write_text(json.dumps(run.result.get("materialised", [])))
        floor, _ = self.child(f"{name.replace('/', '-')}-floor", [
            "benchmarks.scenario", "floor", "--job", job, "--graph", str(self.graph),
            "--materialise", str(keys)])
        return Scenario(name, run, traffic, floor, mode=mode)

    def forget_mart_builds(self) -> int:
        """Make every mart due, so marts-only measures a full rebuild and not the no-op path
        (each mart step would otherwise find its inputs unchanged and build nothing)."""
        con = duckdb.connect(str(self.assets / "warehouse.duckdb"))
        try:
            (count,) = con.execute("SELECT count(*) FROM meta.mart_builds").fetchone() or (0,)
            con.execute("DELETE FROM meta.mart_builds")
        finally:
            con.close()
        return int(count)

    def main(self) -> dict[str, Any]:
        out: dict[str, Any] = {"quick": self.quick, "as_of": AS_OF.isoformat(),
                               "facts": machine_facts(ROOT), "fred_rate": FRED_RATE,
                               "fredgraph_rate": FREDGRAPH_RATE, "latency_ms": LATENCY_MS,
                               "scenarios": [], "latency": {}, "peer": {}}
        for mode in self.modes:
            print(f"== {mode} mode (fresh replica, empty warehouse)", flush=True)
            self.start_replica()
            try:
                self.mode_run(mode, out)
            finally:
                self.stop_replica()
        return out

    def mode_run(self, mode: str, out: dict[str, Any]) -> None:
        """Every scenario in one FRED mode, on its own replica and warehouse."""
        self.assets = self.work / f"assets-{mode}"
        self.env["ASSETS_DIR"] = str(self.assets)
        self.env["AS_OF_DATE"] = AS_OF.isoformat()
        self.env.pop("FRED_API_KEY", None)
        if mode == "api":
            self.env["FRED_API_KEY"] = BENCH_KEY
        if not out["scenarios"]:
            print("warm-up (bytecode cache, graph shape)", flush=True)
            self.graph = self.work / "graph.json"
            warm, _ = self.child("warm-up", ["benchmarks.scenario", "describe"])
            shutil.copy(self.work / "warm-up.json", self.graph)
        scenarios = [self.pipeline(f"{mode}/cold-backfill")]
        if not self.quick:
            print("profile of the cold backfill (separate, not timed)", flush=True)
            prof = self.work / f"cold-{mode}.prof"
            self.child(f"{mode}-cold-backfill-profile", [
                "benchmarks.scenario", "pipeline", "--profile", str(prof)],
                ASSETS_DIR=str(self.work / f"assets-profile-{mode}"))
            out.setdefault("profile", {})[mode] = str(prof)
        scenarios.append(self.pipeline(f"{mode}/nothing-new"))
        new_day = self.publish_day()
        self.env["AS_OF_DATE"] = new_day.isoformat()
        # --quick skips children whose code path another one already exercises.
        scenarios.append(self.pipeline(f"{mode}/one-new-day", floor=not self.quick))
        scenarios[-1].note = f"replica published {new_day}"
        forgotten = self.forget_mart_builds()
        scenarios.append(self.pipeline(f"{mode}/marts-only", "marts_only",
                                       floor=not self.quick))
        scenarios[-1].note = f"every mart rebuilt from full history ({forgotten} build records" \
            " cleared first, as after an edit of every SQL file)"
        out["scenarios"] += scenarios
        if mode == self.modes[0]:
            query, _ = self.child("query", [
                "benchmarks.scenario", "query", "--runs", "5" if self.quick else "50",
                "--db", str(self.assets / "serving" / "analytics.duckdb")])
            out["query"] = query
        hours = "1" if self.quick else "24"
        latency, _ = self.child(f"{mode}-publication-latency", [
            "benchmarks.latency", "--replica", self.url, "--hours", hours],
            ASSETS_DIR=str(self.assets))
        out["latency"][mode] = latency
        variants = (("paused", "0.5"),) if self.quick else (("plain", "0"), ("paused", "0.5"))
        for variant, pause in variants:
            name = f"peer-{mode}-{variant}"
            m, t = self.child(name, [
                "benchmarks.peer", "--db", str(self.work / f"{name}.duckdb"), "--fred", mode,
                "--key", PEER_KEYS[variant], "--pause", pause])
            out["peer"][f"{mode}/{variant}"] = (m, t)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__)
    ap.add_argument("--quick", action="store_true", help="tiny catalogue: a smoke test")
    ap.add_argument("--out", type=Path, default=None,
                    help="report path (default benchmarks/REPORT.md; --quick: runs/latest)")
    ap.add_argument("--work", type=Path, default=RUNS / "latest")
    ap.add_argument("--modes", default=",".join(MODES),
                    type=lambda text: tuple(m for m in MODES if m in text.split(",")),
                    help="FRED modes to run, comma-separated (default keyless,api)")
    ap.add_argument("--dirty", action="store_true",
                    help="run on a tree with uncommitted changes (the report says so)")
    args = ap.parse_args(argv)
    head, dirty = git_state(ROOT)
    if dirty and not args.dirty:
        print(f"refusing to benchmark {head[:12]} with uncommitted changes to: "
              f"{', '.join(dirty[:8])}; commit them or pass --dirty", file=sys.stderr)
        return 2
    shutil.rmtree(args.work, ignore_errors=True)
    args.work.mkdir(parents=True)
    started = time.perf_counter()
    if not args.modes:
        ap.error(f"--modes: none of {', '.join(MODES)}")
    results = Bench(args.quick, args.work, args.modes).main()
    results["total_s"] = time.perf_counter() - started
    results["dirty"] = dirty
    out = args.out or (args.work / "REPORT.md" if args.quick else ROOT / "benchmarks" / "REPORT.md")
    out.write_text(render(results))
    print(f"wrote {out} in {results['total_s']:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
