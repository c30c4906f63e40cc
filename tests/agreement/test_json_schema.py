"""The published JSON Schema accepts what slakeeper accepts, for editors."""

import json
from datetime import date
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from slakeeper.yamlsource import load_yaml

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "schema" / "agreement.schema.json").read_text("utf-8"))


def as_json(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): as_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_json(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


def test_the_example_agreement_validates_against_the_json_schema():
    data = as_json(load_yaml(ROOT / "examples" / "agreement.yaml").plain())
    jsonschema.validate(data, SCHEMA)


def test_calendar_keys_are_described_for_editors():
    data = as_json(load_yaml(ROOT / "examples" / "agreement.yaml").plain())
    data["calendars"]["office"]["colour"] = "blue"
    with pytest.raises(jsonschema.ValidationError, match="colour"):
        jsonschema.validate(data, SCHEMA)
