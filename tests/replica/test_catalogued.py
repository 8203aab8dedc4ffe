"""The replica serves a series added to the catalogue it is given, and only then."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import requests
import yaml

from pipelines.replica import Replica

AS_OF = date(2026, 11, 25)


def _catalogue(tmp_path: Path, **entry: object) -> Path:
    path = tmp_path / "catalogue.yaml"
    path.write_text(yaml.safe_dump({"series": [{
        "title": "A new series", "purpose": "A test.", "revision_window_days": 14,
        "start": "2020-01-01", **entry}]}), encoding="utf-8")
    return path


def _csv(replica: Replica, series_id: str) -> requests.Response:
    return requests.get(f"{replica.url}/graph/fredgraph.csv",
                        params={"id": series_id, "cosd": "2026-01-01"}, timeout=30)


def test_a_catalogued_series_is_a_like_sample_series_under_its_own_id_and_title(
    tmp_path: Path,
) -> None:
    catalogue = _catalogue(tmp_path, id="DGS1", units="Percent", frequency="daily",
                           min=-1, max=25)
    with Replica.start(as_of=AS_OF, catalogue=catalogue) as replica:
        new, like = _csv(replica, "DGS1"), _csv(replica, "DGS2")
        meta = requests.get(f"{replica.url}/fred/series", timeout=30, params={
            "series_id": "DGS1", "api_key": "a" * 32, "file_type": "json"}).json()
    assert new.status_code == 200
    assert new.text.splitlines()[0] == "observation_date,DGS1"
    assert new.text.splitlines()[1:] == like.text.splitlines()[1:]
    assert len(new.text.splitlines()) > 200
    assert meta["seriess"][0]["title"] == "A new series"
    assert meta["seriess"][0]["units"] == "Percent"


def test_a_weekly_dollar_series_copies_a_weekly_series_in_the_same_unit(tmp_path: Path) -> None:
    catalogue = _catalogue(tmp_path, id="WSHOTSL", units="Millions of U.S. Dollars",
                           usd_bn_scale=0.001, frequency="weekly", min=1e5, max=1e8)
    with Replica.start(as_of=AS_OF, catalogue=catalogue) as replica:
        new, like = _csv(replica, "WSHOTSL"), _csv(replica, "WALCL")
    assert new.text.splitlines()[1:] == like.text.splitlines()[1:]


def test_without_the_catalogue_the_replica_answers_404_for_it() -> None:
    with Replica.start(as_of=AS_OF) as replica:
        assert _csv(replica, "DGS1").status_code == 404
