"""`make probe` against the replica serving the real publisher files (tests/data/publishers).

Numbers are read off the files independently (line counts with `re`), never off the parsers.
"""

from __future__ import annotations

import dataclasses
import io
import re
from datetime import date
from pathlib import Path

import pytest

from pipelines.lib.settings import Settings
from pipelines.probe.run import run
from pipelines.replica import Replica
from pipelines.sources.fred.catalogue import load_catalogue
from tests.conftest import PUBLISHERS_DIR

WEEK = "/policy/international_policy/reference/itn_transactions_in_securities/week.csv"


def _settings(replica: Replica, assets: Path) -> Settings:
    return dataclasses.replace(
        Settings(), fred_graph_url=replica.url, fred_api_url=replica.url, mof_url=replica.url,
        tic_url=replica.url, assets_dir=assets, fred_api_key=None)


def _blocks(output: str) -> dict[str, str]:
    """'source name' -> the block printed for it."""
    parts = re.split(r"^== ", output, flags=re.M)[1:]
    return {p.splitlines()[0]: p for p in parts}


@pytest.fixture(scope="module")
def replica():
    with Replica.start(as_of=date(2026, 7, 31), data_dir=PUBLISHERS_DIR,
                       fred_rate_limit=(0, 0)) as r:
        yield r


@pytest.fixture(scope="module")
def probed(replica: Replica, tmp_path_factory: pytest.TempPathFactory) -> tuple[int, str, Path]:
    assets = tmp_path_factory.mktemp("probe_assets")
    out = io.StringIO()
    code = run(_settings(replica, assets), out)
    return code, out.getvalue(), assets


def test_every_publisher_file_gets_one_block_and_all_parse(probed) -> None:
    code, output, _ = probed
    blocks = _blocks(output)
    series = [s.id for s in load_catalogue()]
    expected = {f"fred fredgraph.csv {s}" for s in series} | {
        f"mof {n}" for n in ("jgbcme_all.csv", "jgbcme.csv", "jgbcm_all.csv", "jgbcm.csv",
                             "week.csv", "montha1.csv", "monthb3.csv")
    } | {"tic mfhhis01.txt", "tic slt_table5.txt"}
    assert set(blocks) == expected
    assert code == 0, output[-3000:]
    for name, block in blocks.items():
        for label in ("url", "status", "encoding", "header", "rows", "verdict"):
            assert re.search(rf"^{label}\s", block, re.M), (name, label, block)
        assert re.search(r"^verdict\s+OK", block, re.M), block
    assert output.rstrip().endswith(f"{len(expected)} of {len(expected)} file(s) fetched and"
                                    " parsed")


def test_what_a_block_says_matches_the_file(probed) -> None:
    _, output, assets = probed
    blocks = _blocks(output)
    body = (PUBLISHERS_DIR / "mof_jgb" / "jgbcm_all.csv").read_bytes()
    text = body.decode("cp932")
    era_rows = [ln for ln in text.splitlines() if re.match(r"^[SHR]\d{1,2}\.\d{1,2}\.\d", ln)]
    block = blocks["mof jgbcm_all.csv"]
    assert f"{len(body):,} bytes" in block
    assert "Shift_JIS (cp932), CRLF" in block
    assert f"{len(era_rows):,} distinct dates, 1974-09-24 .. 2026-06-30" in block
    assert f"first row  3: {era_rows[0]}" in block
    assert re.search(r"^header\s+1: 国債金利情報", block, re.M)
    assert "2: 基準日,1年,2年" in block
    raw = Path(re.search(r"^raw body\s+(\S+)", block, re.M).group(1))
    assert raw.is_relative_to(assets / "raw" / "mof") and raw.read_bytes() == body

    history = blocks["tic mfhhis01.txt"]
    assert "ASCII, LF" in history and "2000-03-01 .. 2025-12-01" in history
    dgs10 = blocks["fred fredgraph.csv DGS10"]
    assert "ASCII, LF" in dgs10 and re.search(r"^header\s+1: observation_date,DGS10", dgs10, re.M)


def test_a_refused_file_shows_its_header_rows_keeps_its_body_and_fails_the_probe(
    tmp_path: Path,
) -> None:
    changed = ("対外及び対内証券売買契約等の状況,,,\r\n,,,単位：億円\r\n"
               "期間,Stocks,,,Bonds\r\n2026．9．6～9．12,1,2,3\r\n").encode("cp932")
    out = io.StringIO()
    with Replica.start(as_of=date(2026, 7, 31)) as replica:
        replica.put(WEEK, changed)
        code = run(_settings(replica, tmp_path), out, only="mof week")
    output = out.getvalue()
    assert code == 1
    block = _blocks(output)["mof week.csv"]
    assert re.search(r"^verdict\s+REFUSED: .*header row not found", block, re.M), block
    assert "header rows found (abridged" in block
    assert "line 3: 1:期間 | 2:Stocks | 5:Bonds" in block
    raw = Path(re.search(r"^raw body\s+(\S+)", block, re.M).group(1))
    assert raw.read_bytes() == changed
    assert "parser or fetch disagrees on: mof week.csv" in output


def test_a_file_that_cannot_be_fetched_fails_the_probe(tmp_path: Path) -> None:
    out = io.StringIO()
    with Replica.start(as_of=date(2026, 7, 31)) as replica:
        replica.inject("/resource-center/data-chart-center/tic/Documents/slt_table5.txt",
                       "status", code=404, times=0)
        code = run(_settings(replica, tmp_path), out, only="slt_table5")
    assert code == 1
    assert re.search(r"^verdict\s+FETCH FAILED: .*HTTP 404", out.getvalue(), re.M)
