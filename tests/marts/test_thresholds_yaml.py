"""thresholds.yaml through its pydantic models: one line naming the file, indicator and key."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from pipelines.marts.thresholds import (
    DEFAULT_CONFIRM_AFTER,
    ThresholdConfigError,
    ThresholdLevel,
    load_thresholds,
)


def _write(tmp_path: Path, indicators: dict[str, object]) -> Path:
    path = tmp_path / "thresholds.yaml"
    path.write_text(yaml.safe_dump({"indicators": indicators}), encoding="utf-8")
    return path


def test_a_level_override_beats_the_indicator_default_and_defaults_fill_the_rest(
    tmp_path: Path,
) -> None:
    path = _write(tmp_path, {"jgb_10y_pct": {
        "rearm_band": 0.05, "min_observations": 2,
        "levels": [1.5, {"level": 1.0, "rearm_band": 0.1, "confirm_after": 5}]}})
    low, high = load_thresholds(path)
    assert (low.threshold, low.rearm_band, low.min_observations, low.confirm_after) == \
        (1.0, 0.1, 2, 5)
    assert high == ThresholdLevel("jgb_10y_pct", 1.5, "pct", 0.05, 2, DEFAULT_CONFIRM_AFTER,
                                  low.source)


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"rearm_band": 0, "levels": [{"level": 1, "colour": "red"}]},
         "a level is a number or {level, rearm_band, min_observations, confirm_after},"
         " not {'colour': 'red', 'level': 1}"),  # safe_dump sorts keys
        ({"rearm_band": 0, "levels": [{"rearm_band": 0.1}]}, "a level is a number or"),
        ({"rearm_band": 0, "levels": [{"level": 1, "confirm_after": 1.5}]},
         "confirm_after 1.5 must be a whole number >= 1"),
        ({"rearm_band": 0, "levels": 1}, "'levels' must be a non-empty list of numbers"),
        ({"rearm_band": 0, "level": 1, "levels": [1]}, "expected keys 'levels' and"),
        ([1, 2], "expected keys 'levels' and"),
        ({"rearm_band": "wide", "levels": [1]}, "rearm_band 'wide' must be a number >= 0"),
    ],
)
def test_each_problem_is_one_line_naming_the_file_and_the_indicator(
    tmp_path: Path, entry: object, message: str
) -> None:
    path = _write(tmp_path, {"jgb_10y_pct": entry})
    with pytest.raises(ThresholdConfigError) as caught:
        load_thresholds(path)
    text = str(caught.value)
    assert text.startswith(f"{path}: indicators.jgb_10y_pct: ")
    assert message in text
    assert "\n" not in text and "pydantic" not in text
