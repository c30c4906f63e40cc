"""The worked examples in docs/billing.md are tests."""

import doctest
from pathlib import Path

DOCS = Path(__file__).resolve().parent.parent / "docs"


def test_the_billing_examples_hold():
    result = doctest.testfile(
        str(DOCS / "billing.md"),
        module_relative=False,
        optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
    )
    assert result.attempted > 30
    assert result.failed == 0
