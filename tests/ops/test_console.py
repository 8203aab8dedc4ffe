"""The console logger: one line per failure, no stack traces, silence when nothing is new.

Real Dagster runs of small jobs with the project's `console` logger; what it writes to stdout
is exactly what `make demo`, `make run` and `dagster job execute` print.
"""

# No `from __future__ import annotations`: Dagster reads op context types at definition time.


import logging

import dagster as dg
import pytest

from pipelines.lib.console import LOGGERS, install, one_line
from pipelines.lib.errors import SourceError

SECRET = "s3cr3tk3yabcdefghijklmnopqrstuv"
URL = "https://ticdata.treasury.gov/resource-center/data-chart-center/tic/Documents/slt_table5.txt"
INFO = {"loggers": {"console": {"config": {"log_level": "INFO"}}}}


def _lines(out: str) -> list[str]:
    return [line for line in out.splitlines() if line.strip()]


@dg.op
def ingest_fails(context: dg.OpExecutionContext) -> int:
    """Like run_ingests today: log each table's error, then fail the step listing them."""
    error = SourceError("tic", URL, "slt_table5.txt: line 7: Japan Sep-2026: '1183.9x' is not"
                        " a number")
    context.log.error(str(error))
    raise dg.Failure(description="1 table(s) not refreshed; previous data kept",
                     metadata={"errors": dg.MetadataValue.json([str(error)])})


@dg.op
def mart(x: int) -> int:
    return x


@dg.op
def serving(x: int) -> int:
    return x


@dg.job(logger_defs=LOGGERS)
def failing_job() -> None:
    serving(mart(ingest_fails()))


def test_a_failure_is_one_line_naming_source_url_and_cause(
    capsys: pytest.CaptureFixture[str],
) -> None:
    result = failing_job.execute_in_process(run_config=INFO, raise_on_error=False)
    assert not result.success
    lines = _lines(capsys.readouterr().out)
    assert lines == [
        f"FAILED ingest_fails: tic ({URL}): slt_table5.txt: line 7: Japan Sep-2026: '1183.9x'"
        " is not a number"
    ]


@dg.op
def crashes() -> int:
    raise ValueError("unexpected\nsecond line of the message")


@dg.job(logger_defs=LOGGERS)
def crashing_job() -> None:
    serving(mart(crashes()))


def test_an_unexpected_error_is_one_line_without_a_stack_trace(
    capsys: pytest.CaptureFixture[str],
) -> None:
    crashing_job.execute_in_process(run_config=INFO, raise_on_error=False)
    out = capsys.readouterr().out
    assert "Traceback" not in out and "Stack Trace" not in out and "File \"" not in out
    lines = _lines(out)
    assert len(lines) == 1 and lines[0].startswith("FAILED crashes: ValueError: unexpected")
    assert "Dependencies for step" not in out


@dg.op
def fetch_with_key(context: dg.OpExecutionContext) -> int:
    raise SourceError("fred", f"https://api.stlouisfed.org/fred/series?api_key={SECRET}",
                      "HTTP 400 Bad Request")


@dg.job(logger_defs=LOGGERS)
def secret_job() -> None:
    fetch_with_key()


def test_a_secret_in_a_failure_never_reaches_the_console(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FRED_API_KEY", SECRET)
    secret_job.execute_in_process(run_config=INFO, raise_on_error=False)
    out = capsys.readouterr().out
    assert SECRET not in out
    assert _lines(out) == ["FAILED fetch_with_key: fred"
                           " (https://api.stlouisfed.org/fred/series?api_key=REDACTED):"
                           " HTTP 400 Bad Request"]


@dg.op(out=dg.Out(is_required=False))
def nothing_new(context: dg.OpExecutionContext):
    context.log.info("mof jgbcme.csv: unchanged since the last load, not parsed")
    return
    yield  # pragma: no cover


@dg.job(logger_defs=LOGGERS)
def quiet_job() -> None:
    serving(mart(nothing_new()))


def test_nothing_new_prints_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    result = quiet_job.execute_in_process(run_config=INFO, raise_on_error=False)
    assert result.success
    assert capsys.readouterr().out == ""


def test_debug_still_shows_every_event_one_line_each(capsys: pytest.CaptureFixture[str]) -> None:
    crashing_job.execute_in_process(
        run_config={"loggers": {"console": {"config": {"log_level": "DEBUG"}}}},
        raise_on_error=False)
    lines = _lines(capsys.readouterr().out)
    assert any(line.startswith("STEP_START crashes") for line in lines)
    assert not any(line.startswith(("  File", "Traceback")) for line in lines)


def test_dagster_blocking_check_warning_is_dropped(caplog: pytest.LogCaptureFixture) -> None:
    install()
    logger = logging.getLogger("dagster._core.execution.plan.active")
    with caplog.at_level(logging.WARNING):
        logger.warning("Blocking asset check 'fred/DGS10:keys_unique' emitted no result in step"
                       " 'fred_series'; downstream step 'x' will proceed without gating on it.")
        logger.warning("something else")
    assert [r.getMessage() for r in caplog.records] == ["something else"]


def test_one_line_collapses_and_cuts() -> None:
    assert one_line("a\n  b\tc") == "a b c"
    assert len(one_line("x" * 1000)) == 400


@dg.op
def fred_bad_key(context: dg.OpExecutionContext) -> int:
    """Like fred_series with a refused API key: each series logs, then the step fails."""
    ids = ["DGS10", "DEXJPUS", "WALCL"]
    cause = "ValueError: FRED API key must be non-empty and alphanumeric (value not shown)"
    for series in ids:
        context.log.error(f"FRED {series} failed, other series continue: {cause}")
    raise dg.Failure(description="3 of 3 FRED series failed (the others landed):\n"
                     + "\n".join(f"{s}: {cause}" for s in ids),
                     metadata={"failed_series": dg.MetadataValue.json(ids)})


@dg.job(logger_defs=LOGGERS)
def bad_key_job() -> None:
    serving(mart(fred_bad_key()))


def test_one_cause_for_many_series_is_two_lines(capsys: pytest.CaptureFixture[str]) -> None:
    bad_key_job.execute_in_process(run_config=INFO, raise_on_error=False)
    assert _lines(capsys.readouterr().out) == [
        "FAILED fred_bad_key: FRED DGS10 failed, other series continue: ValueError: FRED API key"
        " must be non-empty and alphanumeric (value not shown)",
        "FAILED fred_bad_key: 2 more with the same cause: DEXJPUS, WALCL",
    ]
