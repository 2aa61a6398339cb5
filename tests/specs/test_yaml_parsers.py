"""Specs are parsed by libyaml when PyYAML has it; what a user sees is the same as with the
pure-Python parser: the values, every position, and the words of each syntax error."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from reconciler.specs import yamlfile

HERE = Path(__file__).parent
FILES = sorted((HERE / "bad").glob("*.yaml")) + sorted((HERE.parent / "fixtures" / "specs").rglob("*.yaml"))
TEXTS = {
    "tab": "name: a\n\tagreement_id: 5\n",
    "unclosed flow list": "name: [a, b\nagreement_id: 5\n",
    "bad indentation": "name: a\n  x: 1\n y: 2\n",
    "duplicate key": "name: a\nname: b\n",
    "colon in a plain value": "name: a: b\n",
    "unclosed quote": 'name: "abc\nx: 1\n',
    "undefined alias": "a: *nope\n",
    "list then mapping": "- a\nb: 1\n",
    "money": "price: 36.30\nq: 1_000.5\n",
    "empty": "",
    "comment only": "# only\n",
    "complex key": "? [a, b]\n: 1\n",
    "two documents": "a: 1\n---\nb: 2\n",
    "anchors": "a: &x {b: 1}\nc: *x\n",
    "scalars": "a: yes\nb: on\nc: 2024-06-15\nd: 0x1F\ne: ~\n",
}


def _seen(path: Path, loader: type, monkeypatch: pytest.MonkeyPatch) -> tuple:
    monkeypatch.setattr(yamlfile, "FAST_LOADER", loader)
    doc = yamlfile.load_yaml(path, path.name)
    problems = [(p.line, p.column, p.pointer, p.message) for p in doc.problems]
    return problems, doc.data, doc.marks, doc.key_marks


pytestmark = pytest.mark.skipif(not hasattr(yaml, "CSafeLoader"), reason="PyYAML built without libyaml")


def test_libyaml_is_the_parser_when_pyyaml_has_it() -> None:
    assert yamlfile.FAST_LOADER is yaml.CSafeLoader


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_spec_files_read_the_same_with_either_parser(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert _seen(path, yaml.CSafeLoader, monkeypatch) == _seen(path, yaml.SafeLoader, monkeypatch)


@pytest.mark.parametrize("name", TEXTS)
def test_broken_and_unusual_yaml_reads_the_same_with_either_parser(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "client.yaml"
    path.write_text(TEXTS[name], encoding="utf-8")
    assert _seen(path, yaml.CSafeLoader, monkeypatch) == _seen(path, yaml.SafeLoader, monkeypatch)


def test_an_alias_bomb_is_refused_before_it_grows(tmp_path) -> None:
    """Nine levels of nine aliases would be 387 million values; each alias is refused where
    it is first used, so the file is read at once."""
    from reconciler.specs.yamlfile import load_yaml

    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
    path = tmp_path / "bomb.yaml"
    path.write_text("\n".join(lines) + "\n")
    doc = load_yaml(path, "bomb.yaml")
    assert [p.message for p in doc.problems] == [
        "invalid YAML: anchors and aliases (&name, *name) are not supported in specs; write the value out"
    ]
    assert doc.problems[0].line == 1  # the anchored value, first used again on line 2


def test_a_scalar_used_again_by_an_alias_is_refused_too(tmp_path) -> None:
    from reconciler.specs.yamlfile import load_yaml

    path = tmp_path / "client.yaml"
    path.write_text("name: &n Contoso\nagreement_name: *n\n")
    assert [p.message for p in load_yaml(path, "client.yaml").problems] == [
        "invalid YAML: anchors and aliases (&name, *name) are not supported in specs; write the value out"
    ]


def test_an_alias_as_a_key_is_refused_too(tmp_path) -> None:
    from reconciler.specs.yamlfile import load_yaml

    path = tmp_path / "client.yaml"
    path.write_text("name: &n m365-business-premium\nlicences: {*n : {agreement_id: 1002}}\n")
    assert [p.message for p in load_yaml(path, "client.yaml").problems] == [
        "invalid YAML: anchors and aliases (&name, *name) are not supported in specs; write the value out"
    ]


@pytest.mark.parametrize("character", ["\x00", "\x07", "\x1b"], ids=["NUL", "bell", "escape"])
def test_a_control_character_is_a_located_problem(tmp_path, character: str) -> None:
    path = tmp_path / "contoso.yaml"
    path.write_text(f"name: Contoso\nnote: a{character}b\n", encoding="utf-8")
    doc = yamlfile.load_yaml(path, "contoso.yaml")
    [problem] = doc.problems
    assert (problem.line, problem.column) == (2, 8)
    assert f"control character #x{ord(character):04x} is not allowed" in problem.message


def test_lists_nested_beyond_reason_are_a_problem_not_a_crash(tmp_path) -> None:
    path = tmp_path / "deep.yaml"
    path.write_text("a: " + "[" * 3000 + "]" * 3000 + "\n", encoding="utf-8")
    [problem] = yamlfile.load_yaml(path, "deep.yaml").problems
    assert "nested too deeply" in problem.message
