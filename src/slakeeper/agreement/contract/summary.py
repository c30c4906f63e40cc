"""The first page: who the parties are, how long the agreement runs, the
support hours, first-reply targets and the fee."""

from __future__ import annotations

from decimal import Decimal

from slakeeper.agreement import words
from slakeeper.agreement.contract.context import Context
from slakeeper.agreement.document import Paragraph, Section, Table

__all__ = ["summary", "term_text"]

_RENEWAL = {
    "automatic": "It then renews automatically for the same length.",
    "manual": "It renews only if we both agree in writing.",
    "none": "It then ends, and does not renew.",
}
_RENEWAL_SHORT = {
    "automatic": "renews automatically",
    "manual": "renews only if we both agree",
    "none": "does not renew",
}
_MODEL = {
    "hourly": "by the hour",
    "fixed_price": "a fixed price per milestone",
    "retainer": "a monthly retainer",
}


def _notice(text: str) -> str:
    """`30 days` -> `30 days'` (as in "30 days' notice")."""
    return text + "'" if text.endswith("s") else text


def term_text(ctx: Context) -> str:
    """When the agreement starts and ends; only what the file says."""
    about = ctx.a.agreement
    term = about.term
    start = f"This agreement starts on {words.long_date(about.effective)}"
    if not ctx.has_end:
        text = f"{start} and runs until either of us ends it."
    else:
        if term.until is None and term.months is not None:
            length = f"runs for {words.plural(term.months, 'month')}, until "
        else:
            length = "runs until "
        text = (
            f"{start} and {length}{words.long_date(ctx.last)}. {_RENEWAL[term.renewal]}"
        )
    if term.notice is not None:
        text += (
            f" To end it, either of us gives {_notice(words.period(term.notice))}"
            " notice in writing."
        )
    return text


def _term_summary(ctx: Context) -> str:
    term = ctx.a.agreement.term
    parts = []
    if term.months is not None:
        parts.append(words.plural(term.months, "month"))
    parts.append(_RENEWAL_SHORT[term.renewal] if ctx.has_end else "no fixed end")
    if term.notice is not None:
        parts.append(f"{_notice(words.period(term.notice))} notice")
    return ", ".join(parts)


def _fee_summary(ctx: Context) -> str:
    billing = ctx.a.billing
    if billing is None:
        return ""
    fees = [m.fee for m in ctx.a.milestones if m.fee is not None]
    if fees and (billing.model == "fixed_price" or billing.rates is None):
        return f"{ctx.money(sum(fees, Decimal(0)))} in total for the milestones"
    if billing.rates is not None:
        return f"{ctx.money(billing.rates.default)} per hour"
    return _MODEL[billing.model]


def _support_hours(ctx: Context) -> str:
    """`Office: Monday to Friday ... (high, normal, low); On call: ... (critical)`."""
    out = []
    for name in ctx.a.calendars:
        text = f"{words.snake(name).capitalize()}: {ctx.hours_phrase(name)}"
        served = ctx.served_by(name)
        if served and len(ctx.a.calendars) > 1:
            text += f" ({', '.join(served)})"
        out.append(text)
    return "; ".join(out)


def summary(ctx: Context) -> Section:
    about = ctx.a.agreement
    rows: list[tuple[str, str]] = [
        ("We (the provider)", about.provider.name),
        ("You (the client)", about.client.name),
        ("Starts", words.long_date(about.effective)),
        (
            "Ends",
            words.long_date(ctx.last) if ctx.has_end else "When either of us ends it",
        ),
        ("Term", _term_summary(ctx)),
        ("Support hours", _support_hours(ctx)),
    ]
    targets = [
        f"{name}: {words.working_time(p.response)}"
        for name, p in ctx.a.priorities.items()
        if p.response is not None
    ]
    if targets:
        rows.append(("First reply", "; ".join(targets)))
    fee = _fee_summary(ctx)
    if fee:
        rows.append(("Fee", fee))
    credits = ctx.a.accountability.service_credits
    if credits is not None:
        amount = credits.monthly_fee
        rows.append(
            ("Monthly fee for credits", ctx.money(amount.amount, amount.currency))
        )
    intro = Paragraph(
        f"In this agreement, “we” means {about.provider.name}"
        f" and “you” means {about.client.name}."
        f" Times are {words.timezone(about.timezone)} ({about.timezone})"
        " unless we say otherwise."
        f" This agreement is written in {words.language(about.language)}."
    )
    return Section(
        "Summary",
        (intro, Table(("Item", "Details"), tuple(rows)), Paragraph(term_text(ctx))),
        "summary",
    )
