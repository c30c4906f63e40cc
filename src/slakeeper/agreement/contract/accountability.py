"""What we promise and what happens when we miss it: performance targets,
service credits with worked examples, and escalation."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from slakeeper.agreement import words
from slakeeper.agreement.contract.context import Context, clause_text, sentence
from slakeeper.agreement.document import Block, BulletList, Paragraph, Section, Table
from slakeeper.agreement.schema import CreditTier

__all__ = ["accountability", "escalation", "performance"]

_PER = {"month": "each month", "quarter": "each quarter", "year": "each year"}
_BASIS = {"monthly_fee": "the monthly fee"}


def performance(ctx: Context) -> Section:
    if not ctx.a.targets:
        return Section("How we measure performance", (), "performance")
    items = []
    rows = []
    for t in ctx.a.targets:
        items.append(
            f"At least {words.percent(t.at_least)} of"
            f" {words.measured(t.measure, t.priorities)} are"
            f" {words.measure_done(t.measure)} on time, {_PER[t.per]}."
        )
        rows.append(
            (
                words.measure(t.measure).capitalize(),
                words.join(t.priorities) if t.priorities else "all",
                f"at least {words.percent(t.at_least)}",
                _PER[t.per],
            )
        )
    blocks: list[Block] = [
        Paragraph("We promise these results:"),
        Table(("What we measure", "Priorities", "Target", "Period"), tuple(rows)),
        BulletList(tuple(items)),
        Paragraph(
            "We measure each target from the times recorded on each request."
            " Clocks count only working time."
            " After each period, we send you a report with the results."
        ),
    ]
    return Section("How we measure performance", tuple(blocks), "performance")


def accountability(ctx: Context) -> Section:
    acc = ctx.a.accountability
    blocks: list[Block] = []
    credits = acc.service_credits
    if credits is not None:
        fee = credits.monthly_fee
        blocks.append(
            Paragraph(
                "If a result falls below a level in this table, you receive a"
                f" service credit. A credit is a share of {_BASIS[credits.basis]},"
                f" which is {ctx.money(fee.amount, fee.currency)}."
            )
        )
        rows = tuple(
            (
                words.measure(t.measure, t.priorities).capitalize(),
                f"below {words.percent(t.below)}",
                f"{words.percent(t.credit)} of the fee",
                ctx.money(fee.amount * t.credit / 100, fee.currency),
            )
            for t in credits.tiers
        )
        blocks.append(Table(("Measure", "When", "Credit", "Amount"), rows))
        cap_amount = ctx.money(fee.amount * credits.cap / 100, fee.currency)
        blocks.append(
            Paragraph(
                "When more than one tier applies, you receive the highest one,"
                " not the sum. Credits in one month never exceed"
                f" {words.percent(credits.cap)} of the fee ({cap_amount})."
            )
        )
        if credits.tiers:
            examples = _examples(
                ctx, credits.tiers, credits.cap, fee.amount, fee.currency
            )
            blocks.append(BulletList(tuple(examples)))
    if acc.termination is not None:
        blocks.append(
            Paragraph(
                "You may end this agreement early if"
                f" {clause_text(acc.termination.when)}."
            )
        )
    return Section("Service credits", tuple(blocks), "accountability")


def _examples(
    ctx: Context,
    tiers: Sequence[CreditTier],
    cap: Decimal,
    fee: Decimal,
    currency: str,
) -> list[str]:
    """Worked examples for the first tier's measure: one tier, then several."""
    first = tiers[0]
    same = sorted(
        (
            t
            for t in tiers
            if (t.measure, t.priorities) == (first.measure, first.priorities)
        ),
        key=lambda t: -t.below,
    )
    month = words.month_name((ctx.first.month - 1 + 2) % 12 + 1)
    top = same[0]
    lower = same[1].below if len(same) > 1 else Decimal(0)
    share = top.below - 1 if top.below - 1 >= lower else (top.below + lower) / 2
    shares = [max(share, Decimal(0))]
    if len(same) > 1:
        shares.append(max(same[-1].below - 5, Decimal(0)))
    return [_example(s, same, cap, fee, currency, month) for s in shares]


def _example(
    share: Decimal,
    tiers: Sequence[CreditTier],
    cap: Decimal,
    fee: Decimal,
    currency: str,
    month: str,
) -> str:
    tier = tiers[0]
    applying = [t for t in tiers if share < t.below]
    owed = min(max((t.credit for t in applying), default=Decimal(0)), cap)
    text = (
        f"Example: if {words.percent(share)} of"
        f" {words.measured(tier.measure, tier.priorities)} were"
        f" {words.measure_done(tier.measure)} on time in {month}, "
    )
    if len(applying) > 1:
        listed = words.join([words.percent(t.credit) for t in applying])
        text += f"the tiers of {listed} apply, and the highest counts. You"
    else:
        text += "you"
    value = (fee * owed / 100).quantize(Decimal("0.01"))
    return text + (
        f" receive a credit of {words.percent(owed)} of"
        f" {words.amount(fee, currency)} = {words.amount(value, currency)}."
    )


def escalation(ctx: Context) -> Section:
    esc = ctx.a.escalation
    items = []
    for step in esc.steps:
        text = f"{words.escalation_at(step.at)}, we tell {ctx.whos(step.notify)}."
        if step.say:
            text += f" {sentence(step.say)}"
        items.append(text[0].upper() + text[1:])
    blocks: list[Block] = []
    if items:
        blocks.append(Paragraph("If a request is at risk, we escalate it:"))
        blocks.append(BulletList(tuple(items)))
    pending = esc.decisions_waiting_on_client
    if pending is not None:
        blocks.append(
            Paragraph(
                "Sometimes we wait for a decision from you. We remind you after"
                f" {words.working_time(pending.remind_after)}. We escalate it"
                f" after {words.working_time(pending.escalate_after)}."
            )
        )
    return Section("Escalation", tuple(blocks), "escalation")
