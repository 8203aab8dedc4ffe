"""The code location loads, and workspace.yaml and pyproject name the same module."""

from __future__ import annotations

import subprocess
import sys
import tomllib

import yaml

from tests.conftest import REPO_ROOT


def test_workspace_and_pyproject_name_the_same_module():
    workspace = yaml.safe_load((REPO_ROOT / "workspace.yaml").read_text())
    (entry,) = workspace["load_from"]
    pyproject = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())
    dg_project = pyproject["tool"]["dg"]["project"]
    assert entry["python_module"]["module_name"] == dg_project["code_location_target_module"]
    assert dg_project["code_location_target_module"] == f"{dg_project['root_module']}.definitions"


def test_definitions_load_and_every_asset_is_described_and_grouped():
    from pipelines.definitions import defs

    graph = defs.resolve_asset_graph()
    keys = list(graph.get_all_asset_keys())
    assert keys, "no assets"
    for key in keys:
        node = graph.get(key)
        assert node.description, f"{key.to_user_string()} has no description"
        assert node.group_name and node.group_name != "default", key.to_user_string()


def test_loading_definitions_does_not_import_great_expectations():
    """GX takes seconds to import; the UI and every run would pay for it at load time."""
    code = "import sys, pipelines.definitions; print('great_expectations' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=REPO_ROOT, check=True)
    assert out.stdout.strip() == "False"
