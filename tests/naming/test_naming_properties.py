"""Property-based checks: whatever parts new() accepts, the name validates and parses back into exactly
those parts; long or uppercase names are always rejected; validate() never raises on any text."""

from __future__ import annotations

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from mlmeta_contract.naming import DEFAULT_CONVENTION, KINDS, NamingConvention, NamingError, Rule, classify, new, parse, validate
from mlmeta_contract.naming.vocabulary import FIELDS
from naming_fixtures import CUSTOM_CONVENTION

CONVENTIONS = [pytest.param(DEFAULT_CONVENTION, id="default"), pytest.param(CUSTOM_CONVENTION, id="custom")]
# Per test, not a profile: loading a profile would change every other module's hypothesis settings.
thorough = settings(max_examples=150, deadline=None)

word = st.from_regex(r"[a-z0-9]{1,8}", fullmatch=True)
execution_id = st.from_regex(r"[a-z0-9]{12}", fullmatch=True)
yyyymmdd = st.dates().filter(lambda d: d.year >= 1000).map(lambda d: d.strftime("%Y%m%d"))


def closed_words(convention: NamingConvention) -> list[str]:
    return [*convention.environments, *convention.words.values()]


def hyphenated(words: st.SearchStrategy[str], max_words: int = 4) -> st.SearchStrategy[str]:
    return st.lists(words, min_size=1, max_size=max_words).map("-".join)


@st.composite
def parts_for(draw, kind: str, convention: NamingConvention, adversarial: bool = False) -> dict[str, str]:
    """Parts for ``kind``. Use cases always may contain environment names and kind words; the parts
    after them only when ``adversarial`` (those names may read back differently, and new() must say so)."""
    closed = closed_words(convention)
    any_word = st.one_of(word, st.sampled_from(closed))
    tail_word = word.filter(lambda w: w not in closed)
    if adversarial:
        # A whole name of the same kind inside a topic or step is what can make a name read back differently.
        nested = new(kind, convention=convention, **draw(parts_for(kind, convention).filter(lambda p: fits(p, convention))))
        tail_word = st.one_of(any_word, execution_id, yyyymmdd, st.just(nested))
    values = {
        "use_case": hyphenated(any_word),
        "env": st.sampled_from(convention.environments),
        "execution_id": execution_id,
        "user": word,
        "date": yyyymmdd,
        "topic": hyphenated(tail_word, 3),
        "step": hyphenated(tail_word, 3),
        # One word (like user): a nested name cannot hide in it.
        "run": word.filter(lambda w: w not in closed),
    }
    placeholders = convention.compiled(kind).placeholders
    return {FIELDS[p].part: draw(values[FIELDS[p].part]) for p in placeholders}


def fits(parts: dict[str, str], convention: NamingConvention) -> bool:
    # A short use case keeps every name under the limit; parts that don't fit are tested in test_too_long.
    return sum(len(v) + 1 for v in parts.values()) + 20 <= convention.max_length


@pytest.mark.parametrize("convention", CONVENTIONS)
@thorough
@given(data=st.data(), kind=st.sampled_from(KINDS))
def test_round_trip_generate_parse_same_parts(convention, data, kind):
    parts = data.draw(parts_for(kind, convention))
    assume(fits(parts, convention))
    name = new(kind, convention=convention, **parts)

    verdict = validate(kind, name, convention)
    assert verdict.compliant, verdict.reason
    assert parse(kind, name, convention) == parts
    assert name == name.lower() and len(name) <= convention.max_length
    assert kind in {v.kind for v in classify(name, convention=convention).candidates}


@pytest.mark.parametrize("convention", CONVENTIONS)
@thorough
@given(data=st.data(), kind=st.sampled_from(KINDS))
def test_names_new_accepts_always_read_back_as_given_even_with_tricky_parts(convention, data, kind):
    parts = data.draw(parts_for(kind, convention, adversarial=True))
    try:
        name = new(kind, convention=convention, **parts)
    except NamingError as err:
        assert "would read back with" in str(err) or "too long" in str(err), str(err)
        return
    assert parse(kind, name, convention) == parts


@thorough
@given(use_case=hyphenated(st.one_of(word, st.sampled_from(closed_words(DEFAULT_CONVENTION))), 8), env=st.sampled_from(["dev", "stg", "prod"]))
def test_use_cases_with_hyphens_parse_from_the_right(use_case, env):
    for kind in ("pipeline", "pipeline-experiment"):
        assert parse(kind, new(kind, use_case=use_case, env=env)) == {"use_case": use_case, "env": env}


@pytest.mark.parametrize("convention", CONVENTIONS)
@thorough
@given(data=st.data(), kind=st.sampled_from(KINDS))
def test_any_string_over_the_limit_is_too_long(convention, data, kind):
    name = data.draw(st.text(min_size=convention.max_length + 1, max_size=400))
    verdict = validate(kind, name, convention)
    assert (verdict.compliant, verdict.rule) == (False, Rule.TOO_LONG)
    assert f"{len(name)} characters" in verdict.reason


@thorough
@given(name=st.text(min_size=1, max_size=120).filter(lambda s: any("A" <= c <= "Z" for c in s)), kind=st.sampled_from(KINDS))
def test_any_name_with_uppercase_is_rejected_as_uppercase(name, kind):
    verdict = validate(kind, name)
    assert (verdict.compliant, verdict.rule) == (False, Rule.UPPERCASE)


@thorough
@given(data=st.data(), kind=st.sampled_from(KINDS))
def test_uppercasing_any_letter_of_a_valid_name_is_rejected(data, kind):
    parts = data.draw(parts_for(kind, DEFAULT_CONVENTION))
    assume(fits(parts, DEFAULT_CONVENTION))
    name = new(kind, **parts)
    letters = [i for i, c in enumerate(name) if c.isalpha()]
    if not letters:
        return
    i = data.draw(st.sampled_from(letters))
    assert validate(kind, name[:i] + name[i].upper() + name[i + 1 :]).rule == Rule.UPPERCASE


@thorough
@given(name=st.text(max_size=130), kind=st.sampled_from(KINDS))
def test_validate_never_raises_and_agrees_with_parse(name, kind):
    verdict = validate(kind, name)
    assert (verdict.rule == Rule.COMPLIANT) == verdict.compliant
    assert "\n" not in verdict.reason
    if verdict.compliant:
        assert parse(kind, name) == verdict.parts
        assert new(kind, **verdict.parts) == name
