"""The CLI maps the error tree in one place (`report_error`): bad input exits 2,
a busy database 75 with one line, a bug (an `InternalError` or anything
unexpected) 70 with one line and no traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from slakeeper.cli import (
    EXIT_BAD_INPUT,
    EXIT_BUG,
    EXIT_TRY_AGAIN,
    app,
    main,
    report_error,
)
from slakeeper.core import WorkCalendar
from slakeeper.core.errors import ClockError
from slakeeper.errors import InvalidInput, NotFound, Unavailable
from slakeeper.typesetting import PdfRenderError
from slakeeper.yamlsource import SourceError, SourceProblem
from tests.cli.helpers import runner

BUSY = "the database is busy (locked by another writer); try again"
ARGS = ["calendar", "between", "-c", "cal.yaml", "--from", "2027-01-04T09:00"]
ARGS += ["--to", "2027-01-04T10:00"]


@pytest.mark.parametrize(
    ("error", "code", "err"),
    [
        (NotFound("ticket ACME-9 not found"), 2, "error: ticket ACME-9 not found\n"),
        (
            InvalidInput("is not an IBAN", location="iban"),
            2,
            "error: iban: is not an IBAN\n",
        ),
        (
            SourceError(
                [
                    SourceProblem("a.yaml", "bad", ("agreement",), 3, 5),
                    SourceProblem("a.yaml", "worse", ("terms",), 7, 1),
                ]
            ),
            2,
            "error: a.yaml:3:5 agreement: bad\nerror: a.yaml:7:1 terms: worse\n",
        ),
        (ClockError("events out of order"), 2, "error: events out of order\n"),
        (Unavailable(BUSY), 75, f"error: {BUSY}\n"),
        (
            PdfRenderError("typst could not render the invoice: boom"),
            70,
            "error: internal error (PdfRenderError: typst could not render the"
            " invoice: boom); this is a bug in slakeeper, please report it\n",
        ),
    ],
)
def test_each_error_gets_its_lines_and_exit_code(
    error: BaseException, code: int, err: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert report_error(error) == code
    assert capsys.readouterr().err == err


@pytest.mark.parametrize(
    ("raised", "code"),
    [
        (Unavailable(BUSY), EXIT_TRY_AGAIN),
        (InvalidInput("no"), EXIT_BAD_INPUT),
        (PdfRenderError("boom"), EXIT_BUG),
        (KeyError("boom"), EXIT_BUG),
    ],
)
def test_the_command_line_exits_with_the_errors_code(
    raised: BaseException,
    code: int,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    (tmp_path / "cal.yaml").write_text(
        'timezone: UTC\nhours: {mon-fri: "09:00-17:00"}\n', encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)

    def fail(*args: object) -> None:
        raise raised

    monkeypatch.setattr(WorkCalendar, "between", fail)
    with pytest.raises(SystemExit) as caught:
        main(ARGS)
    assert caught.value.code == code
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("error: ")
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("url", "said"),
    [
        ("nonsense", "'nonsense' is not a database URL"),
        ("mysql://someone@127.0.0.1/db", "mysql is not supported"),
        ("sqlite:///{dir}/junk.db", "junk.db is not an SQLite database"),
        ("sqlite:///{dir}/new.db", "has no slakeeper tables yet (`slakeeper init`"),
    ],
)
def test_a_database_slakeeper_cannot_use_is_one_line_and_exit_2(
    tmp_path: Path, url: str, said: str
) -> None:
    """First run: no database yet, a URL that is none, a database slakeeper
    does not run on, a file that is not a database: what to do, never a bug."""
    (tmp_path / "junk.db").write_text("not a database\n")
    result = runner.invoke(
        app,
        ["status"],
        env={"SLAKEEPER_DATABASE_URL": url.format(dir=tmp_path)},
    )
    assert result.exit_code == 2, result.output
    assert said in result.output
    assert "bug" not in result.output
    assert "Traceback" not in result.output
