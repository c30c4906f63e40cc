"""Lists benchmark: what the screens cost at 10,000 and 100,000 tickets.

Run `python benchmarks/lists.py` (or `make bench`, after business_time.py). For
each backend (SQLite; PostgreSQL too when `SLAKEEPER_BENCH_POSTGRES_URL` or
`SLAKEEPER_TEST_POSTGRES_URL` is set) and each size N (`--tickets 10000,100000`)
it builds a fresh, migrated database with one workspace holding N tickets (about
five events each) and N time entries in one month, then times five paths,
calling the services as the provider's owner (not HTTP, not the CLI):

- `tickets.list_views`, its first page of 50 (`GET /tickets`; `slakeeper
  ticket list` shows every ticket the same way), the clock state as stored;
- `status.board`, the morning screen (`GET /status`, `slakeeper status`);
- `worker.run_due_checks`, one pass with about a tenth of the tickets due;
- `time_entries.list_entries` for the month (`slakeeper time list`);
- `invoices.build_invoice` for that month (a draft, rolled back each time).

Each path is timed against a bare SQL read (SQLAlchemy Core, no ORM, no rules)
of the rows it shows or touches, in the same run on the same database: the
time is the median of three runs (one run when the first takes over
`SLOW_RUN` seconds), the statements sent are counted on the first. The goal of
issue 10: every path within 3x its bare read (`ok`, else `over`), and the
number of statements flat in N.

How the rows are built: the workspace, its people and the example agreement
(approved by both sides, in force from 2 January 2027) go through the services,
as the demo does; so do `TEMPLATES` tickets with histories of several shapes,
opened over the month before `NOW` and rechecked by a worker at `RECHECKED`.
The other tickets are copies of those (their rows and events inserted in bulk
with Core, numbered on from the templates, the ticket counter moved past
them), so every row is one the services wrote or an exact copy with its own id,
number and key. Time entries are inserted in bulk as `add_entry` writes them
(whole seconds, `worked_at` at the start; a quarter on one of the first
tickets), without their audit entries. The worker's instant is chosen so that
about a tenth of the tickets have their `next_check_at` come; the rows a pass
changes are put back before each run.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from importlib import resources
from pathlib import Path
from time import perf_counter
from typing import Any

from sqlalchemy import (
    Engine,
    Select,
    Table,
    bindparam,
    create_engine,
    event,
    insert,
    make_url,
    select,
    text,
    update,
)
from sqlalchemy.orm import Session, sessionmaker

from slakeeper.core.tickets import DONE
from slakeeper.db.migrate import upgrade
from slakeeper.db.models import (
    Counter,
    Milestone,
    Obligation,
    Role,
    Ticket,
    TicketEvent,
    TimeEntry,
)
from slakeeper.db.session import begin_reading, make_engine, make_sessionmaker
from slakeeper.services import (
    agreements,
    counters,
    status,
    tickets,
    time_entries,
    worker,
    workspaces,
)
from slakeeper.services.access import Principal
from slakeeper.services.invoicing import invoices
from slakeeper.services.pages import Page
from slakeeper.services.workspaces import principal_for
from slakeeper.settings import Settings

POSTGRES_ENVS = ("SLAKEEPER_BENCH_POSTGRES_URL", "SLAKEEPER_TEST_POSTGRES_URL")
SIZES = (10_000, 100_000)
QUICK_SIZES = (10, 30)
TEMPLATES = 100  # tickets opened through the services; the rest are copies
PAGE_LIMIT = 50  # GET /tickets' default page
GOAL = 3.0  # at most this many times the bare read
RUNS = 3
SLOW_RUN = 10.0  # seconds: a first run slower than this is the only one
CHUNK = 5_000  # rows per bulk insert
DUE_SHARE = 0.1  # of the tickets, due at the worker's pass

SETUP = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
IN_FORCE = datetime(2027, 1, 2, 0, 0, tzinfo=UTC)
RECHECKED = datetime(2027, 3, 15, 8, 0, tzinfo=UTC)  # a Monday, 09:00 in Berlin
NOW = datetime(2027, 3, 15, 11, 0, tzinfo=UTC)
MONTH = (date(2027, 2, 1), date(2027, 2, 28))
MONTH_AT = (
    datetime(2027, 1, 31, 23, 0, tzinfo=UTC),  # Berlin midnights
    datetime(2027, 2, 28, 23, 0, tzinfo=UTC),
)

# (priority, [(kind, status), ...]) after `created`: about five events each
SHAPES: list[tuple[str, list[tuple[str, str | None]]]] = [
    ("normal", [("provider_reply", None), ("client_reply", None), ("note", None)]),
    (
        "high",
        [
            ("provider_reply", "waiting_on_client"),
            ("client_reply", None),
            ("provider_reply", None),
            ("resolved", None),
        ],
    ),
    ("critical", [("provider_reply", None), ("provider_reply", None)]),
    (
        "low",
        [
            ("note", None),
            ("provider_reply", None),
            ("client_reply", None),
            ("provider_reply", None),
            ("resolved", None),
        ],
    ),
    (
        "normal",
        [
            ("provider_reply", "waiting_on_client"),
            ("client_reply", None),
            ("provider_reply", None),
        ],
    ),
]


# -- the database ------------------------------------------------------------------


def _migrated_in(url: str) -> Iterator[Engine]:
    engine = make_engine(Settings(database_url=url))
    try:
        upgrade(engine)
        yield engine
    finally:
        engine.dispose()


@contextmanager
def database(backend: str, postgres_url: str | None) -> Iterator[Engine]:
    """A fresh, migrated database of the backend, dropped afterwards."""
    if backend == "sqlite":
        with tempfile.TemporaryDirectory(prefix="slakeeper-bench-") as tmp:
            yield from _migrated_in(f"sqlite:///{Path(tmp) / 'bench.db'}")
        return
    assert postgres_url is not None
    base = make_url(postgres_url).set(drivername="postgresql+psycopg")
    name = f"slakeeper_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        url = base.set(database=name).render_as_string(hide_password=False)
        yield from _migrated_in(url)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@dataclass(frozen=True)
class Workspace:
    id: int
    client_id: int
    owner: Principal
    worker_now: datetime
    due: int  # tickets due at `worker_now`


def example_text() -> str:
    return (
        resources.files("slakeeper")
        .joinpath("examples/agreement.yaml")
        .read_text(encoding="utf-8")
    )


def build(sessions: sessionmaker[Session], n: int) -> Workspace:
    """The workspace with `n` tickets and `n` time entries (see the module's
    doc)."""
    with sessions.begin() as s:
        ws, owner = workspaces.init_workspace(
            s,
            name="Jane Doe Web Consulting",
            owner_email="jane@janedoe.example",
            owner_name="Jane Doe",
            password="bench-password",
            now=SETUP,
        )
        jane = principal_for(owner)
        acme = workspaces.add_client(s, jane, name="Acme GmbH", key="ACME", now=SETUP)
        people = {
            email: principal_for(
                workspaces.add_user(
                    s,
                    jane,
                    email=email,
                    name=name,
                    role=role,
                    client_id=acme.id if role is Role.CLIENT else None,
                    now=SETUP,
                )
            )
            for email, name, role in (
                ("sam@janedoe.example", "Sam Lee", Role.STAFF),
                ("max@acme.example", "Max Mustermann", Role.CLIENT),
                ("erika@acme.example", "Erika Muster", Role.CLIENT),
            )
        }
        version = agreements.import_agreement(
            s,
            jane,
            client_id=acme.id,
            text=example_text(),
            source_name="acme.yaml",
            now=SETUP,
        )
        agreements.submit(s, jane, version.id, SETUP)
        agreements.approve(s, jane, version.id, version.sha256, SETUP)
        agreements.approve(
            s, people["max@acme.example"], version.id, version.sha256, SETUP
        )
        agreements.activate_due(s, jane, IN_FORCE)
        templates = _templates(
            s, min(n, TEMPLATES), acme.id, jane, people["erika@acme.example"]
        )
    with sessions.begin() as s:
        _copy_tickets(s, templates, n, acme.id)
        _entries(
            s, n, ws.id, acme.id, [jane.user_id, people["sam@janedoe.example"].user_id]
        )
        worker_now, due = _worker_instant(s, ws.id, n)
    return Workspace(ws.id, acme.id, jane, worker_now, due)


def _templates(
    s: Session, count: int, client_id: int, jane: Principal, erika: Principal
) -> list[int]:
    """`count` tickets opened through the services over the month before
    `RECHECKED`, with their events, then rechecked at `RECHECKED`."""
    ids = []
    for i in range(count):
        priority, steps = SHAPES[i % len(SHAPES)]
        at = RECHECKED - timedelta(hours=3) - i * timedelta(hours=7, minutes=13)
        ticket = tickets.open_ticket(
            s,
            erika,
            client_id=client_id,
            title=f"Request {i}",
            body="Something is wrong.",
            priority=priority,
            now=at,
        )
        for kind, state in steps:
            at += timedelta(minutes=25)
            who = erika if kind == "client_reply" else jane
            text_ = None if kind == "resolved" else f"{kind} on request {i}"
            tickets.add_event(s, who, ticket.id, kind, at, text=text_, status=state)
        tickets.recompute(s, ticket.id, RECHECKED)
        ids.append(ticket.id)
    return ids


def _table(model: Any) -> Table:
    table: Table = model.__table__
    return table


def _copy_tickets(s: Session, templates: list[int], n: int, client_id: int) -> None:
    """Tickets `len(templates) + 1` to `n`: copies of the templates in turn."""
    ticket_t, event_t = _table(Ticket), _table(TicketEvent)
    rows = {
        r.id: r._asdict()
        for r in s.execute(select(ticket_t).where(ticket_t.c.id.in_(templates)))
    }
    events: dict[int, list[dict[str, Any]]] = {i: [] for i in templates}
    for r in s.execute(
        select(event_t)
        .where(event_t.c.ticket_id.in_(templates))
        .order_by(event_t.c.ticket_id, event_t.c.seq)
    ):
        events[r.ticket_id].append(r._asdict())
    numbers = range(len(templates) + 1, n + 1)
    for start in range(0, len(numbers), CHUNK):
        chunk = numbers[start : start + CHUNK]
        copies = []
        for number in chunk:
            row = dict(rows[templates[(number - 1) % len(templates)]])
            del row["id"]
            row.update(number=number, key=f"ACME-{number}")
            copies.append(row)
        new_ids = s.execute(
            insert(ticket_t).returning(ticket_t.c.id, sort_by_parameter_order=True),
            copies,
        ).scalars()
        event_rows = []
        for number, new_id in zip(chunk, new_ids, strict=True):
            for e in events[templates[(number - 1) % len(templates)]]:
                copy = dict(e)
                del copy["id"]
                copy["ticket_id"] = new_id
                event_rows.append(copy)
        s.execute(insert(event_t), event_rows)
    series = counters.ticket_series(client_id)
    s.execute(
        update(Counter)
        .where(Counter.series == series)
        .values(next_value=max(n, len(templates)) + 1)
    )


def _entries(
    s: Session, n: int, workspace_id: int, client_id: int, users: Sequence[int]
) -> None:
    """`n` entries of 15 minutes to 2 hours started over the month, as
    `add_entry` writes them; a quarter on one of the first 1,000 tickets."""
    ticket_ids = list(
        s.scalars(
            select(Ticket.id)
            .where(Ticket.workspace_id == workspace_id)
            .order_by(Ticket.id)
            .limit(1_000)
        )
    )
    first, last = MONTH_AT
    step = (last - first - timedelta(hours=2)) / n
    rows = []
    for i in range(n):
        started = (first + i * step).replace(microsecond=0)
        ended = started + timedelta(minutes=15 + (i * 7) % 106)
        rows.append(
            {
                "workspace_id": workspace_id,
                "client_id": client_id,
                "user_id": users[i % len(users)],
                "ticket_id": ticket_ids[i % len(ticket_ids)] if i % 4 == 0 else None,
                "milestone_key": None,
                "worked_at": started,
                "started_at": started,
                "ended_at": ended,
                "seconds": int((ended - started).total_seconds()),
                "note": f"Work {i}",
                "billable": i % 10 != 0,
                "source": "manual",
                "external_id": None,
                "created_at": NOW - timedelta(days=5),
                "updated_at": NOW - timedelta(days=5),
                "approved_at": None,
                "approved_by_id": None,
                "invoice_id": None,
            }
        )
    for start in range(0, n, CHUNK):
        s.execute(insert(_table(TimeEntry)), rows[start : start + CHUNK])


def _worker_instant(s: Session, workspace_id: int, n: int) -> tuple[datetime, int]:
    """The instant by which about `DUE_SHARE` of the tickets are due, and how
    many are."""
    checks = sorted(
        at
        for at in s.scalars(
            select(Ticket.next_check_at).where(Ticket.workspace_id == workspace_id)
        )
        if at is not None
    )
    if not checks:
        return NOW, 0
    wanted = max(1, round(n * DUE_SHARE))
    at = checks[min(wanted, len(checks)) - 1]
    return at, sum(c <= at for c in checks)


# -- timing ------------------------------------------------------------------------


@dataclass(frozen=True)
class Timing:
    seconds: float
    runs: int
    queries: int
    rows: int


@contextmanager
def counted(engine: Engine) -> Iterator[list[str]]:
    sent: list[str] = []

    def count(*args: Any) -> None:
        sent.append(args[2])

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", count)


def timed(
    engine: Engine,
    work: Callable[[], int],
    reset: Callable[[], None] | None = None,
    runs: int = RUNS,
) -> Timing:
    """The median of up to `runs` runs of `work` (which returns how many rows
    it showed), the statements of the first counted."""
    times: list[float] = []
    queries = rows = 0
    for run in range(runs):
        if reset is not None:
            reset()
        if run == 0:
            with counted(engine) as sent:
                start = perf_counter()
                rows = work()
                times.append(perf_counter() - start)
            queries = len(sent)
            if times[0] > SLOW_RUN:
                break
        else:
            start = perf_counter()
            work()
            times.append(perf_counter() - start)
    return Timing(statistics.median(times), len(times), queries, rows)


@contextmanager
def reading(sessions: sessionmaker[Session]) -> Iterator[Session]:
    with sessions() as s:
        begin_reading(s)
        yield s


def bare(sessions: sessionmaker[Session], *queries: Any) -> Callable[[], int]:
    """A bare read: the Core selects, every row fetched; returns the rows of
    the first."""

    def read() -> int:
        with reading(sessions) as s:
            got = [s.execute(q).all() for q in queries]
        return len(got[0])

    return read


@dataclass(frozen=True)
class Result:
    path: str
    backend: str
    n: int
    service: Timing
    floor: Timing
    note: str = ""

    @property
    def ratio(self) -> float:
        return self.service.seconds / self.floor.seconds if self.floor.seconds else 0.0


def measure(engine: Engine, backend: str, n: int, runs: int = RUNS) -> list[Result]:
    sessions = make_sessionmaker(engine)
    started = perf_counter()
    ws = build(sessions, n)
    print(
        f"  {backend}, N={n:,}: built in {perf_counter() - started:.1f} s;"
        f" {ws.due:,} tickets due at the worker's pass",
        flush=True,
    )
    owner = ws.owner
    ticket_t, event_t = _table(Ticket), _table(TicketEvent)
    entry_t = _table(TimeEntry)
    in_ws = ticket_t.c.workspace_id == ws.id
    results = []

    def events_of(listed: Select[Any]) -> Select[Any]:
        """The events the clocks read, of the tickets `listed` selects."""
        ids = select(listed.subquery().c.id)
        return (
            select(event_t.c.ticket_id, event_t.c.at, event_t.c.kind, event_t.c.data)
            .where(event_t.c.ticket_id.in_(ids))
            .order_by(event_t.c.ticket_id, event_t.c.seq)
        )

    def result(
        path: str, work: Callable[[], int], floor: Callable[[], int], **kw: Any
    ) -> None:
        reset = kw.pop("reset", None)
        service = timed(engine, work, reset, runs)
        if reset is not None:  # the bare read reads the rows as they were
            reset()
        floor_time = timed(engine, floor, runs=runs)
        results.append(Result(path, backend, n, service, floor_time, **kw))

    # the first page of tickets, their clock state as stored
    def ticket_page() -> int:
        with reading(sessions) as s:
            first = Page(None, PAGE_LIMIT)
            return len(tickets.list_views(s, owner, page=first))

    listed = select(ticket_t).where(in_ws).order_by(ticket_t.c.id)
    result(
        "tickets.list_views, first page",
        ticket_page,
        bare(sessions, listed.limit(PAGE_LIMIT + 1)),
    )

    # the status board
    def board() -> int:
        with reading(sessions) as s:
            return len(status.board(s, owner, NOW, client_id=None).tickets)

    active = select(ticket_t).where(in_ws, ticket_t.c.status.not_in(DONE))
    result(
        "status.board",
        board,
        bare(
            sessions,
            active,
            events_of(active),
            select(_table(Milestone)).where(Milestone.workspace_id == ws.id),
            select(_table(Obligation)).where(
                Obligation.workspace_id == ws.id, Obligation.status == "open"
            ),
        ),
    )

    # one worker pass, about a tenth of the tickets due
    due = select(ticket_t).where(in_ws, ticket_t.c.next_check_at <= ws.worker_now)
    with reading(sessions) as s:
        before = [{"b_id": r.id, "b_next": r.next_check_at} for r in s.execute(due)]

    def put_back() -> None:
        if not before:
            return
        with engine.begin() as conn:
            conn.execute(
                update(ticket_t)
                .where(ticket_t.c.id == bindparam("b_id"))
                .values(next_check_at=bindparam("b_next")),
                before,
            )

    def worker_pass() -> int:
        done = worker.run_due_checks(sessions, ws.worker_now, workspace_ids=[ws.id])
        return done.tickets

    result(
        "worker.run_due_checks",
        worker_pass,
        bare(sessions, due, events_of(due)),
        reset=put_back,
        note=f"{ws.due:,} due",
    )

    # time list for the month
    def time_list() -> int:
        with reading(sessions) as s:
            found = time_entries.list_entries(
                s, owner, from_at=MONTH_AT[0], to_at=MONTH_AT[1]
            )
            return len(found.entries)

    in_month = (
        entry_t.c.workspace_id == ws.id,
        entry_t.c.worked_at >= MONTH_AT[0],
        entry_t.c.worked_at < MONTH_AT[1],
    )
    result(
        "time_entries.list_entries, a month",
        time_list,
        bare(
            sessions,
            select(entry_t).where(*in_month).order_by(entry_t.c.worked_at),
        ),
    )

    # an invoice built for the month (a draft, rolled back)
    def invoice() -> int:
        with sessions() as s:
            built = invoices.build_invoice(
                s,
                owner,
                client_id=ws.client_id,
                period_start=MONTH[0],
                period_end=MONTH[1],
                now=NOW,
            )
            s.rollback()
            return len(built.notes)  # unused: the table shows the bare read's rows

    billable = (
        select(entry_t, ticket_t.c.priority)
        .outerjoin(ticket_t, ticket_t.c.id == entry_t.c.ticket_id)
        .where(
            *in_month,
            entry_t.c.client_id == ws.client_id,
            entry_t.c.billable.is_(True),
            entry_t.c.invoice_id.is_(None),
        )
        .order_by(entry_t.c.worked_at, entry_t.c.id)
    )
    result("invoices.build_invoice, a month", invoice, bare(sessions, billable))
    return results


# -- output ------------------------------------------------------------------------


def _duration(seconds: float) -> str:
    if seconds >= 1:
        return f"{seconds:.2f} s"
    return f"{seconds * 1000:.1f} ms"


def print_table(results: Sequence[Result], runs: int) -> None:
    header = (
        "path",
        "backend",
        "N",
        "rows",
        "time",
        "bare SQL",
        "ratio",
        "queries",
        "goal",
    )
    print("| " + " | ".join(header) + " |")
    print("|" + " --- |" * len(header))
    for r in results:
        fewer = "" if r.service.runs == runs else f" ({r.service.runs} run)"
        print(
            f"| {r.path} | {r.backend} | {r.n:,} | {r.floor.rows:,}"
            f" | {_duration(r.service.seconds)}"
            f"{fewer} | {_duration(r.floor.seconds)} | {r.ratio:.1f}x"
            f" | {r.service.queries:,} | {'ok' if r.ratio <= GOAL else 'over'}"
            f"{f' ({r.note})' if r.note else ''} |"
        )


def print_flatness(results: Sequence[Result]) -> None:
    """Whether each path's statements stay the same as N grows."""
    paths: dict[tuple[str, str], list[Result]] = {}
    for r in results:
        paths.setdefault((r.path, r.backend), []).append(r)
    for (path, backend), rows in paths.items():
        if len(rows) < 2:
            continue
        counts = [r.service.queries for r in rows]
        times = [r.service.seconds for r in rows]
        verdict = "flat" if len(set(counts)) == 1 else "grows"
        print(
            f"  {path} ({backend}): statements {verdict}"
            f" ({' -> '.join(f'{c:,}' for c in counts)});"
            f" time x{times[-1] / times[0]:.1f} for N x{rows[-1].n / rows[0].n:.0f}"
        )


