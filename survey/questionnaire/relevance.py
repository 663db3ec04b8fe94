"""Relevance (skip-logic) expressions: a small language, parsed and never eval'd.

The syntax follows XLSForm's ``relevant`` column, trimmed to what a
questionnaire needs::

    ${gender} == 'nu'
    ${tc1} >= 3 and ${tc2} != '0'
    not (${feedback_made} = 'khong') or selected(${channels}, 'truc_tuyen')

References are ``${item_code}``; literals are numbers or quoted strings;
operators are ``== = != < <= > >=``, ``and``, ``or``, ``not`` and
parentheses; the functions are ``selected(${x}, 'v')``,
``count_selected(${x})`` and ``answered(${x})``.  Anything else is a
:class:`RelevanceError` that names the column where it went wrong.

An unanswered item is ``None``: it equals ``''`` and makes every ordering
comparison false, so an expression never fails on missing answers.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

FUNCTIONS = {"selected": 2, "count_selected": 1, "answered": 1}
KEYWORDS = {"and", "or", "not"}

_TOKEN = re.compile(
    r"""(?P<space>\s+)
      | \$\{(?P<ref>[A-Za-z_][A-Za-z0-9_]*)\}
      | (?P<number>\d+(?:\.\d+)?)
      | '(?P<str1>[^']*)' | "(?P<str2>[^"]*)"
      | (?P<op>==|!=|<=|>=|=|<|>|\(|\)|,)
      | (?P<name>[A-Za-z_][A-Za-z0-9_]*)""",
    re.VERBOSE,
)


class RelevanceError(ValueError):
    """A relevance expression that cannot be parsed; ``column`` is 0-based."""

    def __init__(self, message: str, source: str, column: int):
        super().__init__(message)
        self.message, self.source, self.column = message, source, column

    def __str__(self) -> str:
        return f"{self.message} at column {self.column + 1} of `{self.source}`"

    @property
    def pointer(self) -> str:
        """The expression with a caret under the offending column."""
        return f"{self.source}\n{' ' * self.column}^"


@dataclass(frozen=True)
class Token:
    kind: str  # ref, number, string, op, name, end
    value: str
    column: int
    text: str = ""


def tokenize(source: str) -> list[Token]:
    tokens, pos = [], 0
    while pos < len(source):
        match = _TOKEN.match(source, pos)
        if not match:
            char = source[pos]
            hint = " (write references as ${code})" if char in "${}" else ""
            raise RelevanceError(f"unexpected character {char!r}{hint}", source, pos)
        kind = match.lastgroup
        if kind != "space":
            value = match.group(kind)
            kind = "string" if kind.startswith("str") else kind
            tokens.append(Token(kind, value, pos, match.group(0)))
        pos = match.end()
    tokens.append(Token("end", "", len(source)))
    return tokens


@dataclass(frozen=True)
class Comparison:
    """A reference compared with a literal, kept so values can be checked against choice lists."""

    ref: str
    literal: str
    column: int


@dataclass(frozen=True)
class Expression:
    """A parsed relevance expression; evaluate it with :meth:`evaluate`."""

    source: str
    tree: tuple = field(compare=False, repr=False)
    refs: tuple[tuple[str, int], ...] = field(compare=False, repr=False)
    comparisons: tuple[Comparison, ...] = field(compare=False, repr=False)
    line: int | None = field(default=None, compare=False, repr=False)

    def evaluate(self, answers: Mapping[str, Any]) -> bool:
        return _truthy(_eval(self.tree, answers))

    @property
    def references(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(code for code, _ in self.refs))


def parse(source: str, line: int | None = None) -> Expression:
    """Parse ``source`` or raise :class:`RelevanceError`."""
    if not source.strip():
        raise RelevanceError("empty expression", source, 0)
    parser = _ExpressionParser(source, tokenize(source))
    tree = parser.expression()
    if parser.peek.kind != "end":
        raise parser.error(f"unexpected {parser.peek.text!r}; join conditions with 'and' or 'or'")
    return Expression(source, tree, tuple(parser.refs), tuple(parser.comparisons), line)


class _ExpressionParser:
    """Recursive descent over: or > and > not > comparison > operand."""

    def __init__(self, source: str, tokens: list[Token]):
        self.source, self.tokens, self.pos = source, tokens, 0
        self.refs: list[tuple[str, int]] = []
        self.comparisons: list[Comparison] = []

    @property
    def peek(self) -> Token:
        return self.tokens[self.pos]

    def take(self) -> Token:
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def error(self, message: str, token: Token | None = None) -> RelevanceError:
        return RelevanceError(message, self.source, (token or self.peek).column)

    def accept(self, kind: str, value: str | None = None) -> Token | None:
        token = self.peek
        if token.kind == kind and (value is None or token.value == value):
            return self.take()
        return None

    def expect_op(self, value: str) -> None:
        if not self.accept("op", value):
            found = repr(self.peek.text) if self.peek.kind != "end" else "the end"
            raise self.error(f"expected {value!r} but found {found}")

    def expression(self) -> tuple:
        terms = [self.conjunction()]
        while self.accept("name", "or"):
            terms.append(self.conjunction())
        return terms[0] if len(terms) == 1 else ("or", *terms)

    def conjunction(self) -> tuple:
        terms = [self.negation()]
        while self.accept("name", "and"):
            terms.append(self.negation())
        return terms[0] if len(terms) == 1 else ("and", *terms)

    def negation(self) -> tuple:
        if self.accept("name", "not"):
            return ("not", self.negation())
        return self.comparison()

    def comparison(self) -> tuple:
        left = self.operand()
        if self.peek.kind == "op" and self.peek.value in ("==", "=", "!=", "<", "<=", ">", ">="):
            op = self.take().value
            right = self.operand()
            if op in ("==", "=", "!="):
                self._note_comparison(left, right)
            return ("==" if op == "=" else op, left, right)
        return left

    def _note_comparison(self, left: tuple, right: tuple) -> None:
        for ref, lit in ((left, right), (right, left)):
            if ref[0] == "ref" and lit[0] == "lit":
                self.comparisons.append(Comparison(ref[1], str(lit[1]), ref[2]))

    def operand(self) -> tuple:
        token = self.peek
        if self.accept("ref"):
            self.refs.append((token.value, token.column))
            return ("ref", token.value, token.column)
        if self.accept("number"):
            return ("lit", float(token.value) if "." in token.value else int(token.value))
        if self.accept("string"):
            return ("lit", token.value)
        if self.accept("op", "("):
            inner = self.expression()
            self.expect_op(")")
            return inner
        if token.kind == "name" and token.value not in KEYWORDS:
            return self.call()
        if token.kind == "end":
            raise self.error("expression ends too early")
        raise self.error(f"expected a ${{reference}}, a value or '(' but found {token.text!r}")

    def call(self) -> tuple:
        name = self.take()
        if name.value not in FUNCTIONS:
            allowed = ", ".join(FUNCTIONS)
            raise self.error(f"unknown function or word {name.value!r} (allowed: {allowed})", name)
        self.expect_op("(")
        args = [self.operand()]
        while self.accept("op", ","):
            args.append(self.operand())
        self.expect_op(")")
        if len(args) != FUNCTIONS[name.value]:
            raise self.error(f"{name.value}() takes {FUNCTIONS[name.value]} argument(s)", name)
        if args[0][0] != "ref":
            raise self.error(f"the first argument of {name.value}() must be a ${{reference}}", name)
        if name.value == "selected":
            self._note_comparison(args[0], args[1])
        return ("call", name.value, *args)


def _truthy(value: Any) -> bool:
    """Booleans are themselves; any other value is true when it is an answer."""
    if isinstance(value, bool):
        return value
    if isinstance(value, (str, list, tuple, set)):
        return len(value) > 0
    return value is not None


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return " ".join(str(v) for v in value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _compare(op: str, left: Any, right: Any) -> bool:
    a, b = _number(left), _number(right)
    if op in ("==", "!="):
        same = a == b if a is not None and b is not None else _text(left) == _text(right)
        return same if op == "==" else not same
    if a is None or b is None:
        return False  # unanswered or non-numeric values are never ordered
    return {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op]


def _selection(value: Any) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, (list, tuple, set)):
        return [_text(v) for v in value]
    return _text(value).split()


def _eval(node: tuple, answers: Mapping[str, Any]) -> Any:
    kind = node[0]
    if kind == "lit":
        return node[1]
    if kind == "ref":
        return answers.get(node[1])
    if kind == "not":
        return not _truthy(_eval(node[1], answers))
    if kind == "and":
        return all(_truthy(_eval(term, answers)) for term in node[1:])
    if kind == "or":
        return any(_truthy(_eval(term, answers)) for term in node[1:])
    if kind == "call":
        name, subject = node[1], _eval(node[2], answers)
        if name == "selected":
            return _text(_eval(node[3], answers)) in _selection(subject)
        if name == "count_selected":
            return len(_selection(subject))
        return _truthy(subject)
    return _compare(kind, _eval(node[1], answers), _eval(node[2], answers))
