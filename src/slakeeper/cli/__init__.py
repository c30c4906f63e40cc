"""The `slakeeper` command line: one Typer app, one sub-app per noun (`calendar`, ...).

Errors are turned into messages here, in one place (`report_error`; the error
tree is drawn in `slakeeper.errors`). Exit codes: 0 ok, 1 for a command that ran
and found problems, 2 for bad input or usage, 75 when the database was busy and
nothing was changed (try again), 70 for a bug.
"""

from __future__ import annotations

import errno
import sys
from collections.abc import Sequence
from typing import Annotated, Any, NoReturn

import typer
from typer.core import TyperGroup
from typer.exceptions import TyperException

from slakeeper import __version__
from slakeeper.cli import admin, delivery
from slakeeper.cli import demo as demo_cli
from slakeeper.cli import status as status_cli
from slakeeper.cli.agreement import app as agreement_app
from slakeeper.cli.audit import app as audit_app
from slakeeper.cli.calendar import app as calendar_app
from slakeeper.cli.feeds import app as feed_app
from slakeeper.cli.imports import import_app, upwork_app
from slakeeper.cli.invoices import app as invoice_app
from slakeeper.cli.mail import app as mail_app
from slakeeper.cli.serve import serve as serve_command
from slakeeper.cli.tickets import app as tickets_app
from slakeeper.cli.time import app as time_app
from slakeeper.core.errors import CoreError
from slakeeper.errors import AppError, InternalError, Unavailable

__all__ = [
    "EXIT_BAD_INPUT",
    "EXIT_BUG",
    "EXIT_PROBLEMS",
    "EXIT_TRY_AGAIN",
    "app",
    "main",
    "report_error",
]

EXIT_PROBLEMS = 1
EXIT_BAD_INPUT = 2
EXIT_BUG = 70  # sysexits' EX_SOFTWARE: never the answer to "were there problems?"
EXIT_TRY_AGAIN = 75  # sysexits' EX_TEMPFAIL: the database was busy; nothing changed

# what the root command answers with a message; anything else is a bug, which
# `main` reports (an InternalError is one too)
_EXPECTED = (TyperException, CoreError, AppError, typer.Abort, OSError)


def _echo_error(message: str) -> None:
    for line in message.splitlines() or [""]:
        typer.echo(f"error: {line}", err=True)


def _usage_error(exc: TyperException) -> int:
    """Click's usage errors, one line with a pointer to the help."""
    code = exc.exit_code
    message = exc.format_message()
    ctx = getattr(exc, "ctx", None)
    if type(exc).__name__ == "NoArgsIsHelpError":  # Typer has shown the help
        if message.strip():  # only without Rich: the help is the message
            typer.echo(message, err=True)
        return int(code)
    message = message.replace("Value error, ", "")
    if ctx is not None:
        message = message.rstrip().rstrip(".")
        message += f". See '{ctx.command_path} --help'."
    _echo_error(message)
    return int(code)


def report_error(exc: BaseException) -> int:
    """Print an error as `error: ...` lines on stderr; return its exit code.

    The one place the CLI maps errors: usage errors and bad input (an
    `AppError`, the engine's `CoreError`, one line per problem of a file) exit
    2, `Unavailable` 75, a closed pipe or an abort 1, and anything else (an
    `InternalError` too) is a bug: one line, no traceback, exit 70.
    """
    if isinstance(exc, InternalError) or not isinstance(exc, _EXPECTED):
        typer.echo(
            f"error: internal error ({type(exc).__name__}: {exc});"
            " this is a bug in slakeeper, please report it",
            err=True,
        )
        return EXIT_BUG
    if isinstance(exc, TyperException):
        return _usage_error(exc)
    if isinstance(exc, typer.Abort):
        typer.echo("Aborted.", err=True)
        return 1
    if isinstance(exc, OSError):
        if exc.errno == errno.EPIPE:
            return 1  # the reader went away (`| head`): nothing more to say
        where = f"{exc.filename}: " if exc.filename else ""  # e.g. a full disk
        _echo_error(f"{where}{exc.strerror or exc}")
        return EXIT_BAD_INPUT
    _echo_error(str(exc))  # a file's problems (SourceError ...) one per line
    return EXIT_TRY_AGAIN if isinstance(exc, Unavailable) else EXIT_BAD_INPUT


class SlakeeperGroup(TyperGroup):
    """The root command: maps every expected error to a message and an exit code
    (`report_error`); a bug goes on to `main`."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        try:
            result = super().main(
                args,
                prog_name,
                complete_var,
                standalone_mode=False,
                windows_expand_args=windows_expand_args,
                **extra,
            )
            code = result if isinstance(result, int) else 0
        except InternalError:
            raise
        except _EXPECTED as exc:
            code = report_error(exc)
        if not standalone_mode:
            return code
        sys.exit(code)


app = typer.Typer(
    name="slakeeper",
    cls=SlakeeperGroup,
    help="Write, agree, keep and prove bespoke Service-Level Agreements.",
    epilog="Exit codes: 0 ok, 1 the command found problems, 2 bad input or usage,"
    " 75 the database was busy (nothing changed: try again).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.add_typer(calendar_app, name="calendar")
app.add_typer(agreement_app, name="agreement")
app.add_typer(tickets_app, name="ticket")
app.add_typer(delivery.milestone_app, name="milestone")
app.add_typer(delivery.obligation_app, name="obligation")
app.add_typer(delivery.adjustment_app, name="adjustment")
app.add_typer(delivery.change_app, name="change")
app.add_typer(delivery.commitment_app, name="commitment")
app.command("status")(status_cli.status)
app.add_typer(status_cli.worker_app, name="worker")
app.command("demo")(demo_cli.demo)
app.add_typer(time_app, name="time")
app.add_typer(invoice_app, name="invoice")
app.add_typer(mail_app, name="mail")
app.add_typer(feed_app, name="feed")
app.command("init")(admin.init)
app.command("serve")(serve_command)
app.add_typer(admin.user_app, name="user")
app.add_typer(admin.client_app, name="client")
app.add_typer(admin.token_app, name="token")
app.add_typer(audit_app, name="audit")
app.add_typer(admin.db_app, name="db")
app.add_typer(admin.config_app, name="config")
app.add_typer(import_app, name="import")
app.add_typer(upwork_app, name="upwork")


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"slakeeper {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            help="Show the version and exit.",
            callback=_show_version,
            is_eager=True,
        ),
    ] = False,
) -> None:
    """Write, agree, keep and prove bespoke Service-Level Agreements."""


def main(
    args: Sequence[str] | None = None, *, prog_name: str = "slakeeper"
) -> NoReturn:
    """Run the command line (the `slakeeper` script); never shows a traceback."""
    try:
        app(args=args, prog_name=prog_name)
    except SystemExit:
        raise
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:
        sys.exit(report_error(exc))
    sys.exit(0)
