"""docs/agreement-format.md and schema/agreement.schema.json are generated from
the agreement models and must match them."""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path
from types import ModuleType

import pytest

from slakeeper.agreement.schema import Agreement

ROOT = Path(__file__).resolve().parent.parent
RUN = "run `python scripts/gen_agreement_docs.py`"


@pytest.fixture(scope="module")
def gen() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "gen_agreement_docs", ROOT / "scripts" / "gen_agreement_docs.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8") if path.exists() else ""


def test_agreement_format_md_is_current(gen: ModuleType) -> None:
    assert _read(gen.DOC) == gen.render_docs(), (
        f"docs/agreement-format.md is out of date: {RUN}"
    )


def test_agreement_schema_json_is_current(gen: ModuleType) -> None:
    assert _read(gen.SCHEMA) == gen.render_schema(), (
        f"schema/agreement.schema.json is out of date: {RUN}"
    )


def test_the_docs_cover_every_field_of_every_section(gen: ModuleType) -> None:
    text = _read(gen.DOC)
    for heading in ("### Top level", "### `agreement`", "### `priorities.<name>`"):
        assert heading in text
    assert "### `milestones[]`" in text
    assert "### `agreement.provider`, `agreement.client`" in text
    for section in gen._sections(Agreement):
        for name in section.model.model_fields:
            assert f"| `{name}` |" in text, (section.heading, name)


def test_the_docs_name_value_types_in_words(gen: ModuleType) -> None:
    text = _read(gen.DOC)
    assert "| `response` | working time (4h, 90m, 2bd) | optional |" in text
    assert "| `notice` | calendar period (14 days) | optional |" in text
    assert "| `at_least` | percentage (95%) | **required** |" in text
    assert '| `fee` | money ("1500.00") | optional |' in text
    assert "role (provider.lead) or list of role (provider.lead)" in text
    assert "one of: `automatic`, `manual`, `none` | default `none`" in text
    assert "| `pause_on` | list of text | default `[waiting_on_client]` |" in text
    assert "sla-clock.md#2-business-calendars" in text
    assert "# yaml-language-server: $schema=../schema/agreement.schema.json" in text


def test_every_link_inside_the_page_has_a_target(gen: ModuleType) -> None:
    text = _read(gen.DOC)
    anchors = {
        gen._slug(line.lstrip("#")) for line in text.splitlines() if line[:1] == "#"
    }
    targets = set(re.findall(r"\]\(#([^)]+)\)", text))
    assert targets
    assert targets <= anchors


def test_relative_links_point_at_files_that_exist(gen: ModuleType) -> None:
    for target in re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", _read(gen.DOC)):
        assert (gen.DOC.parent / target).exists(), target


def test_the_schema_file_is_draft_2020_12_and_names_the_sections(
    gen: ModuleType,
) -> None:
    schema = json.loads(_read(gen.SCHEMA))
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert "$id" not in schema
    assert schema["title"]
    assert {"agreement", "calendars", "billing"} <= set(schema["properties"])


def test_check_mode_reports_a_stale_file(
    gen: ModuleType,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(gen, "ROOT", tmp_path)
    monkeypatch.setattr(gen, "DOC", tmp_path / "docs" / "agreement-format.md")
    monkeypatch.setattr(gen, "SCHEMA", tmp_path / "schema" / "agreement.schema.json")
    assert gen.main(["--check"]) == 1
    assert "run python scripts/gen_agreement_docs.py" in capsys.readouterr().err
    assert gen.main([]) == 0
    assert gen.main(["--check"]) == 0
    gen.DOC.write_text("stale\n", encoding="utf-8")
    assert gen.main(["--check"]) == 1
    assert "docs/agreement-format.md is out of date" in capsys.readouterr().err
