"""The worked examples in docs/ are tests."""

import doctest
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parent.parent / "docs"


@pytest.mark.parametrize(
    ("page", "at_least"), [("sla-clock.md", 20), ("billing.md", 30)]
)
def test_the_worked_examples_of_a_page_hold(page: str, at_least: int) -> None:
    result = doctest.testfile(
        str(DOCS / page),
        module_relative=False,
        optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
    )
    assert result.attempted > at_least
    assert result.failed == 0
