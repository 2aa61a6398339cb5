"""TinyPSA's emulated API as a client sees it: auth, paging, JSON errors, the quantity
history and the failure hook."""

from __future__ import annotations

from datetime import date

import requests

from tinypsa.emulator import TinyPsaEmulator

AUTH = {"Authorization": "Bearer tiny-token-5f2c9a"}  # the emulator fixture's token


def test_a_request_without_the_right_token_is_refused_with_a_json_401(emulator: TinyPsaEmulator) -> None:
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "tiny-token-5f2c9a"}):
        answer = requests.get(f"{emulator.url}/plans", headers=headers, timeout=5)
        assert answer.status_code == 401
        assert answer.json() == {"error": {"code": "unauthorized", "message": "missing or invalid bearer token"}}


def test_lists_come_in_pages_linked_by_next(emulator: TinyPsaEmulator) -> None:
    for company in range(300, 305):
        emulator.add_company(company, f"Company {company}")
    seen, target = [], "/companies?per_page=2"
    while target:
        page = requests.get(f"{emulator.url}{target}", headers=AUTH, timeout=5).json()
        assert page["total"] == 6 and len(page["data"]) <= 2
        seen += [c["id"] for c in page["data"]]
        target = page["next"]
    assert seen == [250, 300, 301, 302, 303, 304]


def test_a_filtered_list_keeps_its_filter_in_the_next_link(emulator: TinyPsaEmulator) -> None:
    for company in range(300, 305):
        emulator.add_company(company, f"Company {company}")
    first = requests.get(f"{emulator.url}/companies?ids=301,302,303&per_page=2", headers=AUTH, timeout=5).json()
    assert [c["id"] for c in first["data"]] == [301, 302]
    second = requests.get(f"{emulator.url}{first['next']}", headers=AUTH, timeout=5).json()
    assert [c["id"] for c in second["data"]] == [303] and second["next"] is None


def test_bad_paging_and_unknown_routes_answer_json_errors(emulator: TinyPsaEmulator) -> None:
    bad = requests.get(f"{emulator.url}/plans?per_page=0", headers=AUTH, timeout=5)
    assert bad.status_code == 400 and "per_page" in bad.json()["error"]["message"]
    missing = requests.get(f"{emulator.url}/invoices", headers=AUTH, timeout=5)
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"


def test_items_record_their_quantity_on_the_emulators_today(emulator: TinyPsaEmulator) -> None:
    created = requests.post(
        f"{emulator.url}/plans/1001/items",
        headers=AUTH,
        timeout=5,
        json={"code": "EXO-P1", "kind": "main", "quantity": 4, "effective_date": "2024-06-15"},
    ).json()
    assert created["unit_price"] == "6.50" and created["unit_cost"] == "4.00"  # the catalogue's
    emulator.set_today(date(2024, 6, 20))
    patched = requests.patch(f"{emulator.url}/items/{created['id']}", headers=AUTH, timeout=5, json={"quantity": 6})
    assert patched.json()["quantity"] == 6
    assert emulator.items[created["id"]].history == ((date(2024, 6, 15), 4), (date(2024, 6, 20), 6))


def test_writes_the_vendor_refuses_say_why(emulator: TinyPsaEmulator) -> None:
    cases = [
        (
            "/plans/9/items",
            {"code": "EXO-P1", "quantity": 1, "effective_date": "2024-06-15"},
            404,
            "plan 9 does not exist",
        ),
        ("/plans/1001/items", {"code": "NOPE", "quantity": 1, "effective_date": "2024-06-15"}, 400, "no catalog item"),
        (
            "/plans/1001/items",
            {"code": "EXO-P1", "quantity": 1, "effective_date": "2023-06-15"},
            400,
            "before plan 1001 starts",
        ),
        (
            "/plans/1001/items",
            {"code": "EXO-P1", "quantity": 1, "effective_date": "2024-06-15", "invoice_text": "x" * 501},
            400,
            "at most 500 characters",
        ),
        (
            "/plans/1001/items",
            {"code": "EXO-P1", "kind": "delta", "quantity": 0, "effective_date": "2024-06-15"},
            400,
            "must change the count",
        ),
    ]
    for path, body, status, message in cases:
        answer = requests.post(f"{emulator.url}{path}", headers=AUTH, json=body, timeout=5)
        assert (answer.status_code, message in answer.json()["error"]["message"]) == (status, True), path
    closed = emulator.add_plan(1002, 250, start_date=date(2024, 1, 1), status="closed")
    answer = requests.post(
        f"{emulator.url}/plans/{closed.id}/items",
        headers=AUTH,
        timeout=5,
        json={"code": "EXO-P1", "quantity": 1, "effective_date": "2024-06-15"},
    )
    assert answer.status_code == 409 and "plan 1002 is closed" in answer.json()["error"]["message"]


def test_fail_write_makes_the_chosen_write_answer_500_and_change_nothing(emulator: TinyPsaEmulator) -> None:
    main = emulator.items_of(1001, "M365-BP")[0]
    emulator.fail_write(2)
    first = requests.patch(f"{emulator.url}/items/{main.id}", headers=AUTH, json={"quantity": 13}, timeout=5)
    second = requests.patch(f"{emulator.url}/items/{main.id}", headers=AUTH, json={"quantity": 14}, timeout=5)
    third = requests.patch(f"{emulator.url}/items/{main.id}", headers=AUTH, json={"quantity": 15}, timeout=5)
    assert [first.status_code, second.status_code, third.status_code] == [200, 500, 200]
    assert second.json()["error"]["code"] == "internal"
    assert [q for _, q in emulator.items[main.id].history] == [12, 13, 15]
