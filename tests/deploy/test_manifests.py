"""The deployment examples are checked as CI would check them, offline: the Kubernetes
manifests against the Kubernetes API's own strict JSON Schemas, every GitHub Actions
workflow against SchemaStore's schema and the GitLab pipeline against GitLab's (vendored in
schemas/, see README.md there), the systemd units parsed, and every `ncesync` command line
in them parsed by the real CLI."""

from __future__ import annotations

import configparser
import json
import re
import shlex
from pathlib import Path
from typing import Any

import click
import jsonschema
import pytest
import yaml

from reconciler.cli.main import cli

ROOT = Path(__file__).parents[2]
SCHEMAS = Path(__file__).parent / "schemas"
KUBERNETES = ROOT / "examples" / "deploy" / "kubernetes"
SYSTEMD = ROOT / "examples" / "deploy" / "systemd"
WORKFLOWS = sorted((ROOT / "examples" / "ci" / "github").glob("*.yml"))
CONTAINER_WORKFLOW = ROOT / "examples" / "ci" / "github" / "ncesync-apply-container.yml"
SETTINGS = ROOT / "tests" / "fixtures" / "specs" / "good" / "specs" / "settings.yaml"


def _schema(name: str) -> dict[str, Any]:
    return json.loads((SCHEMAS / name).read_text(encoding="utf-8"))


def _validate(document: Any, schema: dict[str, Any]) -> None:
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    cls(schema, format_checker=cls.FORMAT_CHECKER).validate(document)


