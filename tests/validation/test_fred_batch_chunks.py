"""A catalogue too large for one stacked GX batch is validated in chunks of whole series, and
each series still gets exactly the results its own suite gives it alone (the reference of
test_fred_batch_validation: one `suites.validate` per series)."""

from __future__ import annotations

import pytest

from pipelines.validation.fred_batch import _chunks, validate_catalogue
from tests.validation import batches as b
from tests.validation.test_fred_batch_validation import DEFECTS, by_check, clean, per_series


@pytest.mark.parametrize("max_rows", [10, 90])  # 40 rows a series: alone, or two a chunk
def test_chunked_catalogue_gives_each_series_its_own_results(max_rows: int) -> None:
    batches = {sid: DEFECTS.get(sid, lambda x: x)(batch) for sid, batch in clean().items()}
    pairs = [(batch, b.ctx(sid)) for sid, batch in batches.items()]
    sizes = [len(chunk) for chunk in _chunks(pairs, max_rows)]
    assert sizes == ([1] * 5 if max_rows == 10 else [2, 2, 1])
    chunked = validate_catalogue(pairs, max_rows=max_rows)
    assert {sid: by_check(results) for sid, results in chunked.items()} == per_series(batches)
