"""`slakeeper agreement diff OLD NEW`: the command around `diff_agreements`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from slakeeper.cli.agreement_diff import diff
from slakeeper.yamlsource import SourceError

EXAMPLE = Path(__file__).parents[2] / "examples" / "agreement.yaml"

app = typer.Typer()
app.command("diff")(diff)
app.command("other")(lambda: None)  # two commands: "diff" stays a subcommand
runner = CliRunner()


def changed_copy(tmp_path: Path) -> Path:
    text = EXAMPLE.read_text(encoding="utf-8")
    for old, new in (
        ("    response: 4h\n", "    response: 2h\n"),
        ('{amount: "1500.00", currency: EUR}', '{amount: "1800.00", currency: EUR}'),
    ):
        assert old in text
        text = text.replace(old, new, 1)
    path = tmp_path / "new.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_markdown_by_default(tmp_path: Path) -> None:
    new = changed_copy(tmp_path)
    result = runner.invoke(app, ["diff", str(EXAMPLE), str(new)])
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        f"# Changes from {EXAMPLE} to {new}\n"
        "\n"
        "## Priorities\n"
        "\n"
        "- High response time: 4 working hours -> 2 working hours\n"
        "\n"
        "## Accountability\n"
        "\n"
        "- Monthly fee: EUR 1,500.00 -> EUR 1,800.00\n"
    )


def test_json(tmp_path: Path) -> None:
    new = changed_copy(tmp_path)
    result = runner.invoke(app, ["diff", str(EXAMPLE), str(new), "--format", "json"])
    assert result.exit_code == 0, result.output
    changes = json.loads(result.stdout)["changes"]
    assert [c["path"] for c in changes] == [
        ["priorities", "high", "response"],
        ["accountability", "service_credits", "monthly_fee"],
    ]
    assert changes[1] == {
        "section": "Accountability",
        "path": ["accountability", "service_credits", "monthly_fee"],
        "kind": "changed",
        "old": "EUR 1,500.00",
        "new": "EUR 1,800.00",
        "text": "Monthly fee: EUR 1,500.00 -> EUR 1,800.00",
    }


@pytest.mark.parametrize(("fmt", "expected"), [("md", "No changes."), ("json", "[]")])
def test_no_changes_still_exits_0(fmt: str, expected: str) -> None:
    result = runner.invoke(app, ["diff", str(EXAMPLE), str(EXAMPLE), "--format", fmt])
    assert result.exit_code == 0, result.output
    assert expected in result.stdout


def test_an_unknown_format_is_a_usage_error() -> None:
    result = runner.invoke(app, ["diff", str(EXAMPLE), str(EXAMPLE), "--format", "x"])
    assert result.exit_code == 2
    assert "'x' is not one of md, json" in result.output


def test_a_file_that_does_not_load_raises_source_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("agreement: {title: 1}\n", encoding="utf-8")
    result = runner.invoke(app, ["diff", str(EXAMPLE), str(bad)])
    assert isinstance(result.exception, SourceError)
    assert any("bad.yaml" in str(p) for p in result.exception.problems)
    missing = tmp_path / "missing.yaml"
    result = runner.invoke(app, ["diff", str(missing), str(EXAMPLE)])
    assert isinstance(result.exception, SourceError)
