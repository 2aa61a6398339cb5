"""`ncesync validate`: every bad-spec case is reported with its file:line:column and message."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from reconciler.cli.main import cli

HERE = Path(__file__).parent
GOOD = HERE.parent / "fixtures" / "specs" / "good"
BAD_CASES = sorted((HERE / "bad").glob("*.yaml"))


def _header(path: Path, name: str) -> str:
    for line in path.read_text().splitlines():
        if line.startswith(f"# {name}: "):
            return line.split(": ", 1)[1]
    raise AssertionError(f"{path.name} has no '# {name}:' line")


@pytest.fixture
def deployment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(GOOD, tmp_path / "dep")
    monkeypatch.chdir(tmp_path)
    return Path("dep")


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


def test_good_specs_pass_with_a_one_line_summary(deployment: Path) -> None:
    code, out = run("validate", "-C", str(deployment))
    assert code == 0, out
    assert out.strip() == "specs OK: settings, 3 product mappings, 2 client mappings."


@pytest.mark.parametrize("case", BAD_CASES, ids=lambda p: p.stem)
def test_bad_spec_is_reported_at_its_location(deployment: Path, case: Path) -> None:
    target = deployment / _header(case, "replaces")
    target.write_text(case.read_text())
    code, out = run("validate", "-C", str(deployment))
    assert code == 1
    expected = _header(case, "expect")
    lines = [ln for ln in out.splitlines() if expected in ln]
    assert lines, f"expected a line containing {expected!r}, got:\n{out}"
    assert lines[0].startswith(str(target.parent)), lines[0]
    assert "Traceback" not in out


def test_every_problem_is_reported_at_once(deployment: Path) -> None:
    shutil.copy(HERE / "bad" / "client_unknown_product.yaml", deployment / "specs/clients/contoso.yaml")
    shutil.copy(HERE / "bad" / "products_missing_psa_product.yaml", deployment / "specs/products.yaml")
    code, out = run("validate", "-C", str(deployment))
    assert code == 1
    assert "missing required setting 'psa_product'" in out
    assert "unknown product key 'm365-e3'" in out


def test_secret_values_never_appear_in_messages(deployment: Path) -> None:
    shutil.copy(HERE / "bad" / "settings_secret_literal.yaml", deployment / "specs/settings.yaml")
    code, out = run("validate", "-C", str(deployment))
    assert code == 1
    assert "hunter2" not in out


@pytest.mark.parametrize(
    ("value", "shown"),
    [("987654321", "987654321"), ("[PUBsecretVALUE123]", "PUBsecretVALUE123"), ("{x: Secr3tPrivate}", "Secr3tPrivate")],
)
def test_a_secret_of_the_wrong_type_is_not_echoed(deployment: Path, value: str, shown: str) -> None:
    settings = deployment / "specs" / "settings.yaml"
    text = settings.read_text()
    settings.write_text(text.replace("private_key: env:CW_PRIVATE_KEY", f"private_key: {value}"))
    assert f"private_key: {value}" in settings.read_text()
    code, out = run("validate", "-C", str(deployment))
    assert code == 1
    assert "/psa/private_key: a secret must be written as env:VARIABLE" in out
    assert shown not in out


def test_check_env_reports_unset_variables_only_when_asked(deployment: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("DD_ACCOUNT_CODE", "DD_ACCESS_TOKEN", "CW_COMPANY_ID", "CW_PUBLIC_KEY", "CW_PRIVATE_KEY"):
        monkeypatch.setenv(name, "x-value")
    monkeypatch.delenv("CW_CLIENT_ID", raising=False)
    assert run("validate", "-C", str(deployment))[0] == 0
    code, out = run("validate", "-C", str(deployment), "--check-env")
    assert code == 1
    assert "settings.yaml:16:14: /psa/client_id: environment variable CW_CLIENT_ID is not set" in out
    assert out.count("is not set") == 1


def test_missing_specs_folder_is_a_located_error(tmp_path: Path) -> None:
    code, out = run("validate", "-C", str(tmp_path))
    assert code == 1
    assert "settings.yaml:1:1: /: file not found" in out


def test_schema_command_prints_each_schema() -> None:
    code, out = run("schema")
    assert code == 0
    assert {"client", "products", "settings"} <= set(out.split())
    code, out = run("schema", "settings")
    assert code == 0 and '"$schema": "https://json-schema.org/draft/2020-12/schema"' in out
    code, out = run("schema", "nope")
    assert code == 64 and "no schema named 'nope'" in out  # a usage error (2 means "changes present")


def test_a_clients_folder_that_is_a_file_is_a_problem_not_no_clients(deployment: Path) -> None:
    shutil.rmtree(deployment / "specs/clients")
    (deployment / "specs/clients").write_text("not a folder")
    code, out = run("validate", "-C", str(deployment))
    assert code == 1, out
    assert "specs/clients:1:1: /: cannot list the client files: it is not a folder" in out


def test_a_clients_folder_that_cannot_be_read_is_a_problem_not_no_clients(
    deployment: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """(The suite may run as root, whom file modes do not stop: the refusal is simulated.)"""
    listing = os.scandir

    def refused(path: object) -> object:
        if str(path).endswith("clients"):
            raise PermissionError(13, "Permission denied")
        return listing(path)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "scandir", refused)
    code, out = run("validate", "-C", str(deployment))
    assert code == 1, out
    assert "cannot list the client files: Permission denied; make it a readable folder" in out


def test_hidden_files_in_the_clients_folder_are_not_client_specs(deployment: Path) -> None:
    (deployment / "specs/clients/._contoso.yaml").write_bytes(b"\x00\x05\x16\x07 AppleDouble")
    (deployment / "specs/clients/.#contoso.yaml").write_text("user@host.1234:1700000000")
    code, out = run("validate", "-C", str(deployment))
    assert code == 0, out
    assert "2 client mappings" in out
