"""yamlsource: positions of fields, plain data, and errors that point at the file."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from slakeeper.yamlsource import (
    SourceError,
    SourceProblem,
    format_path,
    load_yaml,
    parse_yaml,
    position_of,
    to_plain,
)

AGREEMENT = """\
# an agreement
calendars:
  office:
    timezone: Europe/Berlin
    hours: {mon-fri: "09:00-12:30, 13:30-17:30"}
    holidays: {country: DE, dates: [2027-12-24, 2027-12-31]}
    open:
      2027-12-27: 10:00-14:00
  on_call:
    timezone: Europe/Berlin
    hours:
      mon-sun: 07:00-22:00
contacts:
  - name: Jane
    email: jane@example.com
  - {name: Max}
  - plain
"""


@pytest.fixture
def data() -> object:
    return parse_yaml(AGREEMENT, file="acme.yaml").data


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        # scalars point at their value
        (("calendars", "office", "timezone"), (4, 15)),
        (("calendars", "office", "hours", "mon-fri"), (5, 22)),
        (("calendars", "office", "holidays", "dates", 1), (6, 49)),
        (("calendars", "on_call", "hours", "mon-sun"), (12, 16)),
        (("contacts", 0, "email"), (15, 12)),
        (("contacts", 2), (17, 5)),
        # mappings and sequences held in a mapping point at their key
        (("calendars",), (2, 1)),
        (("calendars", "office"), (3, 3)),
        (("calendars", "office", "hours"), (5, 5)),
        (("calendars", "on_call", "hours"), (11, 5)),
        (("calendars", "office", "holidays", "dates"), (6, 29)),
        # sequence items point at the item
        (("contacts", 1), (16, 5)),
        (("contacts", -1), (17, 5)),
        # a key written as a date is found by its text
        (("calendars", "office", "open", "2027-12-27"), (8, 19)),
        # the root
        ((), (2, 1)),
    ],
)
def test_it_finds_the_position_of_a_field(data, path, expected):
    assert position_of(data, path) == expected


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (("calendars", "office", "timezone"), (4, 5)),
        (("calendars", "office", "hours", "mon-fri"), (5, 13)),
        (("calendars", "office", "open", "2027-12-27"), (8, 7)),
    ],
)
def test_it_finds_the_position_of_a_key(data, path, expected):
    assert position_of(data, path, key=True) == expected


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        # a missing key: the nearest parent that exists (at its key)
        (("calendars", "office", "business_day"), (3, 3)),
        (("calendars", "office", "hours", "mon"), (5, 5)),
        (("calendars", "nope", "timezone"), (2, 1)),
        # past the end of a sequence, or a key into a sequence
        (("calendars", "office", "holidays", "dates", 5), (6, 29)),
        (("contacts", "name"), (13, 1)),
        # below a scalar
        (("calendars", "office", "timezone", "x"), (4, 15)),
        # nothing exists: the root
        (("nope",), (2, 1)),
    ],
)
def test_it_falls_back_to_the_nearest_existing_parent(data, path, expected):
    assert position_of(data, path) == expected


def test_it_gives_1_1_for_data_without_positions():
    assert position_of({"a": 1}, ("a",)) == (1, 1)
    assert position_of(None, ("a",)) == (1, 1)


def test_a_merged_key_points_where_its_anchor_defines_it():
    doc = parse_yaml("base: &b\n  tz: UTC\nreal:\n  <<: *b\n  hours: x\n")
    assert doc.position(("real", "hours")) == (5, 10)
    assert doc.position(("real", "tz")) == (2, 7)
    assert doc.position(("real", "tz"), key=True) == (2, 3)


def test_a_problem_prints_as_file_line_column_path_and_message():
    doc = parse_yaml(AGREEMENT, file="acme.yaml")
    problem = doc.problem(("calendars", "office", "hours", "mon-fri"), "bad window")
    assert problem == SourceProblem(
        "acme.yaml",
        "bad window",
        ("calendars", "office", "hours", "mon-fri"),
        5,
        22,
    )
    assert str(problem) == "acme.yaml:5:22 calendars.office.hours.mon-fri: bad window"


def test_a_problem_without_path_or_position_prints_what_it_has():
    assert str(SourceProblem("a.yaml", "no such file")) == "a.yaml: no such file"
    assert str(SourceProblem("a.yaml", "oops", (), 3, 4)) == "a.yaml:3:4: oops"
    assert str(SourceProblem("a.yaml", "oops", ("x",))) == "a.yaml x: oops"


def test_a_source_error_lists_every_problem():
    first = SourceProblem("a.yaml", "one", ("x",), 1, 1)
    second = SourceProblem("a.yaml", "two", ("y", 0), 2, 3)
    error = SourceError([first, second])
    assert error.problems == (first, second)
    assert str(error) == "a.yaml:1:1 x: one\na.yaml:2:3 y[0]: two"
    assert isinstance(error, ValueError)


def test_a_source_error_needs_a_problem():
    with pytest.raises(ValueError, match="at least one problem"):
        SourceError([])


def test_document_error_carries_one_positioned_problem():
    doc = parse_yaml(AGREEMENT, file="acme.yaml")
    error = doc.error(("calendars",), "no calendar named 'x'", key=True)
    assert str(error) == "acme.yaml:2:1 calendars: no calendar named 'x'"


def test_format_path_writes_dots_and_indexes():
    assert format_path(("calendars", "office", "holidays", "dates", 2)) == (
        "calendars.office.holidays.dates[2]"
    )
    assert format_path((0, "a")) == "[0].a"
    assert format_path(()) == ""


@pytest.mark.parametrize(
    ("text", "line", "column", "message"),
    [
        ("a: b: c\n", 1, 5, "YAML syntax error: mapping values are not allowed here"),
        (
            "a: [1, 2\n",
            2,
            1,
            "YAML syntax error: expected ',' or ']', but got '<stream end>'"
            " (while parsing a flow sequence at line 1, column 4)",
        ),
        (
            "a: 1\na: 2\n",
            2,
            1,
            'YAML syntax error: found duplicate key "a" with value "2"'
            ' (original value: "1") (while constructing a mapping at line 1, column 1)',
        ),
        (
            "x:\n\tfoo: 1\n",
            2,
            1,
            "YAML syntax error: found character '\\t' that cannot start any token"
            " (while scanning for the next token)",
        ),
        ("a: *nope\n", 1, 4, "YAML syntax error: found undefined alias 'nope'"),
    ],
)
def test_a_syntax_error_points_where_the_parser_stopped(text, line, column, message):
    with pytest.raises(SourceError) as caught:
        parse_yaml(text, file="bad.yaml")
    (problem,) = caught.value.problems
    assert problem == SourceProblem("bad.yaml", message, (), line, column)


def test_load_yaml_reads_a_file_and_names_it_as_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "acme.yaml").write_text(AGREEMENT, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    doc = load_yaml("acme.yaml")
    assert doc.file == "acme.yaml"
    assert doc.position(("calendars", "office", "timezone")) == (4, 15)
    assert load_yaml(tmp_path / "acme.yaml", name="shown.yaml").file == "shown.yaml"


def test_load_yaml_reports_a_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "missing.yaml"
    with pytest.raises(SourceError) as caught:
        load_yaml(path)
    assert str(caught.value) == f"{path}: no such file"


def test_load_yaml_reports_a_directory(tmp_path: Path) -> None:
    with pytest.raises(SourceError) as caught:
        load_yaml(tmp_path)
    assert str(caught.value) == f"{tmp_path}: is a directory, not a file"


def test_load_yaml_reports_text_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes("name: Müller\n".encode("latin-1"))
    with pytest.raises(SourceError) as caught:
        load_yaml(path)
    assert str(caught.value) == f"{path}: is not UTF-8 text (byte 7 is invalid)"


def test_load_yaml_reports_a_syntax_error_with_the_file_name(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("a:\n  - x\n  y: 1\n", encoding="utf-8")
    with pytest.raises(SourceError) as caught:
        load_yaml(path, name="bad.yaml")
    assert str(caught.value) == (
        "bad.yaml:3:3: YAML syntax error: expected <block end>, but found '?'"
        " (while parsing a block collection at line 2, column 3)"
    )


def test_to_plain_gives_plain_types_and_keeps_dates():
    doc = parse_yaml(
        "d: 2027-01-01\n"
        "ts: 2027-01-01T09:00:00+01:00\n"
        "naive: 2027-01-01 09:00:00\n"
        "b: true\n"
        "i: 0o17\n"
        "f: 1.5\n"
        "s: 'quoted'\n"
        "n: null\n"
        "l: [1, {x: [2027-12-24]}]\n"
        "2027-12-27: open\n"
        "t: !custom tagged\n"
    )
    plain = to_plain(doc.data)
    assert plain == {
        "d": date(2027, 1, 1),
        "ts": datetime(2027, 1, 1, 8, 0, tzinfo=UTC),
        "naive": datetime(2027, 1, 1, 9, 0, tzinfo=UTC).replace(tzinfo=None),
        "b": True,
        "i": 15,
        "f": 1.5,
        "s": "quoted",
        "n": None,
        "l": [1, {"x": [date(2027, 12, 24)]}],
        date(2027, 12, 27): "open",
        "t": "tagged",
    }
    assert type(plain) is dict
    assert type(plain["l"]) is list
    assert type(plain["i"]) is int
    assert type(plain["f"]) is float
    assert type(plain["b"]) is bool
    assert type(plain["s"]) is str
    assert type(plain["ts"]) is datetime
    assert plain["ts"].utcoffset() == timedelta(hours=1)
    assert plain["ts"].tzinfo == timezone(timedelta(hours=1))
    assert doc.plain() == plain


def test_to_plain_passes_other_values_through():
    marker = object()
    assert to_plain(marker) is marker
    assert to_plain((1, 2)) == [1, 2]


def test_an_impossible_unquoted_date_is_a_clear_error():
    with pytest.raises(SourceError) as info:
        parse_yaml("# 2027-02-31 in a comment\ndates: [2027-02-30]\n", file="bad.yaml")
    assert str(info.value) == (
        "bad.yaml:2:9: 2027-02-30 is not a date: day is out of range for month"
    )
