"""Alerts and the daily summary, end to end: `ncesync apply` on the sandbox, the channels
pointing at a local HTTP receiver and a local SMTP server."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from providers.sandbox.faults import ENV_VAR
from tests.gitops.conftest import DATE, ncesync
from tests.notify.conftest import set_notify
from tests.notify.receivers import HttpReceiver, SmtpServer

SECRET_TOKEN = "T0ken-in-the-webhook-url-7f3a"


def _apply(root: Path, *extra: str):
    return ncesync("apply", "-C", str(root), *DATE, "--auto-approve", *extra)


def test_teams_gets_an_adaptive_card_when_a_write_fails(
    deployment: Path, http: HttpReceiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TEAMS_WEBHOOK_URL", f"{http.url}/teams/{SECRET_TOKEN}")
    set_notify(deployment, {"type": "teams", "url": "env:TEAMS_WEBHOOK_URL", "events": ["failure", "refusal"]})
    monkeypatch.setenv(ENV_VAR, json.dumps([{"kind": "status", "status": 500, "write_index": 1}]))
    result = _apply(deployment)
    assert result.code == 1
    [request] = http.requests
    assert request.path == f"/teams/{SECRET_TOKEN}"
    [attachment] = request.body["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    title, *rest = attachment["content"]["body"]
    assert title["text"].startswith("ncesync apply FAILED on 2024-06-15: exit 1")
    text = "\n".join(block["text"] for block in rest)
    assert "1 write not made" in text and "500" in text


def test_slack_hears_of_a_guard_refusal(deployment: Path, http: HttpReceiver, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_WEBHOOK_URL", f"{http.url}/slack")
    set_notify(
        deployment,
        {"type": "slack", "url": "env:SLACK_WEBHOOK_URL", "events": ["refusal"]},
        safety={"max_runrate_change": 1},
    )
    assert _apply(deployment).code == 3
    [request] = http.requests
    text = request.body["text"]
    assert text.startswith("*ncesync apply REFUSED by the safety guards on 2024-06-15: nothing was written")
    assert "[max-runrate-change]" in text


def test_a_channel_only_for_failures_stays_quiet_when_all_goes_well(
    deployment: Path, http: HttpReceiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SLACK_WEBHOOK_URL", f"{http.url}/slack")
    set_notify(deployment, {"type": "slack", "url": "env:SLACK_WEBHOOK_URL", "events": ["failure"]})
    assert _apply(deployment).code == 0
    assert http.requests == []


def test_the_webhook_gets_the_daily_summary_as_json_with_its_secret_header(
    deployment: Path, http: HttpReceiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOOK_URL", f"{http.url}/hook")
    monkeypatch.setenv("HOOK_TOKEN", "Bearer s3cret-header")
    set_notify(
        deployment,
        {
            "type": "webhook",
            "url": "env:HOOK_URL",
            "headers": {"Authorization": "env:HOOK_TOKEN"},
            "events": ["summary"],
        },
    )
    plan = json.loads(ncesync("plan", "-C", str(deployment), *DATE, "--format", "json").stdout)
    monkeypatch.setenv("NCESYNC_RUN_ID", "nightly-7")  # the scheduler's own id
    assert _apply(deployment).code == 0
    [request] = http.requests
    assert request.headers["Authorization"] == "Bearer s3cret-header"
    body = request.body
    assert body["event"] == "summary" and body["run"]["run_id"] == "nightly-7"
    run = body["run"]
    assert run["outcome"] is None and run["applied"] == len(plan["changes"]) > 0
    rates = [Decimal(c["runrate_change"]) for c in plan["changes"]]
    assert Decimal(run["money_in"]) == sum(r for r in rates if r > 0)
    assert Decimal(run["money_out"]) == sum(r for r in rates if r < 0)
    assert run["runrate"] == plan["totals"]["runrate_change"]
    assert body["title"].startswith("ncesync apply ok on 2024-06-15: +$")
    assert "/month in, " in body["title"]


def test_email_carries_the_summary_through_smtp(
    deployment: Path, smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SMTP_USER", "ncesync@msp.example")
    monkeypatch.setenv("SMTP_PASSWORD", "smtp-pa55word")
    set_notify(
        deployment,
        {
            "type": "email",
            "host": "127.0.0.1",
            "port": smtp.port,
            "security": "none",
            "username": "env:SMTP_USER",
            "password": "env:SMTP_PASSWORD",
            "from": "ncesync@msp.example",
            "to": ["billing@msp.example", "oncall@msp.example"],
            "events": ["failure", "summary"],
        },
    )
    result = _apply(deployment)
    assert result.code == 0
    [mail] = smtp.mails
    assert mail.login == ("ncesync@msp.example", "smtp-pa55word")
    assert mail.recipients == ["billing@msp.example", "oncall@msp.example"]
    assert mail.message["Subject"].startswith("ncesync apply ok on 2024-06-15")
    body = mail.message.get_payload(decode=True).decode()
    assert " made; run-rate " in body and ("Nothing needs review." in body or "Needs review" in body)
    assert "smtp-pa55word" not in result.stderr


def test_a_failed_notification_is_logged_masked_and_never_fails_the_sync(
    deployment: Path, http: HttpReceiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    http.status = 500
    monkeypatch.setenv("TEAMS_WEBHOOK_URL", f"{http.url}/teams/{SECRET_TOKEN}")
    monkeypatch.setenv("DOWN_URL", f"http://127.0.0.1:9/{SECRET_TOKEN}")  # the discard port: nothing listens
    set_notify(
        deployment,
        {"type": "teams", "url": "env:TEAMS_WEBHOOK_URL", "events": ["summary"]},
        {"type": "slack", "name": "on-call", "url": "env:DOWN_URL", "events": ["summary"]},
        {"type": "slack", "name": "unset", "url": "env:NOT_SET_ANYWHERE", "events": ["summary"]},
    )
    result = _apply(deployment)
    assert result.code == 0, result.stderr
    assert len(http.requests) == 1  # tried once, never retried
    warnings = [line for line in result.stderr.splitlines() if "notify:" in line]
    assert len(warnings) == 3, result.stderr
    assert "HTTP 500" in warnings[0] and "channel=on-call" in warnings[1]
    assert "NOT_SET_ANYWHERE" in warnings[2]
    assert SECRET_TOKEN not in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("ncesync apply: ok (exit 0)")


def test_a_channel_can_bring_its_own_template(
    deployment: Path, http: HttpReceiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    (deployment / "notify").mkdir()
    (deployment / "notify" / "short.j2").write_text(
        "[{{ run.event }}] {{ run.deployment }}: {{ run.runrate | signed_money }}/month\n{{ run.applied }} writes\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("SLACK_WEBHOOK_URL", f"{http.url}/slack")
    set_notify(
        deployment,
        {"type": "slack", "url": "env:SLACK_WEBHOOK_URL", "events": ["summary"], "template": "notify/short.j2"},
    )
    assert _apply(deployment).code == 0
    [request] = http.requests
    assert request.body["text"].startswith("*[summary] deployment: +$")


def test_validate_checks_notify_secrets_and_templates(deployment: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    set_notify(
        deployment,
        {"type": "teams", "url": "env:TEAMS_WEBHOOK_URL", "events": ["failure"], "template": "notify/missing.j2"},
    )
    monkeypatch.delenv("TEAMS_WEBHOOK_URL", raising=False)
    result = ncesync("validate", "-C", str(deployment), "--check-env")
    assert result.code == 1
    assert "/notify/0/template: template file 'notify/missing.j2' not found" in result.stdout
    assert "/notify/0/url: environment variable TEAMS_WEBHOOK_URL is not set" in result.stdout


def test_a_webhook_url_written_in_the_specs_is_refused(deployment: Path) -> None:
    set_notify(deployment, {"type": "teams", "url": "https://example.webhook.office.com/abc", "events": ["failure"]})
    result = ncesync("validate", "-C", str(deployment))
    assert result.code == 1 and "/notify/0/url" in result.stdout


def test_webhook_tokens_stay_out_of_debug_logs_in_the_path_and_the_query(
    deployment: Path, http: HttpReceiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    """urllib3 logs a request as its path and query alone, at debug level: the URL's parts
    are masked as the whole URL is. A trailing newline (a secret mounted from a file) is
    dropped, not sent in a header or a request line."""
    monkeypatch.setenv("SLACK_WEBHOOK_URL", f"{http.url}/services/T0ABC/B0DEF/{SECRET_TOKEN}\n")
    monkeypatch.setenv("HOOK_URL", f"{http.url}/hook?token=Query-{SECRET_TOKEN}")
    set_notify(
        deployment,
        {"type": "slack", "url": "env:SLACK_WEBHOOK_URL", "events": ["summary"]},
        {"type": "slack", "name": "query", "url": "env:HOOK_URL", "events": ["summary"]},
    )
    result = ncesync("--log-level", "debug", "apply", "-C", str(deployment), *DATE, "--auto-approve")
    assert result.code == 0, result.stderr
    assert sorted(r.path for r in http.requests) == sorted(
        [f"/services/T0ABC/B0DEF/{SECRET_TOKEN}", f"/hook?token=Query-{SECRET_TOKEN}"]
    )
    assert "urllib3.connectionpool" in result.stderr  # the request lines were logged
    assert SECRET_TOKEN not in result.stderr + result.stdout
