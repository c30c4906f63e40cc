"""Flesch reading ease with pyphen's en_US syllables, checked by hand."""

from __future__ import annotations

from pathlib import Path

import pytest

from slakeeper.agreement import load_document, loads_document
from slakeeper.agreement.document import (
    BulletList,
    ContractDocument,
    Paragraph,
    Section,
    Table,
)
from slakeeper.agreement.readability import contract_prose, reading_ease, syllables
from slakeeper.agreement.render import build_contract

from .test_render import OTHER

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "agreement.yaml"


@pytest.mark.parametrize(
    ("word", "count"),
    [
        ("cat", 1),
        ("the", 1),
        ("reading", 2),  # read-ing
        ("agreement", 2),  # agree-ment
        ("critical", 3),  # crit-i-cal
        ("beautiful", 3),  # beau-ti-ful
        ("responsibilities", 6),  # re-spon-si-bil-i-ties
        ("Critical", 3),  # case does not matter
    ],
)
def test_syllables_are_hyphenation_points_plus_one(word: str, count: int) -> None:
    assert syllables(word) == count


def test_one_sentence_of_one_syllable_words() -> None:
    # 6 words, 1 sentence, 6 syllables: 206.835 - 1.015 * 6 - 84.6 * 1
    ease = reading_ease("The cat sat on the mat.")
    assert (ease.words, ease.sentences, ease.syllables) == (6, 1, 6)
    assert ease.score == pytest.approx(116.145)


def test_two_sentences_with_longer_words() -> None:
    # Reading (2) is (1) fun (1). | The (1) agreement (2) is (1) critical (3).
    # 7 words, 2 sentences, 11 syllables:
    # 206.835 - 1.015 * 3.5 - 84.6 * 11 / 7 = 206.835 - 3.5525 - 132.942857...
    ease = reading_ease("Reading is fun. The agreement is critical!")
    assert (ease.words, ease.sentences, ease.syllables) == (7, 2, 11)
    assert ease.score == pytest.approx(70.339643, abs=1e-6)


def test_words_without_letters_are_ignored() -> None:
    # "EUR" is a word; "1,500.00", "07:00-22:00" and "95%" are not.
    ease = reading_ease("We bill EUR 1,500.00 at 07:00-22:00 for 95% of it.")
    assert ease.words == 7
    assert ease.sentences == 1


def test_lines_end_sentences_and_text_without_words_scores_zero() -> None:
    assert reading_ease("First line\nSecond line").sentences == 2
    assert reading_ease("12:00 - 13:00").score == 0.0
    assert reading_ease("").words == 0


def test_prose_leaves_tables_out() -> None:
    doc = ContractDocument(
        title="T",
        parties=("P", "C"),
        effective="1 April 2027",
        sha256="0" * 64,
        sections=(
            Section(
                "S",
                (
                    Paragraph("We help."),
                    BulletList(("You pay.", "We send reports.")),
                    Table(("Head",), (("Cell text",),)),
                ),
            ),
        ),
    )
    assert contract_prose(doc) == "We help.\nYou pay.\nWe send reports."


@pytest.mark.parametrize("which", ["example", "other"])
def test_the_contracts_are_plain_english(which: str) -> None:
    loaded = load_document(EXAMPLE) if which == "example" else loads_document(OTHER)
    ease = reading_ease(contract_prose(build_contract(loaded)))
    assert ease.score >= 50, ease
    assert ease.words / ease.sentences < 15  # short sentences
