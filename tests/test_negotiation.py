"""Choosing a media type from an Accept header (server/negotiation.py): RFC 9110 q-values,
wildcards and their specificity, and a 406 in the one error shape when nothing fits."""

from __future__ import annotations

import pytest

from server.errors import ApiError
from server.negotiation import choose, negotiate, parse_accept

JSON = "application/sparql-results+json"
XML = "application/sparql-results+xml"
CSV = "text/csv"
TSV = "text/tab-separated-values"
RESULTS = (JSON, XML, CSV, TSV)
TURTLE = "text/turtle"


def test_no_header_or_an_empty_one_means_anything() -> None:
    assert parse_accept(None) == [("*/*", 1.0)]
    assert parse_accept("") == [("*/*", 1.0)]
    assert choose(None, RESULTS) == JSON
    assert choose("", RESULTS) == JSON


def test_parsing_tolerates_spaces_case_parameters_and_empty_parts() -> None:
    header = " Text/CSV ; charset=utf-8 ; q=0.5 ,, application/json;q=abc , */*;Q=0.1"
    assert parse_accept(header) == [
        ("text/csv", 0.5),
        ("application/json", 0.0),  # a q-value that is not a number counts as 0
        ("*/*", 0.1),
    ]


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (CSV, CSV),
        (f"{XML}, {CSV}", XML),  # equal q: the server's order decides
        (f"{CSV}, {XML}", XML),
        (f"{JSON};q=0.5, {TSV}", TSV),  # higher q wins over the server's order
        (f"{JSON};q=0.9, {CSV};q=0.91", CSV),
        ("text/*", CSV),  # a type wildcard: the first text/ type offered
        ("text/*;q=0.2, */*;q=0.1", CSV),
        ("*/*", JSON),
        ("TEXT/CSV", CSV),  # media types are case-insensitive
        (f"{CSV};charset=utf-8", CSV),  # parameters other than q do not stop a match
    ],
)
def test_the_best_liked_type_is_chosen(header: str, expected: str) -> None:
    assert choose(header, RESULTS) == expected


def test_a_specific_range_overrides_a_wildcard_even_with_a_lower_q() -> None:
    """RFC 9110 §12.5.1: the most specific range that matches gives the q-value."""
    header = f"text/*;q=0.9, {CSV};q=0.1"
    assert choose(header, [CSV, TSV]) == TSV
    assert choose(f"*/*;q=0.8, {JSON};q=0.2, text/*;q=0.5", RESULTS) == XML


def test_q_zero_refuses_a_type_even_when_a_wildcard_allows_it() -> None:
    assert choose(f"{JSON};q=0, */*", RESULTS) == XML
    assert choose("text/*;q=0, */*;q=0.5", [CSV, TSV, JSON]) == JSON
    assert choose("*/*;q=0", RESULTS) is None


def test_nothing_offered_that_is_accepted() -> None:
    assert choose("image/png", RESULTS) is None
    assert choose("application/*", [TURTLE, CSV]) is None
    assert choose(CSV, []) is None


def test_a_wildcard_of_another_type_does_not_match() -> None:
    assert choose("application/*", [CSV, JSON]) == JSON


def test_negotiate_answers_the_chosen_type() -> None:
    assert (
        negotiate(
            f"{TURTLE};q=0.5, application/n-triples", [TURTLE, "application/n-triples"], "a graph"
        )
        == "application/n-triples"
    )


def test_negotiate_refuses_with_406_naming_what_was_asked_and_offered() -> None:
    with pytest.raises(ApiError) as raised:
        negotiate("image/png, text/html;q=0.5", RESULTS, "SELECT results")
    error = raised.value
    assert error.status == 406
    assert error.code == "not-acceptable"
    assert "SELECT results" in error.message
    assert "image/png, text/html;q=0.5" in error.message
    for media_type in RESULTS:
        assert media_type in error.message
