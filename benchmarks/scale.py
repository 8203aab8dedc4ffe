"""`make bench SCALE=1`: how the FRED cost grows with the catalogue, in API mode.

The cold backfill and the no-change refresh at 18, 100 and 500 series: the real catalogue
plus SYNTH0001.. (copies of DGS10's entry, served by the replica's `--synthetic-series`),
on a fresh replica and an empty warehouse per size, at FRED's documented 120 requests/minute
(the replica enforces 2/s and 120/min per key). Not part of the default `make bench`; it
writes benchmarks/runs/latest-scale/SCALE.md, not REPORT.md.

    python -m benchmarks.scale [--sizes 18,100,500] [--work DIR] [--out FILE]
"""

from __future__ import annotations

import argparse
import copy
import json
import shutil
import sys
import time
from pathlib import Path
from typing import Any

import yaml

from benchmarks.run import AS_OF, BENCH_KEY, FRED_RATE, RUNS, Bench, Scenario
from pipelines.sources.fred.catalogue import DEFAULT_CATALOGUE

SIZES = (18, 100, 500)


class ScaleBench(Bench):
    def __init__(self, work: Path, sizes: tuple[int, ...]) -> None:
        super().__init__(False, work)
        self.sizes = sizes

    def catalogue(self, size: int) -> tuple[Path, int]:
        """The real catalogue cut or grown to `size` entries; returns (path, synthetic)."""
        document = yaml.safe_load(DEFAULT_CATALOGUE.read_text())
        real = document["series"][:size]
        template = next(e for e in document["series"] if e["id"] == "DGS10")
        synthetic = max(0, size - len(real))
        for i in range(1, synthetic + 1):
            entry = copy.deepcopy(template)
            entry["id"] = f"SYNTH{i:04d}"
            real.append(entry)
        document["series"] = real
        path = self.work / f"catalogue-{size}.yaml"
        path.write_text(yaml.safe_dump(document, sort_keys=False))
        return path, synthetic

    def run_sizes(self) -> list[dict[str, Any]]:
        rows = []
        for size in self.sizes:
            path, synthetic = self.catalogue(size)
            print(f"== {size} series (API mode, {synthetic} synthetic)", flush=True)
            self.replica_args = ["--synthetic-series", str(synthetic)]
            self.env.update(FRED_CATALOGUE=str(path), FRED_API_KEY=BENCH_KEY,
                            AS_OF_DATE=AS_OF.isoformat(),
                            ASSETS_DIR=str(self.work / f"assets-{size}"))
            self.start_replica()
            try:
                for scenario in ("cold-backfill", "nothing-new"):
                    rows.append(_row(size, self.pipeline(f"api-{size}/{scenario}", floor=False)))
            finally:
                self.stop_replica()
        return rows


def _row(size: int, s: Scenario) -> dict[str, Any]:
    wall = s.run.wall_s
    return {"series": size, "scenario": s.name.split("/")[1], "exit": s.run.returncode,
            "wall_s": round(wall, 1), "cpu_s": round(s.run.cpu_s, 1),
            "peak_rss_mb": round(s.run.peak_rss_mb), "fred_requests": s.traffic.fred,
            "rate_limited": s.traffic.rate_limited, "rate_floor_s": round(s.rate_floor_s, 1),
            "limiter_share": round(s.rate_floor_s / wall, 2) if wall else None}


def render(rows: list[dict[str, Any]], commit: str, total_s: float) -> str:
    lines = ["# Scale: FRED in API mode", "",
             f"Commit {commit}; {total_s:.0f} s. Replica limit {FRED_RATE[0]}/s and"
             f" {FRED_RATE[1]}/min per key. `limiter share` is the rate-limit floor (the least"
             " time these FRED requests take under the limit) over the wall time: the part of"
             " the run the limiter alone forces.", "",
             "| series | scenario | wall s | CPU s | peak RSS MB | FRED requests | 429s |"
             " rate-limit floor s | limiter share |",
             "|---:|---|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        failed = "" if r["exit"] == 0 else " (FAILED)"
        lines.append(f"| {r['series']} | {r['scenario']}{failed} | {r['wall_s']} | {r['cpu_s']}"
                     f" | {r['peak_rss_mb']} | {r['fred_requests']} | {r['rate_limited']} |"
                     f" {r['rate_floor_s']} | {r['limiter_share']} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    from benchmarks.facts import git_state

    ap = argparse.ArgumentParser(prog="python -m benchmarks.scale", description=__doc__)
    ap.add_argument("--sizes", default=",".join(map(str, SIZES)))
    ap.add_argument("--work", type=Path, default=RUNS / "latest-scale")
    ap.add_argument("--out", type=Path, default=None, help="default: WORK/SCALE.md")
    args = ap.parse_args(argv)
    head, dirty = git_state(Path(__file__).resolve().parents[1])
    shutil.rmtree(args.work, ignore_errors=True)
    args.work.mkdir(parents=True)
    started = time.perf_counter()
    rows = ScaleBench(args.work, tuple(int(n) for n in args.sizes.split(","))).run_sizes()
    total = time.perf_counter() - started
    (args.work / "scale.json").write_text(json.dumps(rows, indent=1))
    out = args.out or args.work / "SCALE.md"
    out.write_text(render(rows, head + (" + uncommitted changes" if dirty else ""), total))
    print(f"wrote {out} in {total:.0f} s")
    return 0 if all(r["exit"] == 0 for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
