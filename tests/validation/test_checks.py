"""Declared checks are stable data, cheap to import; the as-of date comes from the environment."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import UTC, date, datetime

import pytest

from pipelines.lib.datasets import registered
from pipelines.lib.publish import ERROR, WARN
from pipelines.validation import checks as c
from pipelines.validation.context import as_of_from_env
from tests.conftest import REPO_ROOT

TABLES = tuple(registered())  # every staging table the publishers declare


@pytest.mark.parametrize("table", TABLES)
def test_declared_checks_are_stable_snake_case_and_unique(table: str) -> None:
    declared = c.declared_checks(table)
    names = [d.name for d in declared]
    assert len(names) == len(set(names))
    assert all(re.fullmatch(r"[a-z][a-z0-9_]*", n) for n in names)
    assert all(d.severity in (ERROR, WARN) and d.description.endswith(".") for d in declared)
    assert {c.SCHEMA_MATCHES, c.KEYS_UNIQUE, c.NO_FUTURE_DATES, c.NO_GAP_IN_NEW_WINDOW,
            c.ROW_COUNT_NOT_BELOW_PREVIOUS_COPY, c.FRESH_AS_OF} <= set(names)
    fresh = next(d for d in declared if d.name == c.FRESH_AS_OF)
    assert fresh.severity == WARN


def test_cross_source_is_a_warning_on_jgb() -> None:
    decl = next(d for d in c.declared_checks(c.JGB_YIELDS) if d.name == c.JGB_10Y_AGREES_WITH_OECD)
    assert decl.severity == WARN


def test_unknown_table_is_refused() -> None:
    with pytest.raises(ValueError, match="no checks declared"):
        c.declared_checks("staging.nope")


def test_importing_validation_does_not_import_great_expectations() -> None:
    code = (
        "import sys\n"
        "import pipelines.validation, pipelines.validation.checks, pipelines.validation.context\n"
        "import pipelines.validation.audit, pipelines.validation.report\n"
        "assert 'great_expectations' not in sys.modules, 'great_expectations imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, check=True)


def test_as_of_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AS_OF_DATE", "2026-11-26")
    assert as_of_from_env() == date(2026, 11, 26)
    monkeypatch.delenv("AS_OF_DATE")
    assert as_of_from_env() == datetime.now(UTC).date()
    monkeypatch.setenv("AS_OF_DATE", "26/11/2026")
    with pytest.raises(ValueError, match="AS_OF_DATE"):
        as_of_from_env()
