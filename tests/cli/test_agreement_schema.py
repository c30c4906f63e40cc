"""`slakeeper agreement schema`: the JSON Schema of agreement files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from slakeeper.cli import app
from slakeeper.cli.agreement import agreement_json_schema_text

runner = CliRunner()


def test_prints_the_schema_as_json() -> None:
    result = runner.invoke(app, ["agreement", "schema"])
    assert result.exit_code == 0, result.output
    schema = json.loads(result.stdout)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["title"] == "slakeeper agreement file"
    assert "$id" not in schema
    assert "agreement" in schema["properties"]
    assert "agreement" in schema["required"]
    assert result.stdout == agreement_json_schema_text()


def test_out_writes_the_file_and_prints_nothing(tmp_path: Path) -> None:
    out = tmp_path / "agreement.schema.json"
    result = runner.invoke(app, ["agreement", "schema", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert json.loads(out.read_text(encoding="utf-8"))["properties"]["agreement"]
    assert out.read_text(encoding="utf-8") == agreement_json_schema_text()


@pytest.mark.parametrize("where", ["missing/dir/schema.json", "."])
def test_an_unwritable_out_is_a_one_line_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["agreement", "schema", "--out", where])
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("error: ")
    assert where in lines[0]


def test_the_group_lists_its_commands() -> None:
    result = runner.invoke(app, ["agreement", "--help"])
    assert result.exit_code == 0
    assert "schema" in result.stdout
