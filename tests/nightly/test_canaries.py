"""Canary secrets never appear anywhere: every command is run at debug level (text and JSON
logs) against a served sandbox that expects the canaries as real credentials, and all that
was printed, and every file the runs left (journal, plans, locks, the world), is searched
for each canary in every form it travels in: raw, percent-encoded (quote and quote_plus),
form-encoded, JSON-escaped and base64 (alone and inside an HTTP Basic credential)."""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path
from urllib.parse import quote, quote_plus, urlencode

import pytest
import yaml
from click.testing import CliRunner

from providers.sandbox import SandboxServer
from providers.sandbox.access_keys import AccessKeys
from providers.sandbox.faults import Fault
from providers.sandbox_credentials import SANDBOX_CREDENTIALS
from reconciler.cli.main import cli
from tests.e2e.worlds import TENANT, autotask_world, connectwise_world, write_autotask_deployment, write_deployment

CANARIES = {
    "connectwise": {
        "company_id": "CANARYco7x",
        "public_key": "CANARY+pub/key=1",
        "private_key": "CANARY&priv key%2",
        "client_id": "CANARY-client-id-1234",
    },
    "autotask": {
        "username": "CANARY.user+tag@canary-example.com",
        "secret": "CANARY/secret+=&?x",
        "integration_code": "CANARYINTEGRATION9",
    },
    "dickerdata": {"account_code": "CANARYACC1", "access_token": "CANARY+tok/en=&x y"},
}
ENV = {
    "CW_COMPANY": CANARIES["connectwise"]["company_id"],
    "CW_PUBLIC": CANARIES["connectwise"]["public_key"],
    "CW_PRIVATE": CANARIES["connectwise"]["private_key"],
    "CW_CLIENT": CANARIES["connectwise"]["client_id"],
    "AT_USER": CANARIES["autotask"]["username"],
    "AT_SECRET": CANARIES["autotask"]["secret"],
    "AT_CODE": CANARIES["autotask"]["integration_code"],
    "DD_ACCOUNT": CANARIES["dickerdata"]["account_code"],
    "DD_TOKEN": CANARIES["dickerdata"]["access_token"],
}
DAY = ("--date", "2024-06-15")


def forms(secret: str) -> set[str]:
    """How a secret may show: written independently of ncesync's own masking code."""
    b64 = base64.b64encode(secret.encode()).decode()
    return {
        secret,
        quote(secret, safe=""),
        quote(secret),
        quote_plus(secret),
        urlencode({"x": secret})[2:],
        lower_hex(quote(secret, safe="")),
        json.dumps(secret)[1:-1],
        b64.rstrip("="),
        b64.rstrip("=").replace("+", "-").replace("/", "_"),
    }


def lower_hex(text: str) -> str:
    return re.sub(r"%[0-9A-F]{2}", lambda m: m.group(0).lower(), text)


def secrets(issued_keys: list[str]) -> dict[str, str]:
    found = {f"{vendor}.{name}": value for vendor, names in CANARIES.items() for name, value in names.items()}
    cw = CANARIES["connectwise"]
    basic = f"{cw['company_id']}+{cw['public_key']}:{cw['private_key']}"
    found["connectwise.basic-auth"] = basic
    found.update({f"dickerdata.key-{i}": key for i, key in enumerate(issued_keys)})
    return found


def leaks(text: str, issued_keys: list[str], *also: str) -> list[str]:
    named = {**secrets(issued_keys), **{f"also-{i}": value for i, value in enumerate(also)}}
    return sorted({f"{name} as {form!r}" for name, value in named.items() for form in forms(value) if form in text})


@pytest.fixture
def served(tmp_path, monkeypatch):
    """A sandbox that accepts only the canaries, and the keys it issues."""
    for vendor, values in CANARIES.items():
        for name, value in values.items():
            monkeypatch.setitem(SANDBOX_CREDENTIALS[vendor], name, value)
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)
    issued: list[str] = []
    real_grant = AccessKeys.grant

    def grant(self):
        key, expires = real_grant(self)
        issued.append(key)
        return key, expires

    monkeypatch.setattr(AccessKeys, "grant", grant)
    return issued


