"""YAML files that remember where each value came from (line and column).

PyYAML's safe loader silently keeps the last of two duplicate keys and turns `36.30` into a
binary float. Specs are billing data, so we walk the composed node tree ourselves: duplicate
keys are problems, floats become Decimal, and every JSON pointer maps to its position.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from reconciler.errors import Problem

FLOAT_TAG = "tag:yaml.org,2002:float"
MERGE_TAG = "tag:yaml.org,2002:merge"
# libyaml's parser, when PyYAML was built with it, composes the same nodes with the same
# marks as the pure-Python one, several times faster: spec loading was most of a large
# deployment's start-up. It words its errors its own way, so a file it refuses is read
# again by the pure-Python parser, whose messages the docs and tests show.
FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass
class YamlDocument:
    file: str
    data: Any = None
    marks: dict[str, tuple[int, int]] = field(default_factory=dict)  # pointer -> value position
    key_marks: dict[str, tuple[int, int]] = field(default_factory=dict)  # pointer -> key position
    problems: list[Problem] = field(default_factory=list)

    def where(self, pointer: str, *, key: bool = False) -> tuple[int, int]:
        """Position of `pointer`, or of its nearest ancestor that has one."""
        table = self.key_marks if key else self.marks
        p = pointer
        while True:
            if p in table:
                return table[p]
            if p in self.marks:
                return self.marks[p]
            if not p:
                return (1, 1)
            p = p.rsplit("/", 1)[0]

    def problem(self, pointer: str, message: str, *, key: bool = False) -> Problem:
        line, column = self.where(pointer, key=key)
        return Problem(self.file, line, column, pointer, message)


def escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def load_yaml(path: Path, display: str) -> YamlDocument:
    """Parse one file; syntax errors become located problems, never exceptions."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        doc = YamlDocument(file=display)
        doc.problems.append(Problem(display, 1, 1, "", f"cannot read the file: {exc}"))
        return doc
    doc, refused = _parse(text, display, FAST_LOADER)
    if refused and FAST_LOADER is not yaml.SafeLoader:
        doc, _ = _parse(text, display, yaml.SafeLoader)
    return doc


def _parse(text: str, display: str, loader_class: Any) -> tuple[YamlDocument, bool]:
    """The document, and whether the parser refused the text (a syntax error)."""
    doc = YamlDocument(file=display)
    try:
        loader = loader_class(text)  # the pure-Python reader checks every character here
    except yaml.reader.ReaderError as exc:
        doc.problems.append(_unacceptable(text, display, exc))
        return doc, True
    try:
        node = loader.get_single_node()
        if node is None:
            doc.problems.append(Problem(display, 1, 1, "", "the file is empty"))
            return doc, False
        doc.data = _build(node, "", loader, doc)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        what = exc.problem or str(exc)
        if "\t" in text.splitlines()[line - 1 if line - 1 < len(text.splitlines()) else 0]:
            what += " (YAML indentation must use spaces, not tabs)"
        doc.problems.append(Problem(display, line, column, "", f"invalid YAML: {what}"))
        return doc, True
    except yaml.reader.ReaderError as exc:
        doc.problems.append(_unacceptable(text, display, exc))
        return doc, True
    except yaml.YAMLError as exc:
        doc.problems.append(Problem(display, 1, 1, "", f"invalid YAML: {exc}"))
        return doc, True
    except RecursionError:
        doc.problems.append(Problem(display, 1, 1, "", "invalid YAML: lists or mappings nested too deeply"))
        return doc, True
    finally:
        loader.dispose()
    return doc, False


def _unacceptable(text: str, display: str, exc: yaml.reader.ReaderError) -> Problem:
    """A character YAML does not allow (a NUL, a bell, an escape: a binary file, or a
    paste from a terminal), at its line and column."""
    at = max(0, min(exc.position, len(text)))
    line = text.count("\n", 0, at) + 1
    column = at - (text.rfind("\n", 0, at) + 1) + 1
    code = f"#x{exc.character:04x}" if isinstance(exc.character, int) else repr(exc.character)
    return Problem(display, line, column, "", f"invalid YAML: the control character {code} is not allowed; remove it")


def _first_use(node: yaml.Node, seen: set[int]) -> None:
    """An alias (*name) makes the composer hand out its anchored node again: refused, as a
    value written twice could also nest itself (endless) or multiply (a "billion laughs")."""
    if id(node) in seen:
        raise yaml.MarkedYAMLError(
            problem="anchors and aliases (&name, *name) are not supported in specs; write the value out",
            problem_mark=node.start_mark,
        )
    seen.add(id(node))


def _build(node: yaml.Node, pointer: str, loader: Any, doc: YamlDocument, seen: set[int] | None = None) -> Any:
    seen = set() if seen is None else seen
    _first_use(node, seen)
    doc.marks[pointer] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == MERGE_TAG:
                raise yaml.MarkedYAMLError(
                    problem="merge keys (<<) are not supported in specs; write the settings out",
                    problem_mark=key_node.start_mark,
                )
            _first_use(key_node, seen)  # an alias as a key too
            key = loader.construct_object(key_node, deep=True)
            if not isinstance(key, (str, int)):
                raise yaml.MarkedYAMLError(problem="a key must be a plain word", problem_mark=key_node.start_mark)
            child = f"{pointer}/{escape(str(key))}"
            position = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            if key in result:
                first = doc.key_marks[child]
                doc.problems.append(
                    Problem(doc.file, *position, child, f"duplicate key {key!r} (first at line {first[0]})")
                )
                continue
            doc.key_marks[child] = position
            result[key] = _build(value_node, child, loader, doc, seen)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_build(item, f"{pointer}/{i}", loader, doc, seen) for i, item in enumerate(node.value)]
    if node.tag == FLOAT_TAG:
        try:
            number = Decimal(node.value.replace("_", ""))
        except ArithmeticError:
            number = Decimal(str(loader.construct_object(node)))  # .nan, .inf, 1e3 spellings
        if not number.is_finite():
            raise yaml.MarkedYAMLError(
                problem=f"{node.value} is not a number ncesync can use", problem_mark=node.start_mark
            )
        return number
    return loader.construct_object(node)
