"""The CI examples in examples/ci/: structure checked against small JSON Schemas of the parts
we rely on (triggers, jobs, steps, concurrency, secrets), every `ncesync` command line parsed
by the real CLI, and the GitLab sticky-note script run against a loopback fake of the API."""

from __future__ import annotations

import importlib.util
import json
import re
import shlex
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any, ClassVar

import click
import jsonschema
import pytest
import yaml

from reconciler.apply.journal import JOURNAL
from reconciler.cli.main import cli
from reconciler.report.render.markdown import MARKER

ROOT = Path(__file__).parents[2]
CI = ROOT / "examples" / "ci"
SCHEMAS = Path(__file__).parent / "schemas"
PLAN_WORKFLOW = CI / "github" / "ncesync-plan.yml"
APPLY_WORKFLOW = CI / "github" / "ncesync-apply.yml"
GITLAB = CI / "gitlab" / ".gitlab-ci.yml"
SETTINGS = ROOT / "tests" / "fixtures" / "specs" / "good" / "specs" / "settings.yaml"
SHELL_STOPS = {">", ">>", "2>", "|", "||", "&&", ";"}


def _load(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if True in data:  # YAML 1.1 reads the key `on` as a boolean
        data["on"] = data.pop(True)
    return data


def _schema(name: str) -> dict[str, Any]:
    return json.loads((SCHEMAS / name).read_text(encoding="utf-8"))


def _steps(workflow: dict[str, Any]) -> list[dict[str, Any]]:
    return [step for job in workflow["jobs"].values() for step in job["steps"]]


def _shell_texts() -> Iterator[tuple[str, str]]:
    for path in (PLAN_WORKFLOW, APPLY_WORKFLOW):
        for step in _steps(_load(path)):
            if "run" in step:
                yield path.name, step["run"]
    for name, job in _load(GITLAB).items():
        if isinstance(job, dict) and "script" in job:
            yield f"{GITLAB.name}:{name}", "\n".join(job["script"])


def _ncesync_commands() -> list[tuple[str, list[str]]]:
    found = []
    for where, text in _shell_texts():
        for line in text.splitlines():
            line = line.strip()
            if not line.startswith("ncesync "):
                continue
            words = shlex.split(line)[1:]
            cut = next((i for i, w in enumerate(words) if w in SHELL_STOPS or w.startswith((">", "2>"))), len(words))
            found.append((where, words[:cut]))
    return found


def _parse(words: list[str]) -> click.Context:
    """Parse (never run) a command line with the real CLI; UsageError for a bad option."""
    command: click.Command = cli
    parent = click.Context(cli, info_name="ncesync")
    while isinstance(command, click.Group):
        name, *words = words
        sub = command.get_command(parent, name)
        assert sub is not None, f"no command {name!r}"
        command, parent = sub, click.Context(sub, info_name=name, parent=parent)
    return command.make_context(command.name or "", list(words), parent=parent.parent)


@pytest.mark.parametrize("path", [PLAN_WORKFLOW, APPLY_WORKFLOW], ids=lambda p: p.name)
def test_github_workflows_match_the_schema(path: Path) -> None:
    jsonschema.validate(_load(path), _schema("github-workflow.schema.json"))


def test_gitlab_pipeline_matches_the_schema() -> None:
    pipeline = _load(GITLAB)
    jsonschema.validate(pipeline, _schema("gitlab-ci.schema.json"))
    for name, job in pipeline.items():
        if isinstance(job, dict) and "stage" in job:
            assert job["stage"] in pipeline["stages"], name


def test_the_schema_catches_a_literal_secret() -> None:
    workflow = _load(APPLY_WORKFLOW)
    workflow["jobs"]["apply"]["env"]["CW_PRIVATE_KEY"] = "hunter2"
    with pytest.raises(jsonschema.ValidationError, match="does not match"):
        jsonschema.validate(workflow, _schema("github-workflow.schema.json"))
    pipeline = _load(GITLAB)
    pipeline["variables"]["CW_PRIVATE_KEY"] = "hunter2"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(pipeline, _schema("gitlab-ci.schema.json"))


def test_every_ncesync_command_line_parses() -> None:
    commands = _ncesync_commands()
    assert len(commands) >= 8
    for where, words in commands:
        try:
            _parse(words)
        except click.UsageError as exc:
            pytest.fail(f"{where}: `ncesync {' '.join(words)}`: {exc}")


def test_a_bad_command_line_would_be_caught() -> None:
    with pytest.raises(click.UsageError):
        _parse(["plan", "--format", "html"])


def test_pull_requests_on_specs_validate_then_plan_markdown_with_detailed_exitcode() -> None:
    workflow = _load(PLAN_WORKFLOW)
    assert workflow["on"] == {"pull_request": {"paths": ["specs/**"]}}
    assert workflow["permissions"]["pull-requests"] == "write"
    runs = [s.get("run", "") for s in _steps(workflow)]
    validate = next(i for i, r in enumerate(runs) if r.startswith("ncesync validate"))
    plan = next(i for i, r in enumerate(runs) if "ncesync plan" in r)
    assert validate < plan
    assert "--format markdown --detailed-exitcode" in runs[plan]
    comment = next(s for s in _steps(workflow) if s.get("uses", "").startswith("actions/github-script@"))
    assert f"const marker = '{MARKER}'" in comment["with"]["script"]
    assert "updateComment" in comment["with"]["script"]
    gate = runs[-1]
    assert re.search(r"0\) .*;;", gate) and re.search(r"2\) .*;;", gate) and "3) " in gate and "exit 3" in gate

    pipeline = _load(GITLAB)
    rules = pipeline[".merge_request_specs"]["rules"]
    assert rules == [{"if": '$CI_PIPELINE_SOURCE == "merge_request_event"', "changes": ["specs/**/*"]}]
    assert pipeline["stages"].index("validate") < pipeline["stages"].index("plan")
    assert any("--format markdown --detailed-exitcode" in line for line in pipeline["plan"]["script"])


def test_nightly_apply_is_serialised_and_keeps_the_journal() -> None:
    workflow = _load(APPLY_WORKFLOW)
    assert "schedule" in workflow["on"]
    assert workflow["concurrency"] == {"group": "ncesync-apply", "cancel-in-progress": False}
    steps = _steps(workflow)
    assert any(s.get("run") == "ncesync apply --auto-approve" for s in steps)
    upload = next(s for s in steps if s.get("uses", "").startswith("actions/upload-artifact@"))
    assert upload["if"] == "always()"
    assert upload["with"]["path"] == JOURNAL.as_posix()

    job = _load(GITLAB)["apply"]
    assert job["resource_group"] == "ncesync-apply"
    assert "ncesync apply --auto-approve" in job["script"]
    assert job["rules"][0]["if"].startswith('$CI_PIPELINE_SOURCE == "schedule"')
    assert job["artifacts"]["when"] == "always" and job["artifacts"]["paths"] == [JOURNAL.as_posix()]


@pytest.mark.parametrize("path", [PLAN_WORKFLOW, APPLY_WORKFLOW], ids=lambda p: p.name)
def test_every_env_secret_of_the_specs_comes_from_the_secret_store(path: Path) -> None:
    wanted = set(re.findall(r"env:([A-Z][A-Z0-9_]*)", SETTINGS.read_text()))
    assert wanted
    for job in _load(path)["jobs"].values():
        env = job["env"]
        assert wanted <= set(env)
        for name in wanted:
            assert env[name] == f"${{{{ secrets.{name} }}}}"


# -- the GitLab sticky note ------------------------------------------------------------


def _plan_comment():
    spec = importlib.util.spec_from_file_location("plan_comment", CI / "gitlab" / "plan_comment.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class _FakeGitLab(BaseHTTPRequestHandler):
    notes: ClassVar[list[dict[str, Any]]] = []

    def log_message(self, *args: Any) -> None:
        pass

    def _reply(self, body: Any) -> None:
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _body(self) -> dict[str, Any]:
        assert self.headers["PRIVATE-TOKEN"] == "test-token"
        return json.loads(self.rfile.read(int(self.headers["Content-Length"])))

    def do_GET(self) -> None:
        page = int(re.search(r"[?&]page=(\d+)", self.path).group(1))
        self._reply(self.notes if page == 1 else [])

    def do_POST(self) -> None:
        note = {"id": len(self.notes) + 1, **self._body()}
        self.notes.append(note)
        self._reply(note)

    def do_PUT(self) -> None:
        note_id = int(self.path.rsplit("/", 1)[1])
        note = next(n for n in self.notes if n["id"] == note_id)
        note.update(self._body())
        self._reply(note)


def test_gitlab_plan_note_is_created_once_then_updated_in_place() -> None:
    module = _plan_comment()
    _FakeGitLab.notes = [{"id": 1, "body": "LGTM"}]
    server = HTTPServer(("127.0.0.1", 0), _FakeGitLab)
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    env = {
        "CI_API_V4_URL": f"http://127.0.0.1:{server.server_port}/api/v4",
        "CI_PROJECT_ID": "group/specs",
        "CI_MERGE_REQUEST_IID": "7",
        "NCESYNC_GITLAB_TOKEN": "test-token",
    }
    try:
        module.post(module.note_body(f"{MARKER}\nfirst plan", "", 2), env)
        module.post(module.note_body(f"{MARKER}\nsecond plan", "", 0), env)
        module.post(module.note_body("", "Error: DD_ACCESS_TOKEN is not set", 1), env)
    finally:
        server.shutdown()
        thread.join()
    assert [n["id"] for n in _FakeGitLab.notes] == [1, 2]
    assert _FakeGitLab.notes[0]["body"] == "LGTM"
    assert _FakeGitLab.notes[1]["body"].startswith(f"{MARKER}\n### ncesync plan failed (exit code 1)")
    assert "Error: DD_ACCESS_TOKEN is not set" in _FakeGitLab.notes[1]["body"]
