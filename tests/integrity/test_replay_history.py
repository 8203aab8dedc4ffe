"""REPLAY=1 rebuilds staging exactly, `_history` included, from the landing zone alone (13.5).

A full load, then three incremental days (one with a revised JGB yield, one with a withdrawn
cell), each served by a fresh replica on the same port; then staging is dropped (and,
separately, the warehouse deleted) and replayed with the replica listening, so a stray request
would show, and the URL variables back at the real publishers' hosts. Every staging table,
history twins included, must equal the original row for row.
"""

from __future__ import annotations

import os
import shutil
from datetime import date
from pathlib import Path

import dagster as dg
import duckdb
import pytest
import requests

from tests.reliability import harness as h

DAYS = (date(2026, 11, 17), date(2026, 11, 18), date(2026, 11, 19), date(2026, 11, 20))
KEYS = (*h.SOURCES["FRED keyless"].keys, dg.AssetKey(["mof", "jgb_yields"]),
        dg.AssetKey(["tic", "tic_holdings"]))
REVISED = ("2026/11/17", 10, "1.999")  # day, tenor column (1-based after the date), new text
WITHDRAWN = ("2026/11/18", 3)


def staging(assets_dir: Path) -> dict[str, tuple[int, int]]:
    with h.connect_ro(assets_dir / "warehouse.duckdb") as con:
        return h.schema_digest(con, "staging")


def edited_jgb(replica_url: str, edits: list[tuple[str, int, str]]) -> bytes:
    """The replica's current-month JGB file with some cells rewritten."""
    body = requests.get(replica_url + h.JGB_CURRENT, timeout=10).content.decode("cp932")
    lines = body.split("\r\n")
    for day, column, text in edits:
        i = next(n for n, ln in enumerate(lines) if ln.startswith(day + ","))
        cells = lines[i].split(",")
        cells[column] = text
        lines[i] = ",".join(cells)
    return "\r\n".join(lines).encode("cp932")


def run(assets: list[dg.AssetsDefinition], folder: Path, catalogue: Path, port: int, day: date,
        *, replay: bool = False, edits: list | None = None) -> tuple[dg.ExecuteInProcessResult,
                                                                     int]:
    rep = h.start_replica(day, port)
    try:
        if edits:
            rep.put(h.JGB_CURRENT, edited_jgb(rep.url, edits))
        with h.environment(rep, folder, catalogue, api=False, as_of=day):
            if replay:
                os.environ["REPLAY"] = "1"
                # The publishers' real hosts, as after `make demo`: bodies are keyed by what
                # they answer, not by the host (the replica's port) that served them.
                for name in rep.env():
                    os.environ.pop(name, None)
            result = dg.materialize(assets, selection=dg.AssetSelection.assets(*KEYS),
                                    resources=h.fast_resources(folder), raise_on_error=False)
        return result, len(rep.requests)
    finally:
        rep.stop()


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory, port: int, catalogue: Path
           ) -> tuple[Path, dict[str, tuple[int, int]]]:
    folder = tmp_path_factory.mktemp("replay") / "assets"
    assets = h.all_assets(catalogue)
    # The revision and the withdrawal persist in every later copy, as a publisher's would.
    withdrawn = (*WITHDRAWN, "-")
    edits = {1: [REVISED], 2: [REVISED, withdrawn], 3: [REVISED, withdrawn]}
    for n, day in enumerate(DAYS):
        result, _ = run(assets, folder, catalogue, port, day, edits=edits.get(n))
        assert result.success, h.failure_messages(result)
    return folder, staging(folder)


def test_the_incremental_runs_revised_and_withdrew_what_they_were_served(loaded) -> None:
    folder, _ = loaded
    with h.connect_ro(folder / "warehouse.duckdb") as con:
        revised = con.execute(
            "SELECT yield_pct, valid_to IS NULL FROM staging.jgb_yields_history"
            " WHERE date = DATE '2026-11-17' AND tenor_years = 10 ORDER BY valid_from"
        ).fetchall()
        withdrawn = con.execute(
            "SELECT count(*) FILTER (valid_to IS NOT NULL),"
            " (SELECT count(*) FROM staging.jgb_yields WHERE date = DATE '2026-11-18'"
            "  AND tenor_years = 3)"
            " FROM staging.jgb_yields_history WHERE date = DATE '2026-11-18' AND tenor_years = 3"
        ).fetchall()[0]
        dgs10 = con.execute("SELECT count(*) FROM staging.fred_observations"
                            " WHERE series_id = 'DGS10'").fetchall()[0][0]
    assert len(revised) == 2 and revised[1] == (1.999, True) and revised[0][1] is False
    assert withdrawn == (1, 0)  # closed in history, gone from the current table
    assert dgs10 > 5000  # the whole history, not one window


def test_replay_after_dropping_staging_equals_the_original_row_for_row(
    loaded, tmp_path: Path, port: int, catalogue: Path
) -> None:
    folder, original = loaded
    case = tmp_path / "assets"
    shutil.copytree(folder, case)
    con = duckdb.connect(str(case / "warehouse.duckdb"))
    con.execute("DROP SCHEMA staging CASCADE")
    con.close()
    result, requests_seen = run(h.all_assets(catalogue), case, catalogue, port, DAYS[-1],
                                replay=True)
    assert result.success, h.failure_messages(result)
    assert requests_seen == 0
    assert staging(case) == original


def test_replay_after_deleting_the_warehouse_equals_the_original_row_for_row(
    loaded, tmp_path: Path, port: int, catalogue: Path
) -> None:
    folder, original = loaded
    case = tmp_path / "assets"
    shutil.copytree(folder, case)
    (case / "warehouse.duckdb").unlink()
    result, requests_seen = run(h.all_assets(catalogue), case, catalogue, port, DAYS[-1],
                                replay=True)
    assert result.success, h.failure_messages(result)
    assert requests_seen == 0
    assert staging(case) == original
    with h.connect_ro(case / "warehouse.duckdb") as con:  # the fetch log came back too
        assert con.execute("SELECT count(*) FROM raw.fetch_log").fetchall()[0][0] > 0
