"""The naming convention as configuration: a validated dataclass with a default instance, loadable
from JSON so that an organisation changes environment names, kind words, patterns, the length limit
or the lowercase rule without changing code.

JSON format (every key optional; words and patterns are merged over the defaults, environments
replace them)::

    {
      "description": "free text, ignored",
      "environments": ["dev", "stg", "prod"],
      "words": {"pipeline": "pipeline", "analysis": "analysis", "eda": "eda"},
      "patterns": {"pipeline-experiment": "{usecase}-{env}-{pipeline}", ...},
      "max_length": 120,
      "lowercase": true
    }
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from .errors import ConventionError
from .pattern import CompiledPattern, compile_pattern, pattern_problems, split_pattern
from .vocabulary import FIELDS, HYPHENATED_WORDS_RE, KINDS, METRIC_KINDS, PARENT_KINDS, RESOURCE_TYPES, SAGEMAKER_MAX_LENGTH

# A path to a JSON file, or the JSON document itself (handy in a Lambda's environment).
CONVENTION_ENV_VAR = "MLMETA_NAMING_CONVENTION"

DEFAULT_ENVIRONMENTS = ("dev", "stg", "prod")
DEFAULT_WORDS = MappingProxyType({"pipeline": "pipeline", "analysis": "analysis", "eda": "eda"})
DEFAULT_PATTERNS = MappingProxyType(
    {
        "pipeline": "{usecase}-{env}",
        "pipeline-experiment": "{usecase}-{env}-{pipeline}",
        "environment-trial": "{usecase}-{env}-{execution_id}",
        "analysis-trial": "{usecase}-{env}-{execution_id}-{analysis}",
        "analysis-component": "{usecase}-{env}-{execution_id}-{analysis}-{step}",
        "eda-experiment": "{usecase}-{eda}-{user}",
        "eda-trial": "{usecase}-{eda}-{user}-{yyyymmdd}-{topic}",
        # A run of an EDA trial (a trial component a person logs into): the trial's name and one word.
        "eda-component": "{usecase}-{eda}-{user}-{yyyymmdd}-{topic}-{run}",
    }
)
_WORD_KEY_RE = re.compile(r"[a-z][a-z0-9_]*")
_JSON_KEYS = ("description", "environments", "words", "patterns", "max_length", "lowercase")


@dataclass(frozen=True, eq=False)
class NamingConvention:
    """Validated on construction: an instance that exists is a usable convention."""

    environments: tuple[str, ...] = DEFAULT_ENVIRONMENTS
    words: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_WORDS))
    patterns: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_PATTERNS))
    max_length: int = SAGEMAKER_MAX_LENGTH
    # Off allows uppercase in free-text parts, except for kinds that receive metrics (always lowercase).
    lowercase: bool = True
    _compiled: Mapping[str, CompiledPattern] = field(init=False, repr=False, default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "environments", tuple(self.environments))
        object.__setattr__(self, "words", MappingProxyType(dict(self.words)))
        object.__setattr__(self, "patterns", MappingProxyType(dict(self.patterns)))
        problems = self._problems()
        if problems:
            raise ConventionError("invalid naming convention: " + "; ".join(problems))
        compiled = {
            kind: compile_pattern(
                kind,
                split_pattern(self.patterns[kind]),
                environments=self.environments,
                words=self.words,
                lowercase=self.requires_lowercase(kind),
            )
            for kind in KINDS
        }
        object.__setattr__(self, "_compiled", MappingProxyType(compiled))

    def compiled(self, kind: str) -> CompiledPattern:
        try:
            return self._compiled[kind]
        except KeyError:
            raise ValueError(f"unknown kind {kind!r}; kinds: {', '.join(KINDS)}") from None

    def pattern(self, kind: str) -> str:
        """The pattern a person reads, kind words filled in: {usecase}-{env}-pipeline."""
        return self.compiled(kind).display

    def requires_lowercase(self, kind: str) -> bool:
        return self.lowercase or kind in METRIC_KINDS

    def to_dict(self) -> dict[str, Any]:
        """The JSON document that load_convention() reads back into an equal convention."""
        return {
            "environments": list(self.environments),
            "words": dict(self.words),
            "patterns": dict(self.patterns),
            "max_length": self.max_length,
            "lowercase": self.lowercase,
        }

    def to_json(self) -> str:
        """``to_dict()`` as compact JSON: how a function's or a step's environment carries the convention
        (``resolve_convention`` reads it back from ``$MLMETA_NAMING_CONVENTION``)."""
        return json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, NamingConvention) and self.to_dict() == other.to_dict()

    def __hash__(self) -> int:
        return hash(json.dumps(self.to_dict(), sort_keys=True))

    def _problems(self) -> list[str]:
        problems = _environment_problems(self.environments) + _word_problems(self.words, self.environments)
        whole = isinstance(self.max_length, int) and not isinstance(self.max_length, bool)
        if not (whole and 1 <= self.max_length <= SAGEMAKER_MAX_LENGTH):
            problems.append(
                f"max_length must be a whole number from 1 to {SAGEMAKER_MAX_LENGTH} (SageMaker's limit), got {self.max_length!r}"
            )
        if not isinstance(self.lowercase, bool):
            problems.append(f"lowercase must be true or false, got {self.lowercase!r}")
        return problems + self._pattern_problems()

    def _pattern_problems(self) -> list[str]:
        kinds = ", ".join(KINDS)
        problems = [f"patterns: unknown kind {kind!r} (kinds: {kinds})" for kind in self.patterns if kind not in KINDS]
        problems += [f"patterns: missing a pattern for {kind}" for kind in KINDS if kind not in self.patterns]
        tokens = {}
        for kind in KINDS:
            pattern = self.patterns.get(kind)
            if pattern is None:
                continue
            if not isinstance(pattern, str):
                problems.append(f"patterns: {kind} must be a string, got {pattern!r}")
                continue
            try:
                tokens[kind] = split_pattern(pattern)
            except ValueError as err:
                problems.append(f"patterns: {kind} {pattern!r}: {err}")
                continue
            problems += [f"patterns: {problem}" for problem in pattern_problems(kind, tokens[kind], self.words)]
        for child, parent in PARENT_KINDS.items():
            if child in tokens and parent in tokens and not _extends(tokens[child], tokens[parent]):
                problems.append(f"patterns: {child} must start with the {parent} pattern {self.patterns[parent]!r} followed by '-'")
        problems += _duplicate_shapes(tokens, self.words)
        return problems



def convention_from_dict(data: object, source: str = "") -> NamingConvention:
    """Build a convention from a JSON-like document, defaults filling whatever it leaves out."""
    where = f" in {source}" if source else ""
    if not isinstance(data, dict):
        raise ConventionError(f"invalid naming convention{where}: expected a JSON object, got {type(data).__name__}")
    unknown = sorted(set(data) - set(_JSON_KEYS))
    if unknown:
        allowed = ", ".join(_JSON_KEYS)
        raise ConventionError(f"invalid naming convention{where}: unknown key(s) {', '.join(unknown)}; allowed: {allowed}")
    problems = []
    for key, expected, json_type in (("environments", list, "array"), ("words", dict, "object"), ("patterns", dict, "object"),
                                     ("description", str, "string")):
        if key in data and not isinstance(data[key], expected):
            problems.append(f"{key} must be a JSON {json_type}")
    if problems:
        raise ConventionError(f"invalid naming convention{where}: " + "; ".join(problems))
    try:
        return NamingConvention(
            environments=tuple(data.get("environments", DEFAULT_ENVIRONMENTS)),
            words={**DEFAULT_WORDS, **data.get("words", {})},
            patterns=_with_default_eda_component({**DEFAULT_PATTERNS, **data.get("patterns", {})}, data.get("patterns", {})),
            max_length=data.get("max_length", SAGEMAKER_MAX_LENGTH),
            lowercase=data.get("lowercase", True),
        )
    except ConventionError as err:
        raise ConventionError(str(err).replace("invalid naming convention", f"invalid naming convention{where}", 1)) from None


def _with_default_eda_component(patterns: dict, given: Mapping) -> dict:
    """A convention written before EDA components had a kind keeps working: its components are its own
    EDA trial pattern plus ``-{run}`` (a child's name starts with its parent's)."""
    if "eda-component" not in given and "eda-trial" in given:
        patterns["eda-component"] = f"{given['eda-trial']}-{{run}}"
    return patterns


def load_convention(path: str | os.PathLike[str]) -> NamingConvention:
    """Read a convention from a JSON file."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as err:
        raise ConventionError(f"cannot read naming convention {path}: {err.strerror or err}") from None
    except UnicodeDecodeError as err:
        raise ConventionError(
            f"cannot read naming convention {path}: not UTF-8 text ({err.reason} at byte {err.start}); save it as UTF-8 JSON"
        ) from None
    return _from_json(text, str(path))


