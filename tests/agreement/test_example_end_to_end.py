"""Issue 3's definition of done, on the files users start from: the example and
every template load, check clean but for their placeholders, render to all three
formats in plain English, and diff against a changed copy."""

from pathlib import Path

import pytest
from pypdf import PdfReader
from typer.testing import CliRunner

from slakeeper.agreement import canonical_sha256, load, load_document
from slakeeper.agreement.readability import contract_prose, reading_ease
from slakeeper.agreement.render import build_contract
from slakeeper.agreement.templates import list_templates, template_text
from slakeeper.cli import app
from tests.agreement.test_load import EXAMPLE

runner = CliRunner()


def sources(tmp_path: Path) -> list[Path]:
    paths = [EXAMPLE]
    for name in list_templates():
        path = tmp_path / f"{name}.yaml"
        path.write_text(template_text(name), encoding="utf-8")
        paths.append(path)
    return paths


def test_each_file_checks_clean_but_for_its_placeholders(tmp_path):
    for path in sources(tmp_path):
        args = ["agreement", "check", str(path), "--today", "2027-01-01"]
        result = runner.invoke(app, args)
        assert result.exit_code == 0, result.output
        found = [line for line in result.output.splitlines() if " SLA" in line]
        assert found, path  # the people of each are at example domains
        assert all(" warning SLA019 " in line for line in found), found
        # --strict fails until they are replaced
        assert runner.invoke(app, [*args, "--strict"]).exit_code == 1


@pytest.mark.parametrize("fmt", ["md", "html", "pdf"])
def test_each_file_renders(tmp_path, fmt):
    for path in sources(tmp_path):
        out = tmp_path / f"{path.stem}.{fmt}"
        result = runner.invoke(
            app, ["agreement", "render", str(path), "--format", fmt, "--out", str(out)]
        )
        assert result.exit_code == 0, result.output
        if fmt == "pdf":
            text = "".join(page.extract_text() for page in PdfReader(out).pages)
        else:
            text = out.read_text(encoding="utf-8")
        assert load(path).agreement.title in text.replace("\n", " ")
        assert canonical_sha256(load(path)) in text.replace("\n", "")
    pdf_text = (
        " ".join(
            "".join(
                p.extract_text() for p in PdfReader(tmp_path / "agreement.pdf").pages
            ).split()
        )
        if fmt == "pdf"
        else ""
    )
    if fmt == "pdf":
        assert "We reply to critical requests within 1 working hour" in pdf_text


def test_each_file_reads_plainly(tmp_path):
    for path in sources(tmp_path):
        score = reading_ease(contract_prose(build_contract(load_document(path))))
        assert score.score >= 50, (path.name, score)


def test_the_example_diffs_against_a_changed_copy(tmp_path):
    changed = tmp_path / "v2.yaml"
    changed.write_text(
        EXAMPLE.read_text(encoding="utf-8")
        .replace("response: 1h", "response: 30m")
        .replace('amount: "1500.00"', 'amount: "1800.00"'),
        encoding="utf-8",
    )
    result = runner.invoke(app, ["agreement", "diff", str(EXAMPLE), str(changed)])
    assert result.exit_code == 0, result.output
    assert "Critical response time: 1 working hour -> 30 working minutes" in (
        result.output
    )
    assert "EUR 1,500.00 -> EUR 1,800.00" in result.output
    assert load(EXAMPLE).sha256 != load(changed).sha256
