"""The secret masker (reconciler/secrets.py): every form of every known secret is masked,
overlapping secrets leave nothing of either behind, and adding a secret compiles that
secret's forms only."""

from __future__ import annotations

import base64
import json
from urllib.parse import quote

from hypothesis import given, settings
from hypothesis import strategies as st

from reconciler import secrets
from reconciler.secrets import KnownSecrets, Redactor


def test_each_form_of_a_secret_is_masked() -> None:
    secret = 'p@ss "word"/1'
    redact = Redactor([secret])
    encoded = quote(secret, safe="")  # p%40ss%20%22word%22%2F1
    for form in (secret, encoded, encoded.lower(), json.dumps(secret)[1:-1]):
        assert redact(f"x {form} y") == "x *** y", form
    basic = base64.b64encode(f"user:{secret}".encode()).decode()
    masked = redact(f"Authorization: Basic {basic}")
    assert "***" in masked and masked != f"Authorization: Basic {basic}"


def test_overlapping_secrets_leave_nothing_of_either() -> None:
    # "abcdWXYZ" and "WXYZ1234" overlap in the text: neither may show a part of itself
    redact = Redactor(["abcdWXYZ", "WXYZ1234"])
    assert redact("key=abcdWXYZ1234;") == "key=***;"
    assert redact("abcdWXYZ WXYZ1234") == "*** ***"
    # touching but not overlapping: one mask each, as the alternation of old gave
    assert redact("abcdWXYZWXYZ1234") == "******"


def test_a_longer_secret_is_masked_whole_when_a_shorter_one_is_inside_it() -> None:
    redact = Redactor(["token", "the-token-value"])
    assert redact("got the-token-value and token") == "got *** and ***"


@settings(max_examples=60, deadline=None, derandomize=True)
@given(
    st.lists(st.text(alphabet="abcXYZ01@%/ +", min_size=4, max_size=10), min_size=1, max_size=4),
    st.text(alphabet="abcXYZ01@%/ +-", max_size=40),
)
def test_no_secret_survives_in_any_text(values: list[str], noise: str) -> None:
    redact = Redactor(values)
    text = noise.join(values) + noise
    masked = redact(text)
    for value in values:
        assert value not in masked.replace("***", "\0"), (values, text, masked)


def test_adding_a_secret_compiles_that_secret_alone(monkeypatch) -> None:
    compiled: list[str] = []
    real = secrets._alternation

    def counting(forms: set[str]):  # type: ignore[no-untyped-def]
        compiled.append(min(forms, key=len))
        return real(forms)

    secrets._pattern_of.cache_clear()
    monkeypatch.setattr(secrets, "_alternation", counting)
    known = KnownSecrets()
    for n in range(30):
        known.add(f"access-key-{n:04d}-secret")
    assert len(compiled) == 30, "each secret's forms are compiled once, not the whole set per addition"
    assert known.mask("key access-key-0007-secret and access-key-0029-secret") == "key *** and ***"


def test_a_secret_url_is_masked_as_the_request_target_a_client_logs() -> None:
    url = "https://hooks.example.com/services/T0ABC/B0DEF/SlackTokenXyz123?sig=Abc12345"
    assert secrets.resolve("env:HOOK", {"HOOK": url}, setting="notify url") == url
    line = 'https://hooks.example.com:443 "POST /services/T0ABC/B0DEF/SlackTokenXyz123?sig=Abc12345 HTTP/1.1" 200'
    assert "SlackTokenXyz123" not in secrets.mask(line) and "Abc12345" not in secrets.mask(line)
    assert "SlackTokenXyz123" not in secrets.mask("path=/services/T0ABC/B0DEF/SlackTokenXyz123")


def test_line_breaks_around_a_secret_are_dropped_and_both_forms_masked() -> None:
    assert secrets.resolve("env:KEY", {"KEY": "s3cret-value\r\n"}, setting="psa.secret") == "s3cret-value"
    assert secrets.mask("sent s3cret-value\r\n then s3cret-value") == "sent *** then ***"


def test_an_ordinary_path_before_a_secret_query_is_not_masked_alone() -> None:
    secrets.resolve("env:HOOK", {"HOOK": "https://ops.example.com/api?key=Zx81kq"}, setting="notify url")
    line = "ConnectWise GET /v4_6_release/apis/3.0/finance/agreements/1002/additions: HTTP 404"
    assert secrets.mask(line) == line
    assert secrets.mask('"POST /api?key=Zx81kq HTTP/1.1" 200') == '"POST *** HTTP/1.1" 200'
