"""Real publisher files get the verdict they deserve, file by file.

As of each file's own last date every ERROR check passes, except where the file really is
unfit: the 2023 WTREGEN download is in billions while the catalogue (and FRED since 2025)
says millions, and the IRLTLT01JPM156N copy holds annual rows of a monthly series (a
frequency-aggregated download, FORMATS §1.1), which the completeness check sees as gaps.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest

from pipelines.lib.publish import CheckOutcome
from pipelines.sources.fred.parse import parse_fredgraph_csv, parse_observations_json
from pipelines.sources.mof.jgb_parse import parse_jgb_csv
from pipelines.sources.tic.parse import parse_mfh_history
from pipelines.validation import checks as c
from pipelines.validation.audit import audit
from tests.validation import batches as b

LEGACY = "fred/fredgraph_csv_legacy_DATE_header"
CURRENT = "fred/fredgraph_csv_observation_date_header"

FRED_FILES = [
    # file, series, the ERROR checks it deserves to fail
    (f"{LEGACY}/DGS2.csv", "DGS2", set()),
    (f"{LEGACY}/DGS5.csv", "DGS5", set()),
    (f"{LEGACY}/DGS10.csv", "DGS10", set()),
    (f"{LEGACY}/DGS30.csv", "DGS30", set()),
    (f"{LEGACY}/WALCL.csv", "WALCL", set()),
    (f"{LEGACY}/WTREGEN.csv", "WTREGEN",
     {c.UNITS_MATCH_MAGNITUDE, c.VALUES_IN_PLAUSIBLE_RANGE}),
    (f"{LEGACY}/RRPONTSYD.csv", "RRPONTSYD", set()),
    (f"{LEGACY}/CBBTCUSD.csv", "CBBTCUSD", set()),
    (f"{LEGACY}/IRLTLT01JPM156N.csv", "IRLTLT01JPM156N", {c.NO_GAP_IN_NEW_WINDOW}),
    (f"{CURRENT}/DGS10.csv", "DGS10", set()),
    (f"{CURRENT}/DEXJPUS.csv", "DEXJPUS", set()),
    (f"{CURRENT}/SOFR.csv", "SOFR", set()),
    (f"{CURRENT}/IR3TIB01JPM156N.csv", "IR3TIB01JPM156N", set()),
]
API_FILES = ["DGS10", "WALCL", "WTREGEN", "RRPONTSYD"]


def failing_errors(outcomes: list[CheckOutcome]) -> set[str]:
    return {o.name for o in outcomes if o.blocks}


def keyless_batch(frame: pl.DataFrame, series: str, fetch_mode: str = "keyless") -> pl.DataFrame:
    """Staging rows for a parsed series: the catalogue's unit, value_usd_bn from it."""
    spec = b.CATALOGUE[series]
    rows = b.fred_rows(spec, frame["date"].to_list(), 0.0)
    scale = spec.usd_bn_scale
    return rows.with_columns(
        value=frame["value"],
        value_usd_bn=frame["value"] * scale if scale else pl.lit(None, pl.Float64),
        fetch_mode=pl.lit(fetch_mode),
    ).with_columns(value_normalised=pl.coalesce("value_usd_bn", "value"))


@pytest.mark.parametrize(("path", "series", "deserved"), FRED_FILES,
                         ids=[p for p, _, _ in FRED_FILES])
def test_fredgraph_file_verdict(
    reference_dir: Path, path: str, series: str, deserved: set[str]
) -> None:
    frame = parse_fredgraph_csv((reference_dir / path).read_bytes(), series)
    batch = keyless_batch(frame, series)
    result = audit(c.FRED_OBSERVATIONS, b.connect(), batch,
                   b.ctx(series, as_of=frame["date"].max()))
    assert failing_errors(result) == deserved, [o for o in result if o.blocks]
    assert next(o for o in result if o.name == c.FRESH_AS_OF).passed


@pytest.mark.parametrize("series", API_FILES)
def test_api_json_verdict(reference_dir: Path, series: str) -> None:
    page = parse_observations_json((reference_dir / f"fred/api_json/{series}.json").read_bytes())
    batch = keyless_batch(page.frame, series, "api").with_columns(
        realtime_start=page.frame["realtime_start"])
    result = audit(c.FRED_OBSERVATIONS, b.connect(), batch,
                   b.ctx(series, as_of=page.frame["date"].max()))
    assert failing_errors(result) == set()


def test_wtregen_in_billions_fails_units_against_millions(reference_dir: Path) -> None:
    frame = parse_fredgraph_csv((reference_dir / f"{LEGACY}/WTREGEN.csv").read_bytes(), "WTREGEN")
    assert b.CATALOGUE["WTREGEN"].units == "Millions of U.S. Dollars"
    result = audit(c.FRED_OBSERVATIONS, b.connect(), keyless_batch(frame, "WTREGEN"),
                   b.ctx("WTREGEN", as_of=frame["date"].max()))
    units = next(o for o in result if o.name == c.UNITS_MATCH_MAGNITUDE)
    assert not units.passed and units.blocks
    assert units.unexpected_count == frame.height
    assert "look like billions" in units.sample[0]


def test_old_dgs10_snapshot_is_stale_but_sound(reference_dir: Path) -> None:
    frame = parse_fredgraph_csv((reference_dir / f"{LEGACY}/DGS10.csv").read_bytes(), "DGS10")
    result = audit(c.FRED_OBSERVATIONS, b.connect(), keyless_batch(frame, "DGS10"),
                   b.ctx("DGS10", as_of=date(2026, 11, 26)))
    assert failing_errors(result) == set()
    fresh = next(o for o in result if o.name == c.FRESH_AS_OF)
    assert (fresh.passed, fresh.severity) == (False, "WARN")
    assert fresh.details["newest"] == "2021-01-04"


@pytest.mark.parametrize("name", ["jgbcme_all.csv", "jgbcm_all.csv", "jgbcm.csv"])
def test_jgb_file_verdict(reference_dir: Path, name: str) -> None:
    frame = parse_jgb_csv((reference_dir / "mof_jgb" / name).read_bytes())
    batch = frame.with_columns(source_file=pl.lit(name))
    result = audit(c.JGB_YIELDS, b.connect(), batch, b.ctx(as_of=frame["date"].max()))
    assert failing_errors(result) == set()
    assert all(o.passed for o in result)
    if name != "jgbcm.csv":  # the history shows the known gaps, and says it accepted them
        gap = next(o for o in result if o.name == c.NO_GAP_IN_NEW_WINDOW)
        accepted = gap.details["known_gaps_accepted"]
        assert "1: 1978-05-19..1980-08-22" in accepted
        assert "10: 2019-04-26..2019-05-07" in accepted


def test_tic_history_verdict(reference_dir: Path) -> None:
    history = parse_mfh_history((reference_dir / "tic/mfhhis01.txt").read_bytes())
    batch = history.holdings.with_columns(source_file=pl.lit("mfhhis01.txt"),
                                          release_date=pl.lit(history.release_date))
    result = audit(c.TIC_HOLDINGS, b.connect(), batch, b.ctx(as_of=date(2026, 3, 18)))
    assert all(o.passed for o in result), [o for o in result if not o.passed]
    identity = next(o for o in result if o.name == c.COUNTRIES_SUM_TO_GRAND_TOTAL)
    assert identity.details["months_checked"] == 310  # Mar 2000 .. Dec 2025
    assert identity.details["largest_abs_residual_usd_bn"] <= c.TIC_IDENTITY_TOLERANCE_USD_BN
