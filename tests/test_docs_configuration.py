"""Every setting has a heading in docs/configuration.md."""

from pathlib import Path

from slakeeper.settings import Settings

DOC = Path(__file__).resolve().parent.parent / "docs" / "configuration.md"


def test_every_setting_has_a_heading_and_its_variable():
    text = DOC.read_text(encoding="utf-8")
    headings = {
        line[3:].strip() for line in text.splitlines() if line.startswith("## ")
    }
    for name, field in Settings.model_fields.items():
        assert name in headings, f"docs/configuration.md lacks '## {name}'"
        assert f"`SLAKEEPER_{name.upper()}`" in text
        assert field.description, f"Settings.{name} has no description"


def test_no_heading_names_a_setting_that_does_not_exist():
    text = DOC.read_text(encoding="utf-8")
    headings = {
        line[3:].strip() for line in text.splitlines() if line.startswith("## ")
    }
    assert headings == set(Settings.model_fields)