# -- main --------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0] if __doc__ else None
    )
    parser.add_argument(
        "--tickets",
        default=None,
        help="sizes N, comma-separated (default 10000,100000; 10,30 with --quick)",
    )
    parser.add_argument(
        "--quick", action="store_true", help="small sizes: a fast smoke run"
    )
    parser.add_argument(
        "--backends",
        default=None,
        help="sqlite and/or postgresql, comma-separated (default: sqlite, and"
        f" postgresql when {' or '.join(POSTGRES_ENVS)} is set)",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.tickets:
        sizes = [int(x.replace("_", "")) for x in args.tickets.split(",")]
    else:
        sizes = list(QUICK_SIZES if args.quick else SIZES)
    postgres_url = next(
        (os.environ[e] for e in POSTGRES_ENVS if os.environ.get(e)), None
    )
    if args.backends:
        backends = [b.strip() for b in args.backends.split(",")]
    else:
        backends = ["sqlite"] + (["postgresql"] if postgres_url else [])
    if "postgresql" in backends and postgres_url is None:
        print(f"postgresql needs {' or '.join(POSTGRES_ENVS)}", file=sys.stderr)
        return 2
    runs = 1 if args.quick else RUNS
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"lists: N tickets (about 5 events each) and N time entries in one month;"
        f" {os.cpu_count()} cores, load average {load:.2f} before the run"
    )
    results: list[Result] = []
    for backend in backends:
        for n in sizes:
            with database(backend, postgres_url) as engine:
                results += measure(engine, backend, n, runs)
    print(
        "\ntime: "
        + (
            f"median of {runs} runs (one when the first is over {SLOW_RUN:.0f} s);"
            if runs > 1
            else "one run;"
        )
        + " bare SQL: a Core read of the rows shown or touched, same run;"
        " queries: statements of one run"
    )
    print_table(results, runs)
    print(
        f"\ngoal (issue 10): every path within {GOAL:.0f}x its bare read (ok/over),"
        " its statements flat in N:"
    )
    print_flatness(results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
