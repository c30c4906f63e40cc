"""The plain-English contract: one `ContractDocument` built from an agreement (the
Markdown and HTML writers live in `agreement.writers`, the PDF one in `agreement.pdf`).

Every value of the file reaches the text, in words or figures, through
`agreement.words`; the text says nothing the file does not. Sentences are
short, in the active voice, and say "we" for the provider and "you" for the
client. The sections are built in `agreement.contract`, one module per concept.
"""

from __future__ import annotations

from slakeeper.agreement import words
from slakeeper.agreement.canonical import canonical_sha256
from slakeeper.agreement.contract.accountability import (
    accountability,
    escalation,
    performance,
)
from slakeeper.agreement.contract.context import Context
from slakeeper.agreement.contract.delivery import milestones, responsibilities
from slakeeper.agreement.contract.service import availability, response_times
from slakeeper.agreement.contract.summary import summary
from slakeeper.agreement.contract.terms import billing, definitions, delays, reviews
from slakeeper.agreement.document import ContractDocument
from slakeeper.agreement.load import LoadedAgreement
from slakeeper.agreement.writers import to_html, to_markdown  # re-exported

__all__ = ["build_contract", "to_html", "to_markdown"]

#: The sections in reading order.
_SECTIONS = (
    summary,
    response_times,
    availability,
    milestones,
    responsibilities,
    performance,
    accountability,
    escalation,
    delays,
    reviews,
    billing,
    definitions,
)


def build_contract(loaded: LoadedAgreement, version: str = "draft") -> ContractDocument:
    """The contract both parties read and sign, in reading order."""
    ctx = Context(loaded)
    about = ctx.a.agreement
    sections = [build(ctx) for build in _SECTIONS]
    return ContractDocument(
        title=about.title,
        parties=(about.provider.name, about.client.name),
        effective=words.long_date(about.effective),
        sha256=canonical_sha256(ctx.a, ctx.calendars),
        sections=tuple(s for s in sections if s.blocks),
        signatories=(
            _signatory(ctx, "provider", ("lead",)),
            _signatory(ctx, "client", ("approver", "owner")),
        ),
        version=version,
    )


def _signatory(
    ctx: Context, side: str, preferred: tuple[str, ...]
) -> tuple[str, str, str]:
    about = ctx.a.agreement
    party = about.provider if side == "provider" else about.client
    chosen = next((c for c in party.contacts if c.role in preferred), party.contacts[0])
    return (party.name, chosen.name, chosen.role)
