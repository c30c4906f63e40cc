"""The sample values the templates ship, which a real agreement must replace.

`slakeeper agreement check` flags each one it finds (SLA019: a warning, so
`--strict` fails) and `agreement new --interactive` never offers one as a
default. Keep this list in step with the templates: a test checks that every
placeholder a template contains is recognised here.
"""

from __future__ import annotations

import re

__all__ = [
    "PLACEHOLDER_NAMES",
    "is_placeholder_email",
    "is_placeholder_id",
    "is_placeholder_name",
]

PLACEHOLDER_NAMES: frozenset[str] = frozenset(
    {
        # parties
        "your company",
        "client ltd",
        "acme",
        "acme corp",
        "acme inc",
        "acme ltd",
        # people
        "alex provider",
        "sam client",
        "robin client",
    }
)
"""Names of parties and contacts, compared without case or punctuation."""

# Domains reserved for documentation (RFC 2606, RFC 6761): mail to them never
# arrives, so a contact there can receive no notice and give no approval.
_RESERVED_DOMAIN = re.compile(
    r"(^|\.)(example\.(com|net|org)|example|test|invalid|localhost)$"
)
# Sample tax ids such as GB123456789 or DE123456789, the Upwork contract
# number of the template, and runs of one digit.
_SAMPLE_ID = re.compile(r"^[A-Z]{0,3}(1234567890?|(\d)\2{5,})$")
_SAMPLE_CONTRACTS = frozenset({"40000001"})


def _key(name: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", name).casefold().split())


def is_placeholder_name(name: str) -> bool:
    """`Your Company`, `Sam Client`, `ACME Inc.`: a name a template ships."""
    return _key(name) in PLACEHOLDER_NAMES


def is_placeholder_email(email: str) -> bool:
    """An address at a domain reserved for examples (`example.com`, `.example`)."""
    domain = email.rpartition("@")[2].strip().rstrip(".").casefold()
    return bool(_RESERVED_DOMAIN.search(domain))


def is_placeholder_id(value: str) -> bool:
    """A sample tax id (`GB123456789`) or contract number (`40000001`)."""
    compact = re.sub(r"[\s.-]", "", value).upper()
    return compact in _SAMPLE_CONTRACTS or bool(_SAMPLE_ID.match(compact))
