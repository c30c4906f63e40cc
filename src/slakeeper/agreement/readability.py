"""How easy the contract is to read: the Flesch reading ease of its prose.

    206.835 - 1.015 * (words / sentences) - 84.6 * (syllables / words)

Syllables come from pyphen's bundled en_US hyphenation dictionary: the
hyphenation points of a word plus one. That works offline (textstat's current
release downloads data at run time). A word is a run of letters (apostrophes
inside a word allowed), so numbers, times and amounts are not words; a sentence
ends at `.`, `!` or `?` followed by a space, or at the end of a
paragraph or list item. Tables are left out: their cells are not sentences.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import pyphen

from slakeeper.agreement.document import BulletList, ContractDocument, Paragraph

__all__ = ["ReadingEase", "contract_prose", "reading_ease", "syllables"]

_WORD = re.compile(r"[^\W\d_]+(?:['\u2019][^\W\d_]+)*")
_SENTENCE_END = re.compile(r"[.!?]+(?=\s|$)")


@dataclass(frozen=True, slots=True)
class ReadingEase:
    score: float
    words: int
    sentences: int
    syllables: int


@lru_cache(maxsize=1)
def _dictionary() -> pyphen.Pyphen:
    return pyphen.Pyphen(lang="en_US")


@lru_cache(maxsize=65536)
def syllables(word: str) -> int:
    """Syllables of one word: pyphen's hyphenation points plus one."""
    return len(_dictionary().positions(word.lower())) + 1


def _sentences(text: str) -> list[str]:
    parts: list[str] = []
    for paragraph in text.splitlines():
        parts.extend(p for p in _SENTENCE_END.split(paragraph))
    return [p for p in parts if _WORD.search(p)]


def reading_ease(text: str) -> ReadingEase:
    """The Flesch reading ease of `text` (0 for text without words)."""
    sentences = _sentences(text)
    found = _WORD.findall(text)
    count = len(found)
    if not count or not sentences:
        return ReadingEase(0.0, count, len(sentences), 0)
    syl = sum(syllables(w) for w in found)
    score = 206.835 - 1.015 * (count / len(sentences)) - 84.6 * (syl / count)
    return ReadingEase(score, count, len(sentences), syl)


def contract_prose(doc: ContractDocument) -> str:
    """The running text of a contract, one paragraph or list item per line."""
    lines = []
    for section in doc.sections:
        for block in section.blocks:
            if isinstance(block, Paragraph):
                lines.append(block.text)
            elif isinstance(block, BulletList):
                lines.extend(block.items)
    return "\n".join(lines)
