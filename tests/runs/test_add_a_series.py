"""Adding a FRED series as the README says: one entry in a catalogue, then a refresh.

Issue 16: DGS1 added to catalogue.yaml once broke every mart and the serving copy. Here DGS1
is appended to a copy of the whole catalogue; the replica serves every catalogued series
(pipelines/replica/catalogued.py), so the run must load it, build every mart and publish a
serving copy in which nothing is stale. (A series the publisher lacks, a 404, is
test_failures_isolated.py: it fails alone and is reported stale.)
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import requests
import yaml

from pipelines.marts.build import discover_marts
from pipelines.replica import Replica
from pipelines.sources.fred.catalogue import DEFAULT_CATALOGUE, CatalogueEntry, load_catalogue
from tests.runs import scenario as s

# The entry as the README's "Add a FRED series" writes it.
DGS1 = {
    "id": "DGS1",
    "title": "Market Yield on U.S. Treasury Securities at 1-Year Constant Maturity,"
             " Quoted on an Investment Basis",
    "purpose": "1-year UST yield, the short end of the UST curve against 1-year JGBs.",
    "units": "Percent",
    "frequency": "daily",
    "min": -1,
    "max": 25,
    "revision_window_days": 14,
    "start": "1962-01-02",
}
README = Path(__file__).resolve().parents[2] / "README.md"


def catalogue_with(entry: dict[str, object], folder: Path) -> Path:
    """A copy of the project's catalogue.yaml with `entry` appended, comments kept."""
    path = folder / "catalogue.yaml"
    text = DEFAULT_CATALOGUE.read_text(encoding="utf-8").rstrip("\n")
    block = yaml.safe_dump([entry], sort_keys=False, width=1000)
    path.write_text(text + "\n\n" + "\n".join(f"  {line}" for line in block.splitlines())
                    + "\n", encoding="utf-8")
    return path


def served_values(replica: Replica, series_id: str, start: str) -> dict[str, str]:
    """date -> value of what the replica's fredgraph.csv serves, read independently."""
    response = requests.get(f"{replica.url}/graph/fredgraph.csv",
                            params={"id": series_id, "cosd": start}, timeout=30)
    response.raise_for_status()
    rows = list(csv.reader(io.StringIO(response.text)))
    return {d: v for d, v in rows[1:] if v not in ("", ".")}


def test_the_readme_explains_every_catalogue_field() -> None:
    text = README.read_text(encoding="utf-8")
    section = text.split("## Add a FRED series", 1)[1].split("\n## ", 1)[0]
    for field in CatalogueEntry.model_fields:
        assert f"`{field}`" in section, field
    assert "DGS1" in section


def test_dgs1_added_to_the_catalogue_is_loaded_built_on_and_served_fresh(tmp_path: Path) -> None:
    catalogue = catalogue_with(DGS1, tmp_path)
    assert [sp.id for sp in load_catalogue(catalogue)][-1] == "DGS1"
    assets_dir = tmp_path / "assets"
    with Replica.start(as_of=s.D0, catalogue=catalogue) as replica:
        result = s.refresh(replica, assets_dir, catalogue, s.D0)
        served = served_values(replica, "DGS1", str(DGS1["start"]))

    assert result.success, s.run_messages(result)
    warehouse = assets_dir / "warehouse.duckdb"
    assert s.refresh_status(assets_dir)["fred/DGS1"]["outcome"] == "loaded"
    with s.connect_ro(warehouse) as con:
        staged = dict(con.execute(
            "SELECT strftime(date, '%Y-%m-%d'), value FROM staging.fred_observations"
            " WHERE series_id = 'DGS1' AND value IS NOT NULL").fetchall())
    assert len(staged) == len(served) > 10_000
    assert all(abs(staged[d] - float(v)) < 1e-9 for d, v in served.items())

    # Every mart was built, and the serving copy holds them and DGS1, fresh.
    assert set(s.mart_builds(assets_dir)) == {m.name for m in discover_marts()}
    assert s.served_marts(assets_dir) == s.warehouse_marts(assets_dir)
    assert s.scalar(s.serving_path(assets_dir), "SELECT count(*) FROM staging.fred_observations"
                    " WHERE series_id = 'DGS1' AND value IS NOT NULL") == len(served)
    status = s.table_status(assets_dir)
    assert {f"marts.{m.name}" for m in discover_marts()} <= set(status)
    assert [t for t, row in status.items() if row["is_stale"]] == []
    assert 'data-stale="0"' in s.report_html(assets_dir)
