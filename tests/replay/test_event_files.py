"""Reading events to replay (mlmeta.local.event_files): one event, an array, JSON Lines; whatever cannot
be an event becomes an input with a problem (replay quarantines it), never an exception."""

from __future__ import annotations

import json

import pytest

from mlmeta.local.event_files import EventFileError, EventInput, check_readable, read_events

A = {"id": "a", "source": "aws.sagemaker"}
B = {"id": "b", "source": "aws.events"}


def read(tmp_path, name: str, content: str | bytes) -> list[EventInput]:
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    return list(read_events([path]))


def test_one_event_pretty_printed(tmp_path):
    (item,) = read(tmp_path, "one.json", json.dumps(A, indent=2))
    assert (item.event, item.problem) == (A, None)
    assert item.origin.endswith("one.json")


def test_an_array_of_events(tmp_path):
    items = read(tmp_path, "many.json", json.dumps([A, B]))
    assert [i.event for i in items] == [A, B]
    assert [i.origin.rsplit("/", 1)[1] for i in items] == ["many.json[0]", "many.json[1]"]


def test_json_lines_with_blank_lines_and_a_broken_line(tmp_path):
    items = read(tmp_path, "events.jsonl", f"{json.dumps(A)}\n\n{{broken\n{json.dumps(B)}\n")
    assert [(i.origin.rsplit("/", 1)[1], i.problem is None) for i in items] == [
        ("events.jsonl:1", True),
        ("events.jsonl:3", False),
        ("events.jsonl:4", True),
    ]
    assert items[1].event == "{broken"
    assert items[1].problem.startswith("line 3 is not JSON")


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("42", "the event is a number, not a JSON object"),
        ('"text"', "the event is a string, not a JSON object"),
        ("null", "the event is null, not a JSON object"),
        ("[1, {\"id\": \"x\"}]", "the event is a number, not a JSON object"),
    ],
)
def test_json_that_is_not_an_object_is_a_problem(tmp_path, content, problem):
    items = read(tmp_path, "odd.json", content)
    assert items[0].problem == problem


def test_a_file_that_is_neither_json_nor_json_lines_is_one_problem_not_one_per_line(tmp_path):
    truncated = json.dumps(A, indent=2)[:-3]
    (item,) = read(tmp_path, "truncated.json", truncated)
    assert item.problem.startswith("neither JSON nor JSON Lines")
    assert item.event == truncated


def test_a_file_that_is_not_utf8_is_a_problem(tmp_path):
    (item,) = read(tmp_path, "binary.json", b'{"id": "\xff\xfe"}')
    assert item.problem.startswith("not UTF-8 text")


def test_an_empty_file_holds_no_events(tmp_path):
    assert read(tmp_path, "empty.json", "  \n") == []


def test_files_are_read_in_order(tmp_path):
    first, second = tmp_path / "1.json", tmp_path / "2.json"
    first.write_text(json.dumps(B))
    second.write_text(json.dumps(A))
    assert [i.event["id"] for i in read_events([first, second])] == ["b", "a"]


def test_a_missing_file_or_a_directory_is_an_error_naming_it(tmp_path):
    with pytest.raises(EventFileError, match="nope.json does not exist or is not a file"):
        check_readable([tmp_path / "nope.json"])
    with pytest.raises(EventFileError, match="is not a file"):
        check_readable([tmp_path])
