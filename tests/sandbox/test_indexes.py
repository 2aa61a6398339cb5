"""A large world stays linear to serve: records found through indexes, and a world's
content validated once per process."""

from __future__ import annotations

from pathlib import Path

import pytest

from providers.sandbox import SandboxServer
from providers.sandbox.record_index import RecordIndex
from providers.sandbox.world import load_world
from tests.sandbox.conftest import VendorSession, at_headers


def test_an_index_follows_appends_and_rebuilds_after_a_removal() -> None:
    records = [{"id": 1, "contractID": 7}, {"id": 2, "contractID": 8}]
    index = RecordIndex("contractID").follow(records)
    assert index.lookup(7) == [records[0]] and index.lookup("8") == [records[1]]
    records.append({"id": 3, "contractID": 7})
    assert [r["id"] for r in index.follow(records).lookup(7)] == [1, 3]
    records.pop(0)
    records.append({"id": 4, "contractID": 9})
    assert [r["id"] for r in index.follow(records).lookup(7)] == [3]
    assert [r["id"] for r in index.lookup_all([7, 9, 9])] == [3, 4]


def test_queries_by_contract_find_the_same_records_through_the_index(sandbox: SandboxServer) -> None:
    """A query naming contract ids reads their rows only; one naming none scans them all;
    both give what the filter says."""
    with VendorSession(f"{sandbox.url}/autotask/atservicesrest/v1.0", at_headers()) as at:
        by_id = at.post(
            "/ContractServiceUnits/query",
            json={
                "filter": [
                    {
                        "op": "or",
                        "items": [
                            {
                                "op": "and",
                                "items": [
                                    {"op": "in", "field": "contractID", "value": [7001, 7999]},
                                    {"op": "gte", "field": "endDate", "value": "2024-06-01T00:00:00"},
                                ],
                            },
                            {"op": "eq", "field": "contractServiceID", "value": 999},
                        ],
                    }
                ]
            },
        ).json()["items"]
        scan = at.post(
            "/ContractServiceUnits/query",
            json={"filter": [{"op": "gte", "field": "endDate", "value": "2024-06-01T00:00:00"}]},
        ).json()["items"]
    assert [r["id"] for r in by_id] == [r["id"] for r in scan] == list(range(6, 13))


def test_a_world_is_validated_once_per_content(
    tmp_path: Path, world_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from providers.sandbox import world as world_module

    calls: list[str] = []
    real = world_module.validate_world
    monkeypatch.setattr(
        world_module,
        "validate_world",
        lambda w, source, size: (calls.append(source), real(w, source=source, size=size)),
    )
    copy = tmp_path / "copy.json"
    copy.write_bytes(world_path.read_bytes() + b" ")  # content this process has not seen
    load_world(copy)
    load_world(copy)
    assert len(calls) == 1
    copy.write_text('{"autotask": [], "connectwise": {}, "dickerdata": {}}', encoding="utf-8")
    with pytest.raises(Exception, match="invalid"):
        load_world(copy)