def real_endpoints(root: Path, url: str, psa: str, transport: str) -> None:
    settings = root / "specs" / "settings.yaml"
    data = yaml.safe_load(settings.read_text())
    data["source"] = {
        "provider": "dickerdata",
        "endpoint": f"{url}/dickerdata",
        "account_code": "env:DD_ACCOUNT",
        "access_token": "env:DD_TOKEN",
        "key_transport": transport,
    }
    if psa == "connectwise":
        data["psa"] = {
            "provider": "connectwise",
            "endpoint": f"{url}/connectwise",
            "codebase": "v4_6_release",
            "company_id": "env:CW_COMPANY",
            "public_key": "env:CW_PUBLIC",
            "private_key": "env:CW_PRIVATE",
            "client_id": "env:CW_CLIENT",
        }
    else:
        data["psa"] = {
            "provider": "autotask",
            "endpoint": f"{url}/autotask",
            "username": "env:AT_USER",
            "secret": "env:AT_SECRET",
            "integration_code": "env:AT_CODE",
        }
    data["invoice_description"] = "{{ licence.name }} x {{ quantity }}"
    settings.write_text(yaml.safe_dump(data))


def commands(root: Path, plan_file: Path) -> list[tuple[str, ...]]:
    c = ("-C", str(root))
    return [
        ("validate", *c),
        ("validate", *c, "--check-env"),
        ("plan", *c, *DAY),
        ("plan", *c, *DAY, "--format", "json"),
        ("plan", *c, *DAY, "--format", "markdown"),
        ("plan", *c, *DAY, "--out", str(plan_file)),
        ("show", str(plan_file)),
        ("show", str(plan_file), "--format", "json"),
        ("describe", *c, "--client", TENANT, *DAY),
        ("report", "unmapped", *c),
        ("automap", *c, *DAY),
        ("apply", str(plan_file), *c),
        ("plan", *c, *DAY, "--detailed-exitcode"),
        ("apply", *c, *DAY, "--auto-approve"),
        ("journal", *c),
        ("journal", *c, "--format", "json"),
        ("unlock", *c, "--yes"),
        ("schema", "settings"),
        ("plan", *c, "--date", "2026-02-30"),
        ("plan", *c, "--bogus"),
    ]


def run_all(root: Path, sandbox: SandboxServer, plan_file: Path) -> str:
    printed = []
    runner = CliRunner()
    for fmt in ("text", "json"):
        for args in commands(root, plan_file):
            result = runner.invoke(cli, ["--log-level", "debug", "--log-format", fmt, *args])
            printed.append(f"$ ncesync {' '.join(args)} -> {result.exit_code}\n{result.output}")
    return "\n".join(printed)


def left_files(*folders: Path) -> str:
    texts = []
    for folder in folders:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            texts.append(f"== {path}\n{path.read_text(errors='replace')}")
    return "\n".join(texts)


