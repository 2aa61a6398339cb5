"""The document check itself: it must catch each kind of departure, or the suite-wide check
(tests/conftest.py) would pass on anything."""

from __future__ import annotations

from typing import Any

import pytest

from tests.contract.exchanges import CW_MEDIA, Exchange, problems

CW_HEADERS = {"clientid": "x", "authorization": "Basic eA=="}
AT_HEADERS = {"apiintegrationcode": "x", "username": "u", "secret": "s"}
AGREEMENT = {"id": 1, "name": "A", "type": {"id": 1}, "company": {"id": 2}, "contact": {"id": 3}}
CONTRACT_PAGE = {
    "items": [{"id": 7001, "contractName": "C", "contractPeriodType": None}],
    "pageDetails": {"count": 1, "requestCount": 500, "prevPageUrl": None, "nextPageUrl": None},
}


def cw(
    path: str,
    body: Any,
    *,
    status: int = 200,
    query: dict | None = None,
    headers: dict | None = None,
    media: str = CW_MEDIA,
    method: str = "GET",
) -> Exchange:
    return Exchange(
        "connectwise", method, path, query or {}, CW_HEADERS if headers is None else headers, status, body, media
    )


def at(
    path: str,
    body: Any,
    *,
    status: int = 200,
    query: dict | None = None,
    method: str = "POST",
    headers: dict | None = None,
) -> Exchange:
    return Exchange(
        "autotask",
        method,
        path,
        query or {},
        AT_HEADERS if headers is None else headers,
        status,
        body,
        "application/json; charset=utf-8",
    )


def test_documented_answers_pass() -> None:
    assert problems(cw("/finance/agreements", [AGREEMENT], query={"pageSize": ["5"]})) == []
    assert problems(at("/v1.0/Contracts/query", CONTRACT_PAGE)) == []
    assert problems(cw("/finance/agreements", [{"id": 1}], query={"fields": ["id"]})) == []


@pytest.mark.parametrize(
    ("exchange", "says"),
    [
        (cw("/finance/agreementz", []), "is not a path of the vendor's document"),
        (cw("/finance/agreements", [], method="DELETE"), "DELETE is not documented"),
        (cw("/finance/agreements", [], query={"foo": ["1"]}), "query parameter 'foo' is not documented"),
        (cw("/finance/agreements", [], headers={}), "required request header 'clientId'"),
        (cw("/finance/agreements", [], status=201), "status 201 is not documented"),
        (cw("/finance/agreements", [], media="application/json"), "Content-Type 'application/json'"),
        (cw("/finance/agreements", [dict(AGREEMENT, invented=1)]), "invented"),
        (cw("/finance/agreements", [{"id": 1}]), "required property"),
        (cw("/finance/agreements", {"code": "X"}, status=400), "envelope"),
        (at("/v1.0/Contracts/query", {"items": [{"id": "seven"}], "pageDetails": {}}), "'seven' is not of type"),
        (at("/v1.0/Contracts/query", {"errors": "bad"}, status=500), "envelope"),
        (
            at("/v1.0/Contracts/query/next", CONTRACT_PAGE, method="GET", query={"paging": ["t"]}),
            "Autotask answers 405",
        ),
        (at("/v1.0/ZoneInformation", {"url": "u"}, method="GET"), "required query parameter 'user'"),
    ],
    ids=[
        "path",
        "method",
        "parameter",
        "header",
        "status",
        "media",
        "member",
        "required",
        "cw-error",
        "type",
        "at-error",
        "next-get",
        "zone-user",
    ],
)
def test_each_departure_is_caught(exchange: Exchange, says: str) -> None:
    found = problems(exchange)
    assert any(says in p for p in found), found


def test_exempt_answers_are_not_judged() -> None:
    assert problems(Exchange("dickerdata", "GET", "/api/x", {}, {}, 200, {"any": 1}, "application/json")) == []
    broken = Exchange(
        "connectwise", "GET", "/finance/agreements", {}, CW_HEADERS, 502, b"<html>", "text/html", fault="malformed"
    )
    assert problems(broken) == []


def test_every_exemption_is_listed_with_its_reason_in_docs_sandbox_md() -> None:
    import re
    from pathlib import Path

    from tests.contract.exchanges import EXEMPTIONS

    text = (Path(__file__).resolve().parents[2] / "docs" / "sandbox.md").read_text("utf-8")
    rows = {
        m.group(1): (m.group(2).strip(), m.group(3).strip())
        for m in re.finditer(r"^\| `([a-z-]+)` \| ([^|]+) \| ([^|]+) \|$", text, re.MULTILINE)
    }
    assert set(rows) == {e.id for e in EXEMPTIONS}
    for exemption in EXEMPTIONS:
        assert rows[exemption.id] == (exemption.what, exemption.reason), exemption.id


def test_the_recorder_judges_what_was_sent_and_gives_a_repeated_exchange_the_same_verdict() -> None:
    from providers.sandbox.exchange import Reply
    from tests.contract.exchanges import Recorder, sent_of

    target = "/connectwise/v4_6_release/apis/3.0/finance/agreements?pageSize=5"
    good = Reply(200, [AGREEMENT], content_type=CW_MEDIA)
    bad = Reply(200, [{**AGREEMENT, "id": "one"}], content_type=CW_MEDIA)
    recorder = Recorder()
    for reply in (good, bad, bad, good):
        recorder.add(sent_of("GET", target, {"ClientId": "x", "Authorization": "Basic eA=="}, reply))
    found = recorder.problems()
    assert len(found) == 2 and all("body" in p and "GET /finance/agreements" in p for p in found), found
    assert len(recorder.verdicts) == 2  # two distinct answers, each judged once
    # the same answer without a header the document requires is another exchange
    recorder.add(sent_of("GET", target, {"Authorization": "Basic eA=="}, good))
    assert recorder.problems() == [
        "connectwise GET /finance/agreements -> 200: answered without the required request header 'clientId'"
    ]
    assert recorder.problems() == []  # taken: nothing new was sent
