"""The scale bench's pieces: a catalogue grown with synthetic series the replica serves, and
SCALE.md and the Scale section of REPORT.md computed from its measurements."""

from __future__ import annotations

from pathlib import Path

import requests
import yaml

from benchmarks.measure import Measurement
from benchmarks.report import SCALE_MARK, _scale
from benchmarks.run import Scenario, Traffic
from benchmarks.scale import ScaleBench, _row, main, render
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


def _scenario(name: str, wall: float, run_s: float, fred: int) -> Scenario:
    run = Measurement(name, wall, wall * 0.9, 512.0, 0, {"run_s": run_s})
    return Scenario(name, run, Traffic(requests=fred, fred=fred, rate_limited=2))


def test_scale_md_names_the_commit_and_each_size_cost_beyond_its_requests(tmp_path: Path) -> None:
    # 500 series, 3 FRED requests: floor = 3 requests at 2/s = 1.5 s; run 76.5 s.
    rows = [_row(500, _scenario("api-500/nothing-new", 80.0, 76.5, 3))]
    assert rows[0]["rate_floor_s"] == 1.5 and rows[0]["limiter_share"] == round(1.5 / 80, 2)
    assert rows[0]["overhead_ms_per_series"] == (76.5 - 1.5) / 500 * 1000  # 150 ms
    text = render(rows, "a" * 40, [], 900.0)
    assert SCALE_MARK.format(commit="a" * 40, dirty=False) in text
    assert "| 500 | nothing-new | 80.0 | 76.5 | 72.0 | 512 | 3 | 2 | 1.5 | 0.02 | 150 |" in text
    assert "Dirty tree" not in text
    assert "Dirty tree" in render(rows, "a" * 40, ["pipelines/x.py"], 900.0)


def test_the_report_quotes_scale_md_only_when_it_measured_the_same_commit(
        tmp_path: Path) -> None:
    path = tmp_path / "SCALE.md"
    path.write_text(render([_row(18, _scenario("api-18/cold-backfill", 40.0, 36.0, 36))],
                           "b" * 40, [], 60.0))
    same = "\n".join(_scale("b" * 40, path))
    assert "measured at this commit" in same and "| 18 | cold-backfill |" in same
    other = "\n".join(_scale("c" * 40 + " + uncommitted changes to 2 files (--dirty)", path))
    assert f"measured at {'b' * 40}" in other and f"this report at {'c' * 40}" in other
    assert "| 18 |" not in other  # another commit's numbers are not shown as this one's
    assert "No scale measurement" in "\n".join(_scale("b" * 40, tmp_path / "missing.md"))


def test_scale_refuses_a_dirty_tree_without_dirty(monkeypatch, tmp_path: Path) -> None:
    import benchmarks.facts

    monkeypatch.setattr(benchmarks.facts, "git_state", lambda root: ("d" * 40, ["x.py"]))
    assert main(["--work", str(tmp_path / "w"), "--out", str(tmp_path / "S.md")]) == 2
    assert not (tmp_path / "S.md").exists()


def test_neither_output_makes_the_tree_dirty(tmp_path: Path) -> None:
    """SCALE.md is written first and REPORT.md after it, at the same clean commit."""
    import subprocess

    from benchmarks.facts import git_state

    def git(*args: str) -> None:
        subprocess.run(["git", "-c", "user.email=b@x", "-c", "user.name=b", *args],
                       cwd=tmp_path, check=True, capture_output=True)

    (tmp_path / "benchmarks").mkdir()
    for name in ("REPORT.md", "SCALE.md"):
        (tmp_path / "benchmarks" / name).write_text("old\n")
    git("init", "-q")
    git("add", ".")
    git("commit", "-qm", "one")
    for name in ("REPORT.md", "SCALE.md"):
        (tmp_path / "benchmarks" / name).write_text("new\n")
    assert git_state(tmp_path)[1] == []
    (tmp_path / "benchmarks" / "scale.py").write_text("x = 1\n")
    assert git_state(tmp_path)[1] == ["benchmarks/scale.py"]
