"""The contract as a document: sections of paragraphs, lists and tables.

`render` builds one `ContractDocument` from an agreement; Markdown, HTML and PDF
are three writers of the same document, so the three formats never say
different things.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Block", "BulletList", "ContractDocument", "Paragraph", "Section", "Table"]


@dataclass(frozen=True, slots=True)
class Paragraph:
    text: str


@dataclass(frozen=True, slots=True)
class BulletList:
    items: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Table:
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


Block = Paragraph | BulletList | Table


@dataclass(frozen=True, slots=True)
class Section:
    heading: str
    blocks: tuple[Block, ...]
    anchor: str = ""  # a stable id (e.g. "response-times") for links and diffs


@dataclass(frozen=True, slots=True)
class ContractDocument:
    """Everything the reader sees, in reading order."""

    title: str
    parties: tuple[str, str]  # provider, client
    effective: str  # the effective date in words
    sha256: str  # of the canonical agreement the text was rendered from
    sections: tuple[Section, ...]
    signatories: tuple[tuple[str, str, str], ...] = field(default=())
    # (party, name, role) of each person who signs
    version: str = "draft"