def resolve_convention(path: str | os.PathLike[str] | None = None, environ: Mapping[str, str] | None = None) -> NamingConvention:
    """The convention a CLI or a Lambda uses: an explicit file, else $MLMETA_NAMING_CONVENTION, else the default."""
    if path is not None:
        return load_convention(path)
    value = (os.environ if environ is None else environ).get(CONVENTION_ENV_VAR, "").strip()
    if not value:
        return DEFAULT_CONVENTION
    if value.startswith("{"):
        return _from_json(value, f"${CONVENTION_ENV_VAR}")
    return load_convention(value)


def _from_json(text: str, source: str) -> NamingConvention:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise ConventionError(f"invalid naming convention in {source}: not valid JSON: {err}") from None
    return convention_from_dict(data, source)


def _environment_problems(environments: tuple[object, ...]) -> list[str]:
    if not environments:
        return ["environments must name at least one environment"]
    problems = [
        f"environment {env!r} must be lowercase letters and digits in words separated by single hyphens"
        for env in environments
        if not (isinstance(env, str) and HYPHENATED_WORDS_RE.fullmatch(env))
    ]
    duplicates = sorted({env for env in environments if isinstance(env, str) and environments.count(env) > 1})
    return problems + [f"environment {env!r} is listed more than once" for env in duplicates]


