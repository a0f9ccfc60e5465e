"""EventBridge pattern matching (mlmeta.events.patterns) against EventBridge's documented semantics
("Event patterns", "Arrays in event patterns", "Comparison operators"): table tests of each rule, and
properties that must hold for any event."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlmeta.events.patterns import PatternError, check_pattern, matches

EVENT = {
    "source": "aws.sagemaker",
    "detail-type": "SageMaker Model Building Pipeline Execution Status Change",
    "resources": ["arn:aws:sagemaker:us-east-1:1:pipeline/a", "arn:aws:sagemaker:us-east-1:1:pipeline/a/execution/x"],
    "detail": {
        "currentPipelineExecutionStatus": "Succeeded",
        "pipelineArn": "arn:aws:sagemaker:us-east-1:1:pipeline/churn-prediction-dev",
        "count": 5,
        "ratio": 0.5,
        "flag": True,
        "nothing": None,
        "empty": "",
        "tags": ["blue", "green"],
        "steps": [{"name": "train", "status": "Failed"}, {"name": "evaluate", "status": "Succeeded"}],
        "nested": {"deep": {"value": "x"}},
    },
}


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        # Exact values; fields AND, list entries OR.
        ({"source": ["aws.sagemaker"]}, True),
        ({"source": ["aws.ec2"]}, False),
        ({"source": ["aws.ec2", "aws.sagemaker"]}, True),
        ({"source": ["aws.sagemaker"], "detail": {"currentPipelineExecutionStatus": ["Failed"]}}, False),
        ({"source": ["aws.sagemaker"], "detail": {"currentPipelineExecutionStatus": ["Failed", "Succeeded"]}}, True),
        # Case-sensitive, character for character.
        ({"source": ["AWS.sagemaker"]}, False),
        # A field the event lacks matches nothing.
        ({"detail": {"missing": ["x"]}}, False),
        ({"missing": {"deeper": ["x"]}}, False),
        # JSON types: numbers by value, no string/number or boolean/number coercion.
        ({"detail": {"count": [5]}}, True),
        ({"detail": {"count": [5.0]}}, True),
        ({"detail": {"count": ["5"]}}, False),
        ({"detail": {"flag": [True]}}, True),
        ({"detail": {"flag": [1]}}, False),
        ({"detail": {"count": [True]}}, False),
        # null and "" are values, matched by null and "".
        ({"detail": {"nothing": [None]}}, True),
        ({"detail": {"missing": [None]}}, False),
        ({"detail": {"empty": [""]}}, True),
        ({"detail": {"nothing": [""]}}, False),
        # Arrays in the event: a match if any element matches.
        ({"resources": ["arn:aws:sagemaker:us-east-1:1:pipeline/a"]}, True),
        ({"detail": {"tags": ["green", "red"]}}, True),
        ({"detail": {"tags": ["red"]}}, False),
        # Arrays of objects: the nested pattern matches within one element.
        ({"detail": {"steps": {"name": ["train"], "status": ["Failed"]}}}, True),
        ({"detail": {"steps": {"name": ["train"], "status": ["Succeeded"]}}}, False),
        # An object is not a leaf value.
        ({"detail": {"nested": ["x"]}}, False),
        ({"detail": {"nested": {"deep": {"value": ["x"]}}}}, True),
        # prefix / suffix / equals-ignore-case match strings only.
        ({"detail": {"pipelineArn": [{"prefix": "arn:aws:sagemaker:"}]}}, True),
        ({"detail": {"pipelineArn": [{"suffix": ":pipeline/churn-prediction-dev"}]}}, True),
        ({"detail": {"pipelineArn": [{"suffix": ":pipeline/churn-prediction-prod"}]}}, False),
        ({"detail": {"count": [{"prefix": "5"}]}}, False),
        ({"source": [{"equals-ignore-case": "AWS.SageMaker"}]}, True),
        # anything-but: a value, a list, a prefix or suffix.
        ({"detail": {"currentPipelineExecutionStatus": [{"anything-but": "Failed"}]}}, True),
        ({"detail": {"currentPipelineExecutionStatus": [{"anything-but": ["Failed", "Succeeded"]}]}}, False),
        ({"detail": {"count": [{"anything-but": [4, 6]}]}}, True),
        ({"detail": {"count": [{"anything-but": 5}]}}, False),
        ({"detail": {"pipelineArn": [{"anything-but": {"prefix": "arn:aws:ec2"}}]}}, True),
        ({"detail": {"pipelineArn": [{"anything-but": {"suffix": "-dev"}}]}}, False),
        # ... on an array: any element that is not excluded.
        ({"detail": {"tags": [{"anything-but": "blue"}]}}, True),
        ({"detail": {"tags": [{"anything-but": ["blue", "green"]}]}}, False),
        # ... never on a missing field.
        ({"detail": {"missing": [{"anything-but": "x"}]}}, False),
        # exists: on leaf values.
        ({"detail": {"count": [{"exists": True}]}}, True),
        ({"detail": {"missing": [{"exists": True}]}}, False),
        ({"detail": {"missing": [{"exists": False}]}}, True),
        ({"detail": {"count": [{"exists": False}]}}, False),
        ({"detail": {"nothing": [{"exists": True}]}}, True),
        ({"detail": {"nested": [{"exists": True}]}}, False),
        # Conditions of one field are alternatives.
        ({"detail": {"missing": ["x", {"exists": False}]}}, True),
    ],
)
def test_matching_follows_eventbridge(pattern, expected):
    assert matches(pattern, EVENT) is expected


@pytest.mark.parametrize("event", [None, 42, "text", [], [1, 2], True])
def test_a_value_that_is_not_an_object_is_no_event_and_matches_nothing(event):
    assert matches({"source": ["aws.sagemaker"]}, event) is False
    assert matches({"source": [{"exists": False}]}, event) is False


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ({}, "non-empty JSON object"),
        ([], "non-empty JSON object"),
        ({"source": "aws.sagemaker"}, "field source: expected a nested pattern or a non-empty list"),
        ({"source": []}, "field source: expected a nested pattern or a non-empty list"),
        ({"detail": {}}, "pattern at detail must be a non-empty JSON object"),
        ({"detail": {"x": [{"numeric": [">", 0]}]}}, "field detail.x: operator 'numeric' is not implemented"),
        ({"detail": {"x": [{"wildcard": "*-dev"}]}}, "operator 'wildcard' is not implemented"),
        ({"x": [{"prefix": 1}]}, "prefix takes a string"),
        ({"x": [{"exists": "yes"}]}, "exists takes true or false"),
        ({"x": [{"anything-but": ["a", 1]}]}, "strings only or numbers only"),
        ({"x": [{"anything-but": [None]}]}, "strings only or numbers only"),
        ({"x": [{"anything-but": {"wildcard": "a*"}}]}, "anything-but takes a value, a list"),
        ({"x": [{"prefix": "a", "suffix": "b"}]}, "one operator"),
    ],
)
def test_invalid_or_unimplemented_patterns_are_refused_with_the_field(pattern, message):
    with pytest.raises(PatternError, match=message.replace("(", r"\(")):
        check_pattern(pattern)


# --- properties ------------------------------------------------------------------------------------

SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-5, 5), st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=4))
JSON = st.recursive(
    SCALARS,
    lambda children: st.one_of(st.lists(children, max_size=3), st.dictionaries(st.text(max_size=3), children, max_size=3)),
    max_leaves=12,
)
STRINGS = st.text(alphabet="abc-", max_size=5)


@settings(max_examples=200, deadline=None)
@given(event=JSON, key=st.text(max_size=3), value=SCALARS)
def test_an_exact_value_matches_exactly_when_the_field_holds_it(event, key, value):
    shaped = {key: value}
    assert matches({key: [value]}, shaped) is True
    # Never raises on any JSON, and an absent field never matches a value.
    assert matches({key: [value]}, event) is (isinstance(event, dict) and key in event and _holds(event[key], value))


@settings(max_examples=200, deadline=None)
@given(values=st.lists(STRINGS, min_size=1, max_size=4), excluded=st.lists(STRINGS, min_size=1, max_size=3))
def test_anything_but_is_the_complement_of_the_exact_list_for_single_values(values, excluded):
    for value in values:
        event = {"f": value}
        assert matches({"f": [{"anything-but": excluded}]}, event) is (not matches({"f": excluded}, event))


@settings(max_examples=200, deadline=None)
@given(values=st.lists(STRINGS, max_size=4), wanted=st.lists(STRINGS, min_size=1, max_size=3))
def test_an_array_matches_when_the_intersection_is_not_empty(values, wanted):
    assert matches({"f": wanted}, {"f": values}) is bool(set(values) & set(wanted))


@settings(max_examples=100, deadline=None)
@given(event=JSON)
def test_patterns_survive_a_json_round_trip(event):
    # What the stack writes into the template is JSON; the matcher must not depend on Python-only types.
    pattern = {"source": ["aws.sagemaker"], "detail": {"status": [{"anything-but": ["Executing"]}, {"exists": False}]}}
    assert matches(json.loads(json.dumps(pattern)), event) == matches(pattern, event)


def _holds(actual, value) -> bool:
    leaves = actual if isinstance(actual, list) else [actual]
    flat = []
    while leaves:
        item = leaves.pop(0)
        if isinstance(item, list):
            leaves[:0] = item
        else:
            flat.append(item)
    numeric = lambda v: isinstance(v, (int, float)) and not isinstance(v, bool)  # noqa: E731
    return any((numeric(v) and numeric(value) and v == value) or (type(v) is type(value) and v == value and not numeric(value)) for v in flat)
