"""The world file: validation, atomic saves, persistence policies, request counters, working copy."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from providers.sandbox import SandboxServer, load_world, save_world_atomic
from providers.sandbox.store import WorldStore
from providers.sandbox.working_copy import reset, working_world
from reconciler.errors import ConfigError
from tests.sandbox.conftest import VendorSession, cw_headers, make_world

ADD = {"product": {"id": 3}, "billCustomer": "Billable", "quantity": 2}


def test_invalid_world_is_refused_with_the_json_path(tmp_path: Path) -> None:
    world = make_world()
    world["connectwise"]["additions"][0]["billCustomer"] = "Maybe"
    del world["dickerdata"]["subscriptions"][1]["TenantId"]
    path = tmp_path / "world.json"
    path.write_text(json.dumps(world))
    with pytest.raises(ConfigError) as error:
        load_world(path)
    assert "$.connectwise.additions[0].billCustomer" in str(error.value)
    assert "$.dickerdata.subscriptions[1]" in str(error.value)


def test_missing_or_broken_world_files_are_config_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_world(tmp_path / "nope.json")
    (tmp_path / "bad.json").write_text("{\n  oops")
    with pytest.raises(ConfigError, match="bad.json:2:"):
        load_world(tmp_path / "bad.json")


def test_a_crash_between_temp_write_and_replace_leaves_the_old_file(world_path: Path, monkeypatch) -> None:
    before = world_path.read_bytes()

    def crash(src, dst):
        raise OSError("power cut")

    monkeypatch.setattr(os, "replace", crash)  # reconciler/atomic.py replaces the file in one step
    changed = make_world()
    changed["meta"]["style"] = "changed"
    with pytest.raises(OSError, match="power cut"):
        save_world_atomic(world_path, changed)
    assert world_path.read_bytes() == before
    assert load_world(world_path)["meta"]["style"] == "tests"
    assert [p.name for p in world_path.parent.iterdir()] == ["world.json"]  # no temp file left


def test_save_is_atomic_and_canonical(tmp_path: Path) -> None:
    path = tmp_path / "w.json"
    save_world_atomic(path, make_world())
    assert load_world(path) == make_world()
    assert path.read_text().endswith("}\n") and os.stat(path).st_size > 0


def test_each_write_persists_at_once(cw: VendorSession, world_path: Path) -> None:
    assert cw.post("/finance/agreements/1001/additions", json=ADD).status_code == 201
    assert len(load_world(world_path)["connectwise"]["additions"]) == 3
    assert cw.post("/finance/agreements/1001/additions", json={}).status_code == 400


def test_on_stop_persists_only_when_stopped(world_path: Path) -> None:
    server = SandboxServer(world_path, persist="on_stop").start()
    try:
        with VendorSession(f"{server.url}/connectwise/x/apis/3.0", cw_headers()) as cw:
            assert cw.post("/finance/agreements/1001/additions", json=ADD).status_code == 201
        assert len(load_world(world_path)["connectwise"]["additions"]) == 2
        assert len(server.world()["connectwise"]["additions"]) == 3
    finally:
        server.stop()
    assert len(load_world(world_path)["connectwise"]["additions"]) == 3


def test_unknown_persist_policy_is_refused(world_path: Path) -> None:
    with pytest.raises(ValueError):
        SandboxServer(world_path, persist="sometimes")


def test_request_counter_labels_replace_ids(cw: VendorSession, at: VendorSession, sandbox) -> None:
    cw.get("/finance/agreements/1001/additions")
    cw.get("/finance/agreements/1003/additions")
    cw.patch("/finance/agreements/1001/additions/1", json=[{"op": "replace", "path": "quantity", "value": 1}])
    at.post("/Contracts/query", json={"filter": []})
    at.get("/nothing/here/at/all")
    counts = sandbox.counts.as_dict()
    assert counts["GET connectwise /finance/agreements/{id}/additions"] == 2
    assert counts["PATCH connectwise /finance/agreements/{id}/additions/{additionId}"] == 1
    assert counts["POST autotask /Contracts/query"] == 1
    assert counts["GET autotask (unmatched)"] == 1
    assert sandbox.counts.total("connectwise") == 3
    sandbox.counts.reset()
    assert dict(sandbox.counts) == {}


def test_request_counter_tells_the_records_each_listing_returned(cw: VendorSession, at: VendorSession, sandbox) -> None:
    additions = cw.get("/finance/agreements/1001/additions").json()
    contracts = at.post("/Contracts/query", json={"filter": [{"op": "exist", "field": "id"}]}).json()["items"]
    cw.patch("/finance/agreements/1001/additions/1", json=[{"op": "replace", "path": "quantity", "value": 1}])
    records = sandbox.counts.records()
    assert additions and contracts
    assert records["GET connectwise /finance/agreements/{id}/additions"] == len(additions)
    assert records["POST autotask /Contracts/query"] == len(contracts)
    assert records["PATCH connectwise /finance/agreements/{id}/additions/{additionId}"] == 0
    sandbox.counts.reset()
    assert sandbox.counts.records() == {}


def test_world_returns_a_copy(sandbox) -> None:
    copy = sandbox.world()
    copy["connectwise"]["additions"].clear()
    assert len(sandbox.world()["connectwise"]["additions"]) == 2


def test_working_world_copies_once_and_reset_restores(tmp_path: Path) -> None:
    save_world_atomic(tmp_path / "sandbox" / "world.json", make_world())
    working = working_world(tmp_path, "sandbox/world.json")
    assert working == tmp_path / ".ncesync" / "world.json"
    working.write_text("{}")
    assert working_world(tmp_path, "sandbox/world.json").read_text() == "{}"
    assert reset(tmp_path) == working
    assert load_world(working) == make_world()
    with pytest.raises(ConfigError, match="sandbox init"):
        reset(tmp_path / "elsewhere")


def test_new_ids_stay_unique_through_appends_deletes_and_a_replaced_collection(world_path: Path) -> None:
    store = WorldStore(world_path, persist="on_stop")
    additions = store.records("connectwise", "additions")
    highest = max(r["id"] for r in additions)
    first = store.next_id("connectwise", "additions")
    assert first == highest + 1
    additions.append({"id": first})
    additions.append({"id": first + 10})  # written by someone else, not through next_id
    second = store.next_id("connectwise", "additions")
    assert second == first + 11
    assert store.next_id("connectwise", "additions") == second + 1  # handed out, never again
    additions.remove(additions[-1])  # a delete of the highest record does not free its id
    assert store.next_id("connectwise", "additions") == second + 2
    del additions[0]  # a delete, then a record appended by someone else: it is seen
    additions.append({"id": second + 50})
    assert store.next_id("connectwise", "additions") == second + 51
    store.data["connectwise"]["additions"] = [{"id": 5}]  # a reset world starts over
    assert store.next_id("connectwise", "additions") == 6
    assert store.next_id("autotask", "nothingYet", floor=100) == 100


def test_a_saved_world_has_one_record_a_line_and_reads_back_as_itself(tmp_path: Path) -> None:
    world = make_world()
    world["connectwise"]["additions"][0]["description"] = 'Zoë\'s line, with "quotes"\nand a break'
    path = tmp_path / "world.json"
    save_world_atomic(path, world)
    text = path.read_text(encoding="utf-8")
    assert json.loads(text) == world
    records = [
        (vendor, name, record)
        for vendor, collections in world.items()
        if isinstance(collections, dict)
        for name, rows in collections.items()
        if isinstance(rows, list)
        for record in rows
    ]
    lines = text.splitlines()
    for vendor, name, record in records:
        line = json.dumps(record, sort_keys=True, ensure_ascii=False)
        assert f"      {line}," in lines or f"      {line}" in lines, (vendor, name, record)
    assert "Zoë" in text  # not escaped
    assert lines[0] == "{" and lines[-1] == "}" and text.endswith("}\n")
    vendors = [line.split('"')[1] for line in lines if line.startswith('  "')]
    assert vendors == sorted(world)


def test_keys_that_are_not_text_are_written_as_json_names_them(tmp_path: Path) -> None:
    from providers.sandbox.world import dump_world

    world = {"connectwise": {2: [1], "a": {True: None, None: 1.5}}, "meta": {}}
    assert json.loads(dump_world(world)) == json.loads(json.dumps(world))


def test_a_damaged_working_copy_says_how_to_make_it_again(tmp_path: Path) -> None:
    working = tmp_path / ".ncesync" / "world.json"
    working.parent.mkdir()
    working.write_text("{ broken")
    with pytest.raises(
        ConfigError, match=r"world.json:1:3: not valid JSON: .*`ncesync sandbox reset` makes the working"
    ):
        load_world(working)
    generated = tmp_path / "world.json"
    generated.write_text("{ broken")
    with pytest.raises(ConfigError) as error:
        load_world(generated)
    assert "sandbox reset" not in str(error.value)  # the generated world is the user's own file
