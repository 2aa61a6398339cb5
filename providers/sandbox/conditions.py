"""ConnectWise `conditions` query strings, parsed into a predicate over records.

The subset our providers use: `field op value` joined by `and`/`or` with parentheses and
`not`; operators `= != < <= > >= contains like in`, each optionally negated with `not`
(`not like`, `not in`); nested fields with `/` (`company/id`); literals: "strings"
(or 'strings'), numbers, true/false, null, [date-times], (lists) for `in`.
String comparisons ignore case, as the vendor's database collation does. `check_field` is
called with each field name as it is parsed: it raises ConditionError for a field the entity
does not have (ConnectWise refuses those; it never matches them as null).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from providers.sandbox.vendor_dates import parse_datetime

Predicate = Callable[[dict[str, Any]], bool]

_TOKEN = re.compile(
    r"""\s*(?:
      (?P<string>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')
    | (?P<datetime>\[[^\]]*\])
    | (?P<op><=|>=|!=|=|<|>)
    | (?P<punct>[(),])
    | (?P<number>-?\d+(?:\.\d+)?(?![\w/]))
    | (?P<word>[A-Za-z_][\w/.]*)
    )""",
    re.VERBOSE,
)
_WORD_OPS = {"contains", "like", "in"}


class ConditionError(ValueError):
    """The conditions string cannot be parsed."""


class _Literal:
    def __init__(self, kind: str, value: Any):
        self.kind, self.value = kind, value


def _tokenize(text: str) -> list[tuple[str, str]]:
    tokens, pos = [], 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        found = _TOKEN.match(text, pos)
        if not found or found.end() == pos:
            raise ConditionError(f"unexpected text at position {pos}: {text[pos : pos + 20]!r}")
        kind = found.lastgroup or ""
        tokens.append((kind, found.group(kind)))
        pos = found.end()
    return tokens


class _Parser:
    def __init__(self, text: str, check_field: Callable[[str], None] | None = None):
        self.tokens = _tokenize(text)
        self.pos = 0
        self.check_field = check_field or (lambda _: None)

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def next(self) -> tuple[str, str]:
        token = self.peek()
        if token is None:
            raise ConditionError("the condition ends too early")
        self.pos += 1
        return token

    def keyword(self, *words: str) -> bool:
        token = self.peek()
        if token and token[0] == "word" and token[1].lower() in words:
            self.pos += 1
            return True
        return False

    def expression(self) -> Predicate:
        parts = [self.term()]
        while self.keyword("or"):
            parts.append(self.term())
        return parts[0] if len(parts) == 1 else (lambda r: any(p(r) for p in parts))

    def term(self) -> Predicate:
        parts = [self.factor()]
        while self.keyword("and"):
            parts.append(self.factor())
        return parts[0] if len(parts) == 1 else (lambda r: all(p(r) for p in parts))

    def factor(self) -> Predicate:
        if self.keyword("not"):
            inner = self.factor()
            return lambda r: not inner(r)
        if self.peek() == ("punct", "("):
            self.next()
            inner = self.expression()
            if self.next() != ("punct", ")"):
                raise ConditionError("a parenthesis is not closed")
            return inner
        return self.comparison()

    def comparison(self) -> Predicate:
        kind, field = self.next()
        if kind != "word" or field.lower() in ("and", "or"):
            raise ConditionError(f"expected a field name, found {field!r}")
        self.check_field(field)
        negate = self.keyword("not")
        kind, op = self.next()
        op = op.lower()
        if not (kind == "op" or (kind == "word" and op in _WORD_OPS)):
            raise ConditionError(f"expected an operator after {field!r}, found {op!r}")
        value = self.values() if op == "in" else self.literal()
        test = _comparison(field, op, value)
        return (lambda r: not test(r)) if negate else test

    def values(self) -> list[_Literal]:
        if self.next() != ("punct", "("):
            raise ConditionError("`in` needs a parenthesised list")
        items = [self.literal()]
        while self.peek() == ("punct", ","):
            self.next()
            items.append(self.literal())
        if self.next() != ("punct", ")"):
            raise ConditionError("the `in` list is not closed")
        return items

    def literal(self) -> _Literal:
        kind, text = self.next()
        if kind == "string":
            return _Literal("string", re.sub(r"\\(.)", r"\1", text[1:-1]))
        if kind == "number":
            return _Literal("number", Decimal(text))
        if kind == "datetime":
            try:
                return _Literal("datetime", parse_datetime(text[1:-1]))
            except ValueError as exc:
                raise ConditionError(f"{text} is not a date-time") from exc
        if kind == "word" and text.lower() in ("true", "false"):
            return _Literal("bool", text.lower() == "true")
        if kind == "word" and text.lower() == "null":
            return _Literal("null", None)
        raise ConditionError(f"expected a value, found {text!r}")


def parse_conditions(text: str, check_field: Callable[[str], None] | None = None) -> Predicate:
    """A predicate for the conditions string; ConditionError when it cannot be parsed."""
    parser = _Parser(text, check_field)
    if not parser.tokens:
        return lambda r: True
    predicate = parser.expression()
    extra = parser.peek()
    if extra is not None:
        raise ConditionError(f"unexpected {extra[1]!r} after a complete condition")
    return predicate


def field_value(record: dict[str, Any], path: str) -> Any:
    value: Any = record
    for part in path.split("/"):
        if not isinstance(value, dict):
            return None
        value = value[part] if part in value else next((v for k, v in value.items() if k.lower() == part.lower()), None)
    return value


def _comparison(field: str, op: str, value: Any) -> Predicate:
    if op == "in":
        slow: Predicate = lambda r: any(_compare(field_value(r, field), "=", v) for v in value)  # noqa: E731
        if not all(v.kind == "number" for v in value):
            return slow
        # ids by set membership: a list of hundreds of ids against thousands of records made
        # each page of a large world take seconds (Decimal(5) == 5 and hashes alike)
        numbers = frozenset(v.value for v in value)
        return lambda r: (a in numbers) if type(a := field_value(r, field)) is int else slow(r)
    return lambda r: _compare(field_value(r, field), op, value)


def _compare(actual: Any, op: str, lit: _Literal) -> bool:
    if lit.kind == "null":
        return (actual is None) == (op == "=") if op in ("=", "!=") else False
    if actual is None or isinstance(actual, (dict, list)):
        return op == "!="
    if op in ("contains", "like"):
        text, pattern = str(actual).lower(), str(lit.value).lower()
        if op == "contains":
            return pattern in text
        regex = "".join(".*" if c in "%*" else "." if c == "_" else re.escape(c) for c in pattern)
        return re.fullmatch(regex, text, re.DOTALL) is not None
    left, right = _coerce(actual, lit)
    if left is None:
        return op == "!="
    # both sides coerced alike (Decimals, datetimes, bools or lower-cased texts): each is a bool
    outcomes: dict[str, bool] = {
        "=": left == right,
        "!=": left != right,
        "<": left < right,
        "<=": left <= right,
        ">": left > right,
        ">=": left >= right,
    }
    return outcomes[op]


def _coerce(actual: Any, lit: _Literal) -> tuple[Any, Any]:
    try:
        if lit.kind == "number" and not isinstance(actual, bool):
            return Decimal(str(actual)), lit.value
        if lit.kind == "datetime":
            return parse_datetime(str(actual)), lit.value
        if lit.kind == "bool":
            return (actual if isinstance(actual, bool) else None), lit.value
    except (InvalidOperation, ValueError):
        return None, None
    return str(actual).lower(), str(lit.value).lower()
