"""Response times per priority and the support hours they run on."""

from __future__ import annotations

from datetime import date, timedelta

from slakeeper.agreement import words
from slakeeper.agreement.contract.context import NONE, Context, sentence, wt
from slakeeper.agreement.document import Block, BulletList, Paragraph, Section, Table
from slakeeper.core import WorkCalendar

__all__ = ["availability", "response_times"]


def response_times(ctx: Context) -> Section:
    if not ctx.a.priorities:
        return Section("Response times", (), "response-times")
    rows = []
    sentences = []
    for name, p in ctx.a.priorities.items():
        cal = ctx.calendar_of(p)
        rows.append(
            (
                name,
                p.means or NONE,
                wt(p.response),
                wt(p.update_every),
                wt(p.resolution),
                ctx.label(cal).capitalize(),
            )
        )
        if p.response is not None:
            sentences.append(
                f"We reply to {name} requests within"
                f" {words.working_time(p.response)}, {ctx.hours_phrase(cal)}."
            )
        else:
            sentences.append(f"{name.capitalize()} requests have no reply target.")
        if p.update_every is not None:
            sentences.append(
                f"While {words.article(name)} request is open,"
                " we send you an update at least"
                f" every {words.working_time(p.update_every)}."
            )
        if p.resolution is not None:
            sentences.append(
                f"We resolve {name} requests within {words.working_time(p.resolution)}."
            )
        else:
            sentences.append(f"{name.capitalize()} requests have no resolution target.")
    header = (
        "Priority",
        "What it means",
        "First reply",
        "Updates",
        "Resolved",
        "Hours",
    )
    blocks: list[Block] = [Table(header, tuple(rows)), BulletList(tuple(sentences))]
    extra = []
    if ctx.a.default_priority is not None:
        extra.append(f"A request with no priority counts as {ctx.a.default_priority}.")
    if ctx.a.default_calendar is not None:
        extra.append(
            f"Clocks run on the {ctx.label(ctx.a.default_calendar)}"
            " unless a priority names other hours."
        )
    if ctx.a.pause_on:
        states = words.join([words.snake(s) for s in ctx.a.pause_on], "or")
        extra.append(
            f"The resolution clock stops while a request has the status {states}."
        )
    if extra:
        blocks.append(Paragraph(" ".join(extra)))
    return Section("Response times", tuple(blocks), "response-times")


def availability(ctx: Context) -> Section:
    span = f"{words.long_date(ctx.first)} to {words.long_date(ctx.last)}"
    intro = "These are the hours when we work on your requests."
    if ctx.has_end:
        intro += f" The term runs from {span}."
    else:
        intro += " We list the public holidays of the first 12 months."
    blocks: list[Block] = [Paragraph(intro)]
    for name, cal in ctx.calendars.items():
        blocks.append(Paragraph(f"{ctx.label(name).capitalize()}:"))
        items = [
            sentence(f"{line} {words.timezone(cal.timezone.key)}")
            for line in ctx.hours_lines(cal)
        ]
        if not items:
            items.append("No regular opening hours.")
        closed_days = [i for i in range(7) if not cal.rules.weekly[i]]
        if closed_days and len(closed_days) < 7:
            items.append(f"Closed on {words.weekdays(closed_days)}.")
        items.extend(_holiday_items(ctx, cal))
        for day, windows in sorted(cal.rules.open.items()):
            spans = words.join([str(w) for w in windows]) or "closed"
            items.append(f"Open on {words.long_date(day)}: {spans}.")
        if ctx.a.calendars[name].get("business_day") is not None:
            items.append(
                f"A working day on these hours is {ctx.business_day(name)} long."
            )
        blocks.append(BulletList(tuple(items)))
    return Section("Support availability", tuple(blocks), "support-availability")


def _holiday_items(ctx: Context, cal: WorkCalendar) -> list[str]:
    rules = cal.rules
    items: list[str] = []
    closed = cal.closed_dates(ctx.first, ctx.last)
    public = {d: n for d, n in closed.items() if d not in rules.closed}
    if rules.country is not None:
        place = words.place(rules.country, rules.subdivision)
        by_year: dict[int, list[str]] = {}
        for day, name in sorted(public.items()):
            by_year.setdefault(day.year, []).append(f"{words.day_month(day)} ({name})")
        if not by_year:
            items.append(f"Closed on public holidays in {place}.")
        for year, days in by_year.items():
            items.append(
                f"Closed on public holidays in {place} in {year}: {words.join(days)}."
            )
    if rules.closed:
        ranges = []
        found = words.runs(sorted(rules.closed.items()), _next_day_same_name)
        for (a, label), (b, _) in found:
            text = words.date_range(a, b)
            ranges.append(text if label == "closed" else f"{text} ({label})")
        items.append(f"Also closed on {words.join(ranges)}.")
    return items


def _next_day_same_name(a: tuple[date, str], b: tuple[date, str]) -> bool:
    return a[1] == b[1] and b[0] == a[0] + timedelta(days=1)
