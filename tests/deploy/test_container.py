"""The container image: slim, non-root, every dependency pinned by version and hash; and,
where a Docker engine is available, built and run through `make demo`'s job."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
import tomllib

ROOT = Path(__file__).parents[2]
DOCKERFILE = (ROOT / "Dockerfile").read_text(encoding="utf-8")
IMAGE = "ncesync:test"


def _requirements(path: Path) -> dict[str, list[str]]:
    """name -> the hashes of its pinned version, from a pip-compile lock file."""
    text = re.sub(r"\s*\\\n\s*", " ", path.read_text(encoding="utf-8"))
    found = {}
    for line in text.splitlines():
        line = line.split(" #")[0].strip()
        if not line or line.startswith("#"):
            continue
        match = re.match(r"^([A-Za-z0-9_.-]+)==(\S+)((?: --hash=sha256:[0-9a-f]{64})+)$", line)
        assert match, f"{path.name}: not pinned by version and hash: {line[:80]}"
        found[re.sub(r"[-_.]+", "-", match.group(1)).lower()] = match.group(3).split()
    return found


def _name(requirement: str) -> str:
    return re.sub(r"[-_.]+", "-", re.split(r"[<>=!~\[; ]", requirement, maxsplit=1)[0]).lower()


def test_the_lock_pins_every_dependency_by_version_and_hash() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    locked = _requirements(ROOT / "docker" / "requirements.lock")
    wanted = {_name(r) for r in project["dependencies"] + project["optional-dependencies"]["xlsx"]} | {"tzdata"}
    assert wanted <= set(locked), wanted - set(locked)
    assert all(hashes for hashes in locked.values())


def test_the_build_tools_are_locked_too() -> None:
    build = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["build-system"]["requires"]
    locked = _requirements(ROOT / "docker" / "build-requirements.lock")
    assert {_name(r) for r in build} <= set(locked)


def test_the_image_is_slim_non_root_and_installs_only_from_the_lock() -> None:
    assert re.search(r"^ARG PYTHON_IMAGE=python:3\.\d+-slim", DOCKERFILE, re.M)
    assert len(re.findall(r"pip install --require-hashes --no-deps -r docker/", DOCKERFILE)) == 2
    assert "-r docker/requirements.lock" in DOCKERFILE and "-r docker/build-requirements.lock" in DOCKERFILE
    installs = re.findall(r"pip install ([^\n\\]+)", DOCKERFILE)
    assert all("--require-hashes" in i or "--no-deps" in i for i in installs), installs
    users = re.findall(r"^USER (\S+)$", DOCKERFILE, re.M)
    assert users == ["10001:10001"], "the final stage runs as a numeric non-root user"
    assert DOCKERFILE.rstrip().endswith('ENTRYPOINT ["ncesync"]\nCMD ["--help"]')


def test_the_build_context_leaves_run_state_and_secrets_out() -> None:
    lines = (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
    ignore = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    assert ignore[0] == "*", "ignore everything, then let in only the build inputs"
    assert not any(p.startswith("!") and (".ncesync" in p or ".venv" in p or ".git" in p) for p in ignore)
    for copied in re.findall(r"^COPY (?!--from)(.+) \S+$", DOCKERFILE, re.M):
        for path in copied.split():
            assert f"!{path}" in ignore, f"{path} is copied, so .dockerignore must let it in"


def _docker_engine() -> bool:
    if shutil.which("docker") is None:
        return False
    try:
        return subprocess.run(["docker", "info"], capture_output=True, timeout=30).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


@pytest.mark.skipif(
    not _docker_engine(), reason="no Docker engine on this machine (the docker client alone cannot build)"
)
def test_the_image_builds_and_runs_make_demos_job(tmp_path: Path) -> None:
    subprocess.run(["docker", "build", "-t", IMAGE, str(ROOT)], check=True, timeout=1800)
    deployment = tmp_path / "deployment"
    deployment.mkdir()
    for folder in ("specs", "sandbox"):
        shutil.copytree(ROOT / folder, deployment / folder)
    run = ["docker", "run", "--rm", "--user", f"{os.getuid()}:{os.getgid()}", "-v", f"{deployment}:/deployment", IMAGE]
    for args, code in (
        (["sandbox", "reset"], 0),
        (["validate"], 0),
        (["doctor"], 0),
        (["plan"], 0),
        (["apply", "--auto-approve"], 0),
        (["plan", "--detailed-exitcode"], 0),
    ):
        result = subprocess.run([*run, *args], capture_output=True, text=True, timeout=600)
        assert result.returncode == code, (args, result.stdout, result.stderr)
    assert "No changes" in result.stdout
    whoami = subprocess.run(
        ["docker", "run", "--rm", "--entrypoint", "id", IMAGE, "-u"], capture_output=True, text=True
    )
    assert whoami.stdout.strip() == "10001"


def test_operations_doc_shows_the_build_and_the_demo_job_in_the_container() -> None:
    from tests.deploy.test_manifests import _image_args, _parse

    doc = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    assert "docker build -t ncesync:0.1.0 ." in doc
    runs = [line for line in doc.splitlines() if line.startswith("docker run ")]
    jobs = [_image_args(line) for line in runs]
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    demo = makefile.split("\ndemo:", 1)[1].split("\n\n", 1)[0]
    steps = [
        shlex.split(line.strip().replace("$(DEMO) ", "", 1).replace(" -C $(DEPLOYMENT)", "", 1))
        for line in demo.splitlines()
        if line.strip().startswith("$(DEMO) ")
    ]
    assert jobs == steps, "the doc runs the same steps as `make demo`"
    for job in jobs:
        _parse(job)
