"""One kind's pattern, checked and compiled into the regular expressions that parse and diagnose names.

A pattern is hyphen-separated tokens: a field placeholder (``{usecase}``), a kind-word placeholder
(``{pipeline}``, filled from the convention's words) or a literal lowercase word. Fixed tokens
(literals, kind words, ``{env}``) come from closed sets, so a name parses from the right: the
use case takes whatever is left, hyphens included.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from .vocabulary import FIELDS, REQUIRED_PLACEHOLDERS

_TOKEN_RE = re.compile(r"\{(?P<placeholder>[a-z][a-z0-9_]*)\}|(?P<literal>[a-z0-9]+)")
# Values that one relaxed token stands for when diagnosing which part of a near-miss name is wrong.
_CHECKED_PLACEHOLDERS = ("env", "execution_id", "yyyymmdd")
_FIXED_SHAPE = {"execution_id": "[a-z0-9]{12}", "yyyymmdd": "[0-9]{8}"}


@dataclass(frozen=True)
class Token:
    text: str  # a literal word, or a placeholder's name without braces
    is_placeholder: bool


@dataclass(frozen=True)
class CompiledPattern:
    kind: str
    tokens: tuple[Token, ...]
    words_by_key: Mapping[str, str]  # the kind words this pattern uses, by placeholder
    placeholders: tuple[str, ...]  # field placeholders, left to right
    # How many tokens come from closed sets or fixed shapes; the most specific reading wins in classify().
    specificity: int
    strict: re.Pattern[str]
    # Same shape with env, execution id and date loosened to any token: tells which of them is wrong.
    relaxed: re.Pattern[str]

    @property
    def words(self) -> tuple[str, ...]:
        """Kind words a name of this kind must contain."""
        return tuple(self.words_by_key.values())

    @property
    def display(self) -> str:
        """The pattern with kind words filled in: {usecase}-{env}-pipeline."""
        return self.render({p: f"{{{p}}}" for p in self.placeholders})

    def render(self, values: Mapping[str, str]) -> str:
        """Fill the pattern from field values keyed by placeholder."""
        return "-".join(self._token_text(token, values) for token in self.tokens)

    def _token_text(self, token: Token, values: Mapping[str, str]) -> str:
        if not token.is_placeholder:
            return token.text
        return self.words_by_key.get(token.text) or values[token.text]


def split_pattern(pattern: str) -> tuple[Token, ...]:
    """Split a pattern into tokens; raises ValueError naming the first bad token."""
    tokens = []
    for text in pattern.split("-"):
        match = _TOKEN_RE.fullmatch(text)
        if match is None:
            raise ValueError(f"{text!r} is neither a {{placeholder}} nor a lowercase word (tokens are separated by '-')")
        tokens.append(Token(match["placeholder"] or match["literal"], match["placeholder"] is not None))
    return tuple(tokens)


def pattern_problems(kind: str, tokens: tuple[Token, ...], word_keys: Collection[str]) -> list[str]:
    """Everything wrong with one kind's tokens, as messages prefixed with the kind."""
    placeholders = [t.text for t in tokens if t.is_placeholder]
    problems = [
        f"{kind}: unknown placeholder {{{p}}} (fields: {_braced(FIELDS)}; kind words: {_braced(word_keys)})"
        for p in placeholders
        if p not in FIELDS and p not in word_keys
    ]
    repeated = sorted({p for p in placeholders if placeholders.count(p) > 1})
    problems += [f"{kind}: placeholder {{{p}}} appears more than once" for p in repeated]
    missing = [p for p in REQUIRED_PLACEHOLDERS[kind] if p not in placeholders]
    if missing:
        problems.append(f"{kind}: pattern must contain {_braced(missing)}")
    problems += [
        f"{kind}: {{{a}}} and {{{b}}} both take hyphenated words with no fixed word between them, so names would not parse back"
        for a, b in _adjacent_multiword(tokens, word_keys)
    ]
    return problems


def value_regex(placeholder: str, *, environments: Collection[str], lowercase: bool) -> str:
    """The regular expression one field's value must match (without a group)."""
    alnum = "[a-z0-9]" if lowercase else "[a-zA-Z0-9]"
    if placeholder == "env":
        return "(?:" + "|".join(re.escape(env) for env in sorted(environments, key=len, reverse=True)) + ")"
    if placeholder in _FIXED_SHAPE:
        return _FIXED_SHAPE[placeholder]
    return f"{alnum}+(?:-{alnum}+)*" if FIELDS[placeholder].multiword else f"{alnum}+"


def compile_pattern(
    kind: str, tokens: tuple[Token, ...], *, environments: Collection[str], words: Mapping[str, str], lowercase: bool
) -> CompiledPattern:
    words_by_key = {t.text: words[t.text] for t in tokens if t.is_placeholder and t.text in words}
    placeholders = tuple(t.text for t in tokens if t.is_placeholder and t.text in FIELDS)
    token = "[a-z0-9]+" if lowercase else "[a-zA-Z0-9]+"

    def regex(relaxed: bool) -> re.Pattern[str]:
        pieces = []
        for t in tokens:
            if not t.is_placeholder or t.text in words_by_key:
                pieces.append(re.escape(words_by_key.get(t.text, t.text)))
                continue
            loose = relaxed and t.text in _CHECKED_PLACEHOLDERS
            body = token if loose else value_regex(t.text, environments=environments, lowercase=lowercase)
            pieces.append(f"(?P<{FIELDS[t.text].part}>{body})")
        return re.compile("-".join(pieces))

    free = {p for p, f in FIELDS.items() if f.multiword or p in ("user", "run")}
    return CompiledPattern(
        kind=kind,
        tokens=tokens,
        words_by_key=words_by_key,
        placeholders=placeholders,
        specificity=sum(1 for t in tokens if t.text not in free or not t.is_placeholder),
        strict=regex(relaxed=False),
        relaxed=regex(relaxed=True),
    )


def _adjacent_multiword(tokens: tuple[Token, ...], word_keys: Collection[str]) -> list[tuple[str, str]]:
    """Pairs of hyphenated-word fields with no closed-set token (literal, kind word, env) between them."""
    pairs, previous = [], None
    for token in tokens:
        fixed = not token.is_placeholder or token.text in word_keys or token.text == "env"
        if fixed:
            previous = None
        elif token.text in FIELDS and FIELDS[token.text].multiword:
            if previous is not None:
                pairs.append((previous, token.text))
            previous = token.text
    return pairs


def _braced(names: Collection[str]) -> str:
    return ", ".join(f"{{{n}}}" for n in names)
