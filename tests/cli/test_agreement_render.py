"""`render FILE --format md|html|pdf [--out FILE] [--stats]`, on a throwaway app."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from slakeeper.cli.agreement_render import render
from slakeeper.yamlsource import SourceError

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "agreement.yaml"

app = typer.Typer()
app.command("render")(render)
app.command("other")(lambda: None)  # two commands: `render` stays a subcommand

runner = CliRunner()


def test_markdown_goes_to_stdout_by_default() -> None:
    result = runner.invoke(app, ["render", str(EXAMPLE)])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("# Website care and development for Acme GmbH")
    assert "We reply to critical requests within 1 working hour" in result.stdout


def test_html_to_a_file(tmp_path: Path) -> None:
    out = tmp_path / "contract.html"
    result = runner.invoke(
        app, ["render", str(EXAMPLE), "--format", "html", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    text = out.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>")
    assert "EUR 1,500.00" in text


def test_stats_go_to_stderr() -> None:
    result = runner.invoke(app, ["render", str(EXAMPLE), "--stats"])
    assert result.exit_code == 0
    assert "reading ease:" in result.stderr
    assert "words" in result.stderr
    assert "sentences" in result.stderr
    assert "reading ease" not in result.stdout
    score = float(result.stderr.split("reading ease:")[1].split()[0])
    assert score >= 50


def test_pdf_defaults_to_name_pdf_beside_the_input(tmp_path: Path) -> None:
    pytest.importorskip("typst")
    source = tmp_path / "acme.yaml"
    shutil.copy(EXAMPLE, source)
    result = runner.invoke(app, ["render", str(source), "--format", "pdf"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "acme.pdf").read_bytes().startswith(b"%PDF")


def test_an_unknown_format_is_a_usage_error() -> None:
    result = runner.invoke(app, ["render", str(EXAMPLE), "--format", "docx"])
    assert result.exit_code == 2
    assert "docx" in result.output


def test_loading_errors_propagate(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("agreement: {title: x}\n", encoding="utf-8")
    result = runner.invoke(app, ["render", str(bad)])
    assert isinstance(result.exception, SourceError)
    assert "bad.yaml" in str(result.exception)
