"""The rules around the service: delays, change requests, late payment,
reviews, billing and time reports, and the definitions."""

from __future__ import annotations

from slakeeper.agreement import words
from slakeeper.agreement.contract.context import Context, sentence
from slakeeper.agreement.document import Block, BulletList, Paragraph, Section

__all__ = ["billing", "definitions", "delays", "reviews"]

_SHIFT = {
    "working_time": "we move the affected milestones by the working time you were late",
    "calendar_days": "we move the affected milestones by the calendar days you were "
    "late",
}
_ADJUST = {
    "need_acceptance": "Both of us must accept the new dates.",
    "automatic": "The new dates apply automatically.",
}
_CLOCKS = {
    "response": "reply times",
    "resolution": "resolution times",
    "update_every": "update times",
}
_MODEL = {
    "hourly": "We bill by the hour.",
    "fixed_price": "We bill a fixed price per milestone.",
    "retainer": "We bill a monthly retainer.",
}
_ROUND_MODE = {
    "up": "up to the next",
    "down": "down to the last",
    "nearest": "to the nearest",
}
_ROUND_PER = {
    "entry": "each time entry",
    "day": "each day's total",
    "invoice": "each invoice's total",
}


def delays(ctx: Context) -> Section:
    d = ctx.a.delays
    blocks: list[Block] = []
    # the rule moves milestones: said when there are some, or the file sets it
    if ctx.a.milestones or "client_caused" in d.model_fields_set:
        blocks.append(
            Paragraph(
                "If you are late with something we need, "
                f"{_SHIFT[d.client_caused.shift_milestones]}."
                f" {_ADJUST[d.client_caused.adjustments]}"
            )
        )
    cr = ctx.a.change_requests
    if cr is not None:
        text = (
            "You may ask for changes at any time."
            " We estimate each change within"
            f" {words.working_time(cr.estimate_within)}."
        )
        if cr.decide_within is not None:
            text += f" You decide within {words.working_time(cr.decide_within)}."
        text += (
            f" {ctx.who(cr.requires_approval_by)} must approve a change"
            " before we start it."
        )
        blocks.append(Paragraph(text))
    late = d.payment_overdue
    if late is not None:
        text = f"If a payment is more than {words.period(late.after)} late,"
        if late.suspend:
            clocks = words.join([_CLOCKS[c] for c in late.suspend])
            text += f" our {clocks} stop until you pay."
        else:
            text += " it counts as overdue."
        blocks.append(Paragraph(text))
    return Section("Delays, changes and late payment", tuple(blocks), "delays")


def reviews(ctx: Context) -> Section:
    r = ctx.a.reviews
    blocks: list[Block] = []
    if r is not None:
        text = f"We review this agreement with you {words.every(r.every)}."
        if r.first is not None:
            text += f" The first review is on {words.long_date(r.first)}."
        blocks.append(Paragraph(text))
    blocks.append(
        Paragraph(
            "Any change to this agreement must be in writing. Both of us must"
            " accept it. Each accepted version gets a new fingerprint"
            " (SHA-256), shown at the end."
        )
    )
    return Section("Reviews and changes to this agreement", tuple(blocks), "reviews")


def billing(ctx: Context) -> Section:
    b = ctx.a.billing
    if b is None:
        return Section("Billing and time reports", (), "billing")
    out = [_MODEL[b.model]]
    if b.rates is not None:
        rates = b.rates
        out.append(f"Our rate is {ctx.money(rates.default)} per hour.")
        for role, value in rates.per_role.items():
            out.append(
                f"Work by our {words.snake(role)} costs {ctx.money(value)} per hour."
            )
        for prio, value in rates.per_priority.items():
            out.append(f"Work on {prio} requests costs {ctx.money(value)} per hour.")
        if rates.out_of_hours is not None:
            out.append(
                f"Work outside the {ctx.label(ctx.default_calendar)} costs"
                f" {ctx.money(rates.out_of_hours)} per hour."
            )
    for m in ctx.a.milestones:
        if m.fee is not None:
            out.append(f"{m.title} costs {ctx.money(m.fee)}.")
    if b.rounding is not None:
        r = b.rounding
        step = (
            words.working_time(r.to)
            if r.to.business_days
            else words.duration(r.to.fixed)
        )
        out.append(f"We round {_ROUND_PER[r.per]} {_ROUND_MODE[r.mode]} {step}.")
    inv = b.invoice
    out.append(
        f"We send you an invoice {words.every(inv.every)}."
        f" Please pay it within {words.period(inv.due)}."
    )
    out.append(
        "Each invoice comes with a detailed time report."
        if inv.detailed_time_report
        else "Invoices come without a detailed time report."
    )
    if b.tax is not None:
        text = f"We add tax at {words.percent(b.tax.rate)}."
        if b.tax.id:
            text += f" Our tax number is {b.tax.id}."
        out.append(text)
    if b.timesheets is not None:
        out.append(f"{ctx.who(b.timesheets.approved_by)} approves our time entries.")
    if b.upwork is not None:
        out.append(f"You pay us through Upwork, contract {b.upwork.contract}.")
    out.append(f"All amounts are in {b.currency}.")
    return Section("Billing and time reports", (BulletList(tuple(out)),), "billing")


def definitions(ctx: Context) -> Section:
    items = [
        "Working time: time when the support hours of a request are open."
        " Time outside those hours does not count.",
        "Working hour: one hour of working time.",
    ]
    for name in ctx.calendars:
        items.append(
            f"Working day on the {ctx.label(name)}: {ctx.business_day(name)}"
            " of working time."
        )
    for name, p in ctx.a.priorities.items():
        if p.means:
            items.append(f"{name.capitalize()} request: {sentence(p.means)}")
    items.append("On time: done before the target time ends, counted in working time.")
    if ctx.a.accountability.service_credits is not None:
        items.append(
            "Service credit: money we owe you when a result falls below a level"
            " in the service credits table."
        )
    return Section("Definitions", (BulletList(tuple(items)),), "definitions")
