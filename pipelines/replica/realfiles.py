"""Real-files mode: serve the committed publisher files of a reference-data folder as-is.

Layout understood (anything missing falls back to the sample snapshot):
  fred/fredgraph_csv_observation_date_header/<ID>.csv  -> /graph/fredgraph.csv?id=<ID>
  fred/fredgraph_csv_legacy_DATE_header/<ID>.csv       -> same (preferred with legacy=True)
  fred/api_json/<ID>.json                              -> /fred/series/observations (json)
  mof_jgb/jgbcme_all.csv, jgbcme.csv, jgbcm_all.csv, jgbcm.csv -> their MOF paths
  mof_flows/week.csv, montha1.csv, monthb2.csv, monthb3.csv    -> their MOF paths
  tic/mfhhis01.txt, tic/slt_table5.txt, tic/mfh.txt            -> their TIC paths
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from .sample import (
    FLOWS_DIR,
    JGB_EN_ALL,
    JGB_EN_CUR,
    JGB_JA_ALL,
    JGB_JA_CUR,
    TIC_LEGACY,
    TIC_MFHHIS01,
    TIC_TABLE5,
    Rendered,
)

FILE_PATHS = {
    "mof_jgb/jgbcme_all.csv": JGB_EN_ALL,
    "mof_jgb/jgbcme.csv": JGB_EN_CUR,
    "mof_jgb/jgbcm_all.csv": JGB_JA_ALL,
    "mof_jgb/jgbcm.csv": JGB_JA_CUR,
    "mof_flows/week.csv": FLOWS_DIR + "week.csv",
    "mof_flows/montha1.csv": FLOWS_DIR + "montha1.csv",
    "mof_flows/monthb2.csv": FLOWS_DIR + "monthb2.csv",
    "mof_flows/monthb3.csv": FLOWS_DIR + "monthb3.csv",
    "tic/mfhhis01.txt": TIC_MFHHIS01,
    "tic/slt_table5.txt": TIC_TABLE5,
    "tic/mfh.txt": TIC_LEGACY,
}
CURRENT_DIR = "fred/fredgraph_csv_observation_date_header"
LEGACY_DIR = "fred/fredgraph_csv_legacy_DATE_header"


def _mtime(p: Path) -> datetime:
    return datetime.fromtimestamp(int(p.stat().st_mtime), UTC)


@dataclass
class RealFiles:
    """Bytes read once at start, keyed by publisher path or FRED id."""

    files: dict[str, Rendered] = field(default_factory=dict)
    fredgraph: dict[str, bytes] = field(default_factory=dict)
    api_json: dict[str, bytes] = field(default_factory=dict)

    @classmethod
    def load(cls, root: Path, *, prefer_legacy: bool = False) -> RealFiles:
        out = cls()
        for rel, path in FILE_PATHS.items():
            p = root / rel
            if p.is_file():
                ctype = "text/csv" if p.suffix == ".csv" else "text/plain"
                out.files[path] = Rendered(p.read_bytes(), ctype, _mtime(p))
        order = (CURRENT_DIR, LEGACY_DIR) if prefer_legacy else (LEGACY_DIR, CURRENT_DIR)
        for folder in order:  # the later folder wins
            for p in sorted((root / folder).glob("*.csv")):
                out.fredgraph[p.stem] = p.read_bytes()
        for p in sorted((root / "fred" / "api_json").glob("*.json")):
            out.api_json[p.stem] = p.read_bytes()
        return out
