"""The worked examples in docs/ are tests."""

import doctest
from pathlib import Path

DOCS = Path(__file__).resolve().parent.parent / "docs"


def test_the_sla_clock_examples_hold():
    result = doctest.testfile(
        str(DOCS / "sla-clock.md"),
        module_relative=False,
        optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
    )
    assert result.attempted > 20
    assert result.failed == 0
