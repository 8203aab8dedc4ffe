"""validation.html as a reader sees it in Chromium: a summary first, details folded, and a check
that did not apply never reported as passed."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from pipelines.lib.publish import ERROR, WARN, CheckOutcome
from pipelines.validation.report import write_report
from pipelines.validation.results import record_outcomes
from tests.serving.browser import measure, screenshot
from tests.validation import batches as b

T = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
SERIES = [f"S{i:02d}" for i in range(18)]  # as many FRED assets as the catalogue has


def _page(tmp_path: Path) -> Path:
    con = b.connect()
    for series in SERIES:  # 9 checks each, one of which does not apply to a daily series
        outcomes = [CheckOutcome(f"check_{k}", True, ERROR, f"check {k} expects something")
                    for k in range(8)]
        outcomes.append(CheckOutcome("monthly_only", True, ERROR, "monthly series only",
                                     details={"not_applicable": "daily series"}))
        record_outcomes(con, "staging.fred_observations", f"fred/{series}", outcomes,
                        evaluated_at=T)
    record_outcomes(con, "staging.tic_holdings", "tic/tic_holdings", [
        CheckOutcome("countries_sum_to_grand_total", False, ERROR, "identity", 1, ("off",)),
        CheckOutcome("fresh_as_of", False, WARN, "fresh", 1, ("old",)),
        CheckOutcome("keys_unique", True, ERROR, "unique"),
    ], evaluated_at=T)
    return write_report(con, tmp_path / "validation.html")


def test_the_page_opens_with_a_summary_and_folds_the_details(tmp_path: Path) -> None:
    page = _page(tmp_path)
    text = page.read_text(encoding="utf-8")
    layout = measure(page, tmp_path, "details")
    assert layout["first_h2"] == "Summary"
    assert layout["details"] == 2 and layout["open"] == 1  # only the failing table is open
    # 165 checks folded: the page is a screen or two, not the 18,785 px.
    assert layout["height"] < 1800, layout["height"]
    summary = text[text.index("<h2>Summary"):text.index("Details by table")]
    assert "1 failed" in summary and "1 warned" in summary and "145 passed" in summary
    assert "18 not applicable" in summary
    assert re.search(r"staging\.tic_holdings</td><td class=\"fail\">1</td><td class=\"warn\">1"
                     r"</td><td>1</td><td class=\"na\"></td><td>countries_sum_to_grand_total,"
                     r" fresh_as_of</td>", summary), summary
    width, _ = screenshot(page, tmp_path / "validation.png", tmp_path)
    assert width == 1000


def test_not_applicable_is_never_labelled_passed(tmp_path: Path) -> None:
    text = _page(tmp_path).read_text(encoding="utf-8")
    rows = re.findall(r"<tr><td class=\"(\w+)\">([^<]+)</td><td>([^<]+)</td>", text)
    labels = {(name, label) for _, label, name in rows}
    assert ("monthly_only", "not applicable") in labels
    assert ("monthly_only", "passed") not in labels
    assert ("check_0", "passed") in labels
