"""CLI: `python -m pipelines.replica [--port 0] [--as-of YYYY-MM-DD] [--data-dir DIR] ...`.

Prints `replica serving on http://HOST:PORT` (and writes the URL to --port-file), then serves
until SIGTERM or SIGINT. Drive it from other processes with the /_replica/ control endpoints.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from datetime import date
from pathlib import Path

from pipelines.sources.fred.catalogue import DEFAULT_CATALOGUE

from .replica import Replica


def _rate(text: str) -> tuple[int, int]:
    per_s, _, per_m = text.partition("/")
    return int(per_s), int(per_m or 0)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m pipelines.replica", description=__doc__)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--as-of", type=date.fromisoformat, default=None)
    ap.add_argument("--data-dir", type=Path, default=None)
    ap.add_argument("--port-file", type=Path, default=None)
    ap.add_argument("--latency-ms", type=float, default=0.0)
    ap.add_argument("--fred-rate-limit", type=_rate, default=(2, 120),
                    help="PER_SECOND/PER_MINUTE per api_key, 0 = off (default 2/120)")
    ap.add_argument("--fredgraph-rate-limit", type=_rate, default=(0, 0),
                    help="PER_SECOND/PER_MINUTE per client host on fredgraph.csv, an assumption"
                         " (FRED documents none; default 0/0 = off)")
    ap.add_argument("--legacy-fred-header", action="store_true")
    ap.add_argument("--synthetic-series", type=int, default=0,
                    help="add SYNTH0001..SYNTHnnnn, copies of DGS10 (scale benchmark)")
    ap.add_argument("--catalogue", type=Path, default=DEFAULT_CATALOGUE,
                    help="serve every series of this FRED catalogue.yaml too (default: the"
                         " project's; a series the sample lacks is a copy of one it has)")
    args = ap.parse_args(argv)
    replica = Replica.start(as_of=args.as_of, data_dir=args.data_dir, port=args.port,
                            host=args.host, fred_rate_limit=args.fred_rate_limit,
                            fredgraph_rate_limit=args.fredgraph_rate_limit,
                            latency_s=args.latency_ms / 1000,
                            legacy_fred_header=args.legacy_fred_header,
                            synthetic_series=args.synthetic_series, catalogue=args.catalogue)
    done = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: done.set())
    if args.port_file:
        tmp = args.port_file.with_suffix(args.port_file.suffix + ".tmp")
        tmp.write_text(replica.url + "\n")
        tmp.replace(args.port_file)
    print(f"replica serving on {replica.url}", flush=True)
    done.wait()
    replica.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