def _workflow(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if True in data:  # YAML 1.1 reads the key `on` as a boolean
        data["on"] = data.pop(True)
    return data


GLOBAL_OPTIONS = {"--log-level", "--log-format", "--run-id"}  # each takes a value
DOCKER_RUN_VALUES = {"-v", "--volume", "-e", "--env", "--env-file", "-u", "--user", "--name", "--entrypoint", "-w"}


def _parse(words: list[str]) -> None:
    """Parse (never run) an ncesync command line, global options first; click.UsageError
    when any option or value is wrong."""
    words = list(words)
    global_words = []
    while words and words[0] in GLOBAL_OPTIONS:
        global_words += words[:2]
        words = words[2:]
    parent = cli.make_context("ncesync", [*global_words, "schema"])
    command: click.Command = cli
    while isinstance(command, click.Group):
        name, *words = words
        sub = command.get_command(parent, name)
        assert sub is not None, f"no command {name!r}"
        command = sub
        if isinstance(command, click.Group):
            parent = click.Context(command, info_name=name, parent=parent)
    command.make_context(command.name or "", words, parent=parent)


def _image_args(docker_run: str) -> list[str]:
    """The arguments given to the image's `ncesync` entry point in a `docker run` line."""
    words = shlex.split(docker_run)
    assert words[0].endswith("docker") and words[1] == "run", docker_run
    i = 2
    while words[i].startswith("-"):
        i += 2 if words[i] in DOCKER_RUN_VALUES else 1
    return words[i + 1 :]  # words[i] is the image


@pytest.mark.parametrize(
    "name, schema",
    [
        ("cronjob.yaml", "kubernetes-cronjob.schema.json"),
        ("persistentvolumeclaim.yaml", "kubernetes-persistentvolumeclaim.schema.json"),
    ],
)
def test_kubernetes_manifests_match_the_api_schema(name: str, schema: str) -> None:
    _validate(yaml.safe_load((KUBERNETES / name).read_text(encoding="utf-8")), _schema(schema))


def test_the_schema_catches_a_misspelt_field() -> None:
    cronjob = yaml.safe_load((KUBERNETES / "cronjob.yaml").read_text(encoding="utf-8"))
    cronjob["spec"]["concurrencyPolicyy"] = "Forbid"
    with pytest.raises(jsonschema.ValidationError, match="concurrencyPolicyy"):
        _validate(cronjob, _schema("kubernetes-cronjob.schema.json"))


def test_the_cronjob_runs_one_apply_at_a_time_as_non_root_with_secrets_from_a_secret() -> None:
    cronjob = yaml.safe_load((KUBERNETES / "cronjob.yaml").read_text(encoding="utf-8"))
    spec = cronjob["spec"]
    assert spec["concurrencyPolicy"] == "Forbid" and spec["timeZone"] == "Pacific/Auckland"
    job = spec["jobTemplate"]["spec"]
    assert job["backoffLimit"] == 0
    pod = job["template"]["spec"]
    assert pod["securityContext"]["runAsNonRoot"] is True and pod["securityContext"]["runAsUser"] == 10001
    [container] = pod["containers"]
    assert container["envFrom"] == [{"secretRef": {"name": "ncesync-secrets"}}]
    assert not [e for e in container.get("env", []) if "value" in e], "no literal values: secrets come from the Secret"
    assert {m["mountPath"] for m in container["volumeMounts"]} >= {"/deployment/.ncesync"}
    _parse(container["args"])
    assert container["args"][-3:] == ["apply", "--auto-approve", "--quiet"]
    names = re.findall(r"--from-literal=([A-Z_]+)=", (KUBERNETES / "cronjob.yaml").read_text(encoding="utf-8"))
    assert set(re.findall(r"env:([A-Z][A-Z0-9_]*)", SETTINGS.read_text(encoding="utf-8"))) <= set(names)


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_github_workflows_match_schemastores_schema(path: Path) -> None:
    _validate(_workflow(path), _schema("github-workflow.schemastore.json"))


def test_the_gitlab_pipeline_matches_gitlabs_schema() -> None:
    pipeline = yaml.safe_load((ROOT / "examples" / "ci" / "gitlab" / ".gitlab-ci.yml").read_text(encoding="utf-8"))
    _validate(pipeline, _schema("gitlab-ci.gitlab.json"))


def test_schemastores_schema_catches_a_broken_workflow() -> None:
    workflow = _workflow(CONTAINER_WORKFLOW)
    workflow["jobs"]["apply"]["runs_on"] = workflow["jobs"]["apply"].pop("runs-on")
    with pytest.raises(jsonschema.ValidationError):
        _validate(workflow, _schema("github-workflow.schemastore.json"))


def test_the_container_workflow_is_serialised_and_passes_secrets_by_name_only() -> None:
    workflow = _workflow(CONTAINER_WORKFLOW)
    assert "schedule" in workflow["on"]
    assert workflow["concurrency"] == {"group": "ncesync-apply", "cancel-in-progress": False}
    job = workflow["jobs"]["apply"]
    wanted = set(re.findall(r"env:([A-Z][A-Z0-9_]*)", SETTINGS.read_text(encoding="utf-8")))
    for name in wanted:
        assert job["env"][name] == f"${{{{ secrets.{name} }}}}"
    runs = [s["run"] for s in job["steps"] if "docker run" in s.get("run", "")]
    assert len(runs) == 2
    for run in runs:
        assert {f"-e {name}" for name in wanted} <= set(re.findall(r"-e [A-Z_]+", run))
        _parse(_image_args(run))
    assert _image_args(runs[-1])[-2:] == ["apply", "--auto-approve"]


def test_the_systemd_timer_starts_a_oneshot_apply_every_night() -> None:
    def unit(name: str) -> configparser.ConfigParser:
        parser = configparser.ConfigParser(interpolation=None, strict=False)
        parser.optionxform = str  # systemd keys are case-sensitive
        parser.read_string((SYSTEMD / name).read_text(encoding="utf-8"))
        return parser

    timer, service = unit("ncesync.timer"), unit("ncesync.service")
    assert timer["Timer"]["OnCalendar"] == "*-*-* 02:30:00 Pacific/Auckland"
    assert timer["Timer"]["Persistent"] == "true" and timer["Install"]["WantedBy"] == "timers.target"
    assert service["Service"]["Type"] == "oneshot" and service["Service"]["User"] == "ncesync"
    assert service["Service"]["EnvironmentFile"].startswith("/etc/ncesync/")
    _parse(_image_args(service["Service"]["ExecStart"]))
    assert _image_args(service["Service"]["ExecStart"])[-3:] == ["apply", "--auto-approve", "--quiet"]


def test_a_bad_command_line_in_a_manifest_would_be_caught() -> None:
    with pytest.raises(click.UsageError):
        _parse(["apply", "--auto-aprove"])