def _word_problems(words: Mapping[object, object], environments: tuple[object, ...]) -> list[str]:
    problems = []
    for key, value in words.items():
        if not (isinstance(key, str) and _WORD_KEY_RE.fullmatch(key)) or key in FIELDS:
            problems.append(f"words: key {key!r} must be a lowercase identifier other than the fields {', '.join(FIELDS)}")
        if not (isinstance(value, str) and HYPHENATED_WORDS_RE.fullmatch(value)):
            problems.append(
                f"words: {key!r} is {value!r}; a kind word is lowercase letters and digits in words separated by single hyphens"
            )
        elif value in environments:
            problems.append(f"words: {key!r} is {value!r}, which is also an environment name")
    values = list(words.values())
    repeated = sorted({v for v in values if isinstance(v, str) and values.count(v) > 1})
    problems += [f"words: {value!r} is used for more than one kind word" for value in repeated]
    return problems


def _extends(child: tuple[Any, ...], parent: tuple[Any, ...]) -> bool:
    return len(child) > len(parent) and child[: len(parent)] == parent


def _duplicate_shapes(tokens: Mapping[str, tuple[Any, ...]], words: Mapping[str, str]) -> list[str]:
    """Two kinds of the same resource type with the same pattern could never be told apart."""
    seen: dict[tuple[str, tuple[str, ...]], str] = {}
    problems = []
    for kind, kind_tokens in tokens.items():
        shape = (RESOURCE_TYPES[kind], tuple(words.get(t.text, t.text) if t.is_placeholder else t.text for t in kind_tokens))
        if shape in seen:
            problems.append(f"patterns: {seen[shape]} and {kind} have the same pattern")
        seen.setdefault(shape, kind)
    return problems


# Defined last: validating it uses the helpers above.
DEFAULT_CONVENTION = NamingConvention()
