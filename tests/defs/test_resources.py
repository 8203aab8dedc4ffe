"""Resources take their settings from the environment as `dg.EnvVar`, resolved in the run."""

from __future__ import annotations

import dagster as dg
import pytest

from pipelines.defs.resources import PUBLISHERS_ENV, PublishersResource, location_resources
from pipelines.lib.errors import ConfigError


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for var in (*PUBLISHERS_ENV.values(), "ASSETS_DIR", "FRED_API_KEY"):
        monkeypatch.delenv(var, raising=False)
    return monkeypatch


def test_a_set_variable_is_bound_as_an_env_var_and_read_when_the_run_starts(
    clean_env: pytest.MonkeyPatch, tmp_path
) -> None:
    clean_env.setenv("MOF_URL", "http://127.0.0.1:1")
    clean_env.setenv("ASSETS_DIR", str(tmp_path / "first"))
    resources = location_resources()
    assert resources["publishers"].mof_url == dg.EnvVar("MOF_URL")
    assert resources["warehouse"].assets_dir == dg.EnvVar("ASSETS_DIR")
    assert resources["publishers"].tic_url is None  # unset: the default publisher applies
    clean_env.setenv("MOF_URL", "http://127.0.0.1:2/")
    clean_env.setenv("ASSETS_DIR", str(tmp_path / "second"))
    with dg.build_resources(resources) as built:
        assert built.publishers.settings().mof_url == "http://127.0.0.1:2"
        assert built.publishers.settings().tic_url == "https://ticdata.treasury.gov"
        assert built.warehouse.settings().assets_dir == tmp_path / "second"


def test_the_api_key_is_in_no_resource_config_but_reaches_the_run(
    clean_env: pytest.MonkeyPatch,
) -> None:
    key = "abcdef0123456789abcdef0123456789"
    clean_env.setenv("FRED_API_KEY", key)
    resources = location_resources()
    assert key not in repr(resources) and "FRED_API_KEY" not in repr(resources)
    with dg.build_resources(resources) as built:
        assert built.publishers.settings().fred_api_key == key


def test_a_configured_base_url_with_credentials_is_refused_like_one_from_the_environment(
    clean_env: pytest.MonkeyPatch,
) -> None:
    resource = PublishersResource(tic_url="https://user:secret@ticdata.example")
    with pytest.raises(ConfigError, match="TIC_URL carries credentials") as caught:
        resource.settings()
    assert "secret" not in str(caught.value)


def test_unbound_resources_read_the_environment_of_each_run(
    clean_env: pytest.MonkeyPatch,
) -> None:
    clean_env.setenv("MOF_URL", "http://127.0.0.1:1")
    resources = location_resources(bind_env=False)
    assert resources["publishers"].mof_url is None
    clean_env.delenv("MOF_URL")
    with dg.build_resources(resources) as built:
        assert built.publishers.settings().mof_url == "https://www.mof.go.jp"
