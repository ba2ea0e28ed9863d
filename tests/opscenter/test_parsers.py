"""JSON with a depth limit: deep nesting is malformed input, not a RecursionError; strings do not count."""

import io

import pytest
from rest_framework.exceptions import ParseError

from opscenter.parsers import JSONParser, JSONTooDeep, json_depth_check, json_loads


@pytest.mark.parametrize(
    "text",
    ['{"a": [1, {"b": [2]}]}', '"[[[[[[[[[["', '{"k": "\\"[[[[[[[[[[", "n": 1}', "[]", "3"],
)
def test_brackets_inside_strings_do_not_count(text):
    json_depth_check(text.encode(), max_depth=4)


@pytest.mark.parametrize("text", ["[[[[[1]]]]]", '{"a": {"b": {"c": {"d": {"e": 1}}}}}', "[" * 100_000])
def test_deeper_than_the_limit_is_refused(text):
    with pytest.raises(JSONTooDeep):
        json_depth_check(text.encode(), max_depth=4)


def test_json_loads_refuses_what_would_exhaust_the_stack():
    with pytest.raises(ValueError, match="deeper than 32"):
        json_loads(b"[" * 100_000 + b"]" * 100_000)
    assert json_loads(b'{"a": [1, 2]}') == {"a": [1, 2]}


def test_the_drf_parser_answers_a_parse_error():
    with pytest.raises(ParseError):
        JSONParser().parse(io.BytesIO(b"[" * 100_000 + b"]" * 100_000))
    assert JSONParser().parse(io.BytesIO(b'{"a": 1}')) == {"a": 1}
