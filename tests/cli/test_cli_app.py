"""The root `slakeeper` command: help, version, and how errors reach the user."""

from __future__ import annotations

import errno
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from slakeeper import __version__
from slakeeper.cli import EXIT_BUG, app, main, report_error
from slakeeper.core import CalendarSpecError, SpecProblem, WorkCalendar

runner = CliRunner()

SPEC = 'timezone: Europe/Berlin\nhours: {mon-fri: "09:00-17:00"}\n'
ARGS = ["calendar", "between", "-c", "cal.yaml", "--from", "2027-01-04T09:00"]
ARGS += ["--to", "2027-01-04T10:00"]


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "cal.yaml").write_text(SPEC, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_help_lists_the_command_groups():
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    assert "Usage: slakeeper" in result.stdout
    assert "calendar" in result.stdout
    assert (
        "Exit codes: 0 ok, 1 the command found problems, 2 bad input" in result.stdout
    )


def test_short_help_works_too():
    result = runner.invoke(app, ["calendar", "-h"])
    assert result.exit_code == 0
    for command in ("due", "between", "show"):
        assert command in result.stdout


def test_version_prints_the_package_version():
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout == f"slakeeper {__version__}\n"


def test_no_command_shows_the_help_as_a_usage_error():
    result = runner.invoke(app, [])
    assert result.exit_code == 2
    assert "Usage: slakeeper" in result.stdout


def test_an_unknown_command_is_a_one_line_usage_error():
    result = runner.invoke(app, ["calendar", "bogus"])
    assert result.exit_code == 2
    assert result.stderr == (
        "error: No such command 'bogus'. See 'slakeeper calendar --help'.\n"
    )


def test_python_dash_m_runs_the_same_command_line():
    done = subprocess.run(
        [sys.executable, "-m", "slakeeper", "--version"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0
    assert done.stdout == f"slakeeper {__version__}\n"


def test_main_exits_with_the_command_exit_code(in_tmp, capsys):
    with pytest.raises(SystemExit) as caught:
        main(ARGS)
    assert caught.value.code == 0
    assert capsys.readouterr().out.startswith("1h of working time\n")


def test_main_exits_2_with_one_line_for_bad_input(in_tmp, capsys):
    with pytest.raises(SystemExit) as caught:
        main(["calendar", "between", "-c", "missing.yaml", "--from", "x", "--to", "y"])
    assert caught.value.code == 2
    assert capsys.readouterr().err == "error: missing.yaml: no such file\n"


def test_main_turns_a_bug_into_one_line_without_a_traceback(
    in_tmp, capsys, monkeypatch
):
    def boom(*args: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(WorkCalendar, "between", boom)
    with pytest.raises(SystemExit) as caught:
        main(ARGS)
    assert caught.value.code == EXIT_BUG
    captured = capsys.readouterr()
    assert captured.err == (
        "error: internal error (RuntimeError: boom);"
        " this is a bug in slakeeper, please report it\n"
    )
    assert "Traceback" not in captured.out + captured.err


def test_main_exits_130_when_interrupted(in_tmp, monkeypatch):
    def interrupt(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(WorkCalendar, "between", interrupt)
    with pytest.raises(SystemExit) as caught:
        main(ARGS)
    assert caught.value.code == 130


def test_a_closed_pipe_ends_quietly_with_exit_1(in_tmp, monkeypatch):
    def broken_pipe(*args: object) -> None:
        raise BrokenPipeError(errno.EPIPE, "Broken pipe")

    monkeypatch.setattr(WorkCalendar, "between", broken_pipe)
    result = runner.invoke(app, ARGS)
    assert result.exit_code == 1
    assert result.stderr == ""


def test_other_os_errors_are_one_line_with_exit_2(in_tmp, monkeypatch):
    def disk_full(*args: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(WorkCalendar, "between", disk_full)
    result = runner.invoke(app, ARGS)
    assert result.exit_code == 2
    assert result.stderr == "error: No space left on device\n"


def test_an_abort_prints_aborted_and_exits_1(in_tmp, monkeypatch):
    def eof(*args: object) -> None:
        raise EOFError

    monkeypatch.setattr(WorkCalendar, "between", eof)
    result = runner.invoke(app, ARGS)
    assert result.exit_code == 1
    assert result.stderr.endswith("Aborted.\n")


def test_an_engine_spec_error_without_a_file_prints_each_problem(capsys):
    error = CalendarSpecError(
        [SpecProblem(("hours", "mon"), "bad"), SpecProblem(("timezone",), "missing")]
    )
    assert report_error(error) == 2
    assert capsys.readouterr().err == (
        "error: hours.mon: bad\nerror: timezone: missing\n"
    )


def test_a_standalone_false_caller_gets_the_exit_code_back(in_tmp):
    from typer.main import get_command

    command = get_command(app)
    assert command.main(ARGS, standalone_mode=False) == 0
    assert command.main(["calendar", "bogus"], standalone_mode=False) == 2
