"""Milestones, and who does what: the people of each side, our commitments,
your obligations and the RACI table."""

from __future__ import annotations

from slakeeper.agreement import words
from slakeeper.agreement.contract.context import NONE, Context, clause_text, sentence
from slakeeper.agreement.document import Block, BulletList, Paragraph, Section, Table
from slakeeper.agreement.schema import Commitment, Milestone, Obligation
from slakeeper.agreement.types import WorkingTime

__all__ = ["commitment", "milestones", "obligation", "responsibilities"]

_SILENCE = {
    "deemed_accepted": "If we hear nothing by then, we treat the delivery as accepted.",
    "shift_schedule": "If we hear nothing by then, the schedule moves by the days "
    "you are late.",
}


def milestones(ctx: Context) -> Section:
    ms = ctx.a.milestones
    if not ms:
        return Section("Milestones", (), "milestones")
    rows = tuple(
        (
            m.title,
            words.long_date(m.due),
            "; ".join(m.deliverables) or NONE,
            "; ".join(
                f"{n.what} by {words.long_date(n.by)}" for n in m.needs_from_client
            )
            or NONE,
            m.id,
        )
        for m in ms
    )
    blocks: list[Block] = [
        Table(("Milestone", "Due", "We deliver", "We need from you", "Ref."), rows),
        BulletList(tuple(_milestone_text(ctx, m) for m in ms)),
    ]
    return Section("Milestones", tuple(blocks), "milestones")


def _milestone_text(ctx: Context, m: Milestone) -> str:
    out = [f"{m.title} is due on {words.long_date(m.due)}."]
    if m.after is not None:
        out.append(f"It starts after {ctx.titles.get(m.after, m.after)} is done.")
    if len(m.deliverables) == 1:
        out.append(f"We deliver this: {sentence(m.deliverables[0])}")
    elif m.deliverables:
        listed = "; ".join(d.strip().rstrip(".") for d in m.deliverables)
        out.append(f"We deliver these: {listed}.")
    for need in m.needs_from_client:
        out.append(f"We need {need.what} from you by {words.long_date(need.by)}.")
    if m.acceptance is not None:
        out.append(
            f"You have {words.working_time(m.acceptance.review_within)} to review it."
        )
        out.append(_SILENCE[m.acceptance.if_silent])
    if m.fee is not None:
        out.append(f"The price is {ctx.money(m.fee)}.")
    return " ".join(out)


def responsibilities(ctx: Context) -> Section:
    about = ctx.a.agreement
    blocks: list[Block] = []
    people = [
        f"{c.name} ({owner} {words.snake(c.role)}), {c.email}"
        for party, owner in ((about.provider, "our"), (about.client, "your"))
        for c in party.contacts
    ]
    blocks.append(Paragraph("These people act for each side:"))
    blocks.append(BulletList(tuple(people)))
    ours = [commitment(x) for x in ctx.a.responsibilities.provider]
    yours = [obligation(x) for x in ctx.a.responsibilities.client]
    if ours:
        blocks.append(Paragraph("What we do:"))
        blocks.append(BulletList(tuple(ours)))
    if yours:
        blocks.append(Paragraph("What you do:"))
        blocks.append(BulletList(tuple(yours)))
    if ctx.a.roles:
        blocks.append(
            Paragraph(
                "Who does what: R does the work, A answers for it,"
                " C gives input and I is kept informed."
            )
        )
        rows = tuple(
            (
                r.activity,
                ctx.whos(r.responsible),
                ctx.whos(r.accountable),
                ctx.whos(r.consulted),
                ctx.whos(r.informed),
            )
            for r in ctx.a.roles
        )
        blocks.append(Table(("Activity", "R", "A", "C", "I"), rows))
    return Section("Roles and responsibilities", tuple(blocks), "responsibilities")


def commitment(item: str | Commitment) -> str:
    """`We send a progress update by e-mail every week, on Friday.`"""
    if isinstance(item, str):
        return item
    when = words.every(item.every)
    if item.on is not None:
        when += f", on {item.on.capitalize()}"
    done = words.clause(item.commitment)
    if done is None:
        return f"{clause_text(sentence(item.commitment))}: {when}."
    return f"We {done} {when}."


def obligation(item: str | Obligation) -> str:
    """`You give feedback on delivered work within 3 working days.`"""
    if isinstance(item, str):
        return item
    within = (
        words.working_time(item.within)
        if isinstance(item.within, WorkingTime)
        else words.period(item.within)
    )
    done = words.clause(item.obligation)
    if done is None:
        return f"{clause_text(sentence(item.obligation))}: within {within}."
    return f"You {done} within {within}."
