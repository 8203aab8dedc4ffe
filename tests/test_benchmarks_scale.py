"""The scale bench's pieces: a catalogue grown with synthetic series the replica serves."""

from __future__ import annotations

from pathlib import Path

import requests
import yaml

from benchmarks.scale import ScaleBench
from pipelines.replica import Replica
from pipelines.sources.fred import load_catalogue
from pipelines.sources.fred.catalogue import DEFAULT_CATALOGUE

KEY = "c" * 32


def test_the_catalogue_grows_with_synthetic_series_the_replica_serves(tmp_path: Path) -> None:
    bench = ScaleBench(tmp_path, (5, 20))
    small, none = bench.catalogue(5)
    big, synthetic = bench.catalogue(20)
    assert none == 0 and len(load_catalogue(small)) == 5
    ids = [s.id for s in load_catalogue(big)]
    real = [e["id"] for e in yaml.safe_load(
        DEFAULT_CATALOGUE.read_text())["series"]]
    assert synthetic == 20 - len(real) and ids[-1] == f"SYNTH{synthetic:04d}"
    with Replica.start(synthetic_series=synthetic) as rep:
        last = ids[-1]
        meta = requests.get(f"{rep.url}/fred/series", timeout=10, params={
            "series_id": last, "api_key": KEY, "file_type": "json"}).json()["seriess"][0]
        csv = requests.get(f"{rep.url}/graph/fredgraph.csv", timeout=10,
                           params={"id": last, "cosd": "2026-11-01"}).text
        dgs10 = requests.get(f"{rep.url}/graph/fredgraph.csv", timeout=10,
                             params={"id": "DGS10", "cosd": "2026-11-01"}).text
    assert meta["id"] == last
    assert csv.splitlines()[0] == f"observation_date,{last}"
    assert csv.splitlines()[1:] == dgs10.splitlines()[1:]  # DGS10's values under a new id
