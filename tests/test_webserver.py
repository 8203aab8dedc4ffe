"""The Dagster UI, as an operator sees it: a real webserver over a real run's history."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg
import pytest
import requests

from pipelines.defs.mof.jgb import mof_jgb_yields
from pipelines.replica import Replica
from tests.conftest import REPO_ROOT
from tests.defs.conftest import AS_OF, fast_resources

QUERY = """
query {
  assetNodeOrError(assetKey: {path: ["mof", "jgb_yields"]}) {
    ... on AssetNode {
      description
      assetChecksOrError {
        ... on AssetChecks {
          checks {
            name
            blocking
            executionForLatestMaterialization {
              status
              evaluation {
                success
                severity
                metadataEntries { label ... on IntMetadataEntry { intValue } }
              }
            }
          }
        }
      }
    }
  }
}
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def dagster_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text((REPO_ROOT / "dagster.yaml").read_text())
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    return home


def test_ui_shows_each_check_of_a_materialisation_with_its_unexpected_count(
    tmp_path: Path, dagster_home: Path, monkeypatch: pytest.MonkeyPatch
):
    with Replica.start(as_of=AS_OF) as rep:
        for key, value in rep.env().items():
            monkeypatch.setenv(key, value)
        monkeypatch.setenv("AS_OF_DATE", AS_OF.isoformat())
        with dg.DagsterInstance.get() as instance:
            result = dg.materialize([mof_jgb_yields], instance=instance,
                                    resources=fast_resources(tmp_path / "assets"))
    assert result.success

    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "dagster_webserver", "-w", "workspace.yaml",
         "-h", "127.0.0.1", "-p", str(port)],
        cwd=REPO_ROOT, env={**os.environ}, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        url = f"http://127.0.0.1:{port}/graphql"
        deadline = time.monotonic() + 120
        node = None
        while time.monotonic() < deadline:
            try:
                reply = requests.post(url, json={"query": QUERY}, timeout=10).json()
                node = reply["data"]["assetNodeOrError"]
                if node and "assetChecksOrError" in node:
                    break
            except (requests.ConnectionError, KeyError, TypeError, ValueError):
                pass
            time.sleep(1)
        assert node and "assetChecksOrError" in node, "webserver did not serve the asset"
    finally:
        server.terminate()
        server.wait(timeout=30)

    checks = {c["name"]: c for c in node["assetChecksOrError"]["checks"]}
    # Not blocking: a refused batch never reaches staging, and a blocking check would stop
    # every mart downstream of the step (issue 13); `refresh_succeeded` fails the run instead.
    assert "values_in_plausible_range" in checks and not checks["keys_unique"]["blocking"]
    latest = checks["values_in_plausible_range"]["executionForLatestMaterialization"]
    assert latest["status"] == "SUCCEEDED" and latest["evaluation"]["success"]
    metadata = {m["label"]: m.get("intValue") for m in latest["evaluation"]["metadataEntries"]}
    assert metadata["unexpected_count"] == 0