@pytest.mark.parametrize(("psa", "transport"), [("connectwise", "body"), ("autotask", "header"), ("autotask", "body")])
def test_no_canary_anywhere_after_every_command_at_debug_level(tmp_path, served, monkeypatch, psa, transport) -> None:
    root = tmp_path / "deployment"
    if psa == "connectwise":
        write_deployment(root, connectwise_world(quantity=15, prorate=False), style="advance")
    else:
        write_autotask_deployment(root, autotask_world(quantity=15), style="arrears", prorate=False)
    world = tmp_path / "served-world.json"
    world.write_text((root / "sandbox" / "world.json").read_text())
    with SandboxServer(world) as sandbox:
        real_endpoints(root, sandbox.url, psa, transport)
        printed = run_all(root, sandbox, tmp_path / "plan.json")
        # a lost answer (the write is re-read) and a refused credential, at debug level
        with sandbox.store.writing():
            sandbox.store.data["dickerdata"]["subscriptions"][0]["ConfirmedQuantity"] = 17
            sandbox.store.written()
        lost = {"path_contains": "Adjustments"} if psa == "autotask" else {"method": "PATCH"}
        sandbox.faults.add(Fault(kind="lose_response", vendor=psa, **lost))
        result = CliRunner().invoke(cli, ["--log-level", "debug", "apply", "-C", str(root), *DAY, "--auto-approve"])
        printed += f"\n$ apply with a lost answer -> {result.exit_code}\n{result.output}"
        monkeypatch.setenv("DD_TOKEN", CANARIES["dickerdata"]["access_token"] + "-wrong")
        result = CliRunner().invoke(cli, ["--log-level", "debug", "plan", "-C", str(root), *DAY])
        printed += f"\n$ plan with a wrong token -> {result.exit_code}\n{result.output}"
        monkeypatch.setenv("DD_TOKEN", CANARIES["dickerdata"]["access_token"])
    assert served, "the sandbox issued no Dicker Data keys: the runs did not reach it"
    assert "DEBUG urllib3.connectionpool" in printed and '"level": "debug"' in printed  # debug lines were there
    assert re.search(r"apply with a lost answer -> 0\n(.|\n)*Applied (\d) of \2 changes", printed)
    assert "found it applied" in (root / ".ncesync" / "journal.jsonl").read_text()
    assert "Traceback" not in printed
    files = left_files(root, tmp_path)
    assert leaks(printed, served) == []
    assert leaks(files, served) == []


# -- the masking itself ----------------------------------------------------------------------


@pytest.fixture
def canary() -> str:
    from reconciler.secrets import resolve

    return resolve("env:X", {"X": "CANARY.user+tag@canary-example.com/=&"}, setting="psa.username")


def test_urllib3s_request_line_with_a_form_encoded_secret_is_masked(canary, caplog) -> None:
    import logging

    with caplog.at_level(logging.DEBUG):
        logging.getLogger("urllib3.connectionpool").debug(
            '%s://%s:%s "%s %s %s" %s %s',
            "https",
            "webservices.autotask.net",
            443,
            "GET",
            f"/atservicesrest/v1.0/zoneInformation?{urlencode({'user': canary})}",
            "HTTP/1.1",
            200,
            120,
        )
    assert "zoneInformation?user=***" in caplog.text
    assert leaks(caplog.text, [], canary) == []


@pytest.mark.parametrize(
    "encode",
    [
        lambda s: quote(s, safe=""),
        quote_plus,
        lambda s: lower_hex(quote(s, safe="")),
        lambda s: base64.b64encode(s.encode()).decode(),
        lambda s: base64.b64encode(f"acme+pub:{s}".encode()).decode(),
        lambda s: json.dumps({"token": s}),
    ],
)
def test_every_form_of_a_secret_is_masked(canary, encode) -> None:
    from reconciler.secrets import mask

    text = f"before {encode(canary)} after"
    assert canary not in mask(text)
    assert leaks(mask(text), [], canary) == []
    assert mask(text).startswith("before ") and mask(text).endswith(" after")


def test_a_library_logging_through_its_own_handler_is_masked_too(canary) -> None:
    import io
    import logging

    stream = io.StringIO()
    library = logging.getLogger("somelibrary.internal")
    library.propagate = False
    library.addHandler(logging.StreamHandler(stream))
    try:
        library.warning("connecting with %s", quote_plus(canary))
    finally:
        library.handlers.clear()
    assert "connecting with ***" in stream.getvalue()


def test_a_traceback_in_a_log_line_is_masked(canary, capsys) -> None:
    import logging

    from reconciler.logs import configure

    configure(level="debug")
    try:
        raise ValueError(f"refused {canary}")
    except ValueError:
        logging.getLogger("anywhere").exception("failed")
    err = capsys.readouterr().err
    assert "ValueError: refused ***" in err and leaks(err, [], canary) == []
