"""A reviewed plan is the same plan wherever the command was started from: its fingerprint
is taken over the specs' content and deployment-relative names, never the working folder."""

from __future__ import annotations

import json

from click.testing import CliRunner

from reconciler.cli.main import cli
from tests.e2e.worlds import connectwise_world, working_world, write_deployment

DAY = ("--date", "2024-06-15")


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def test_a_plan_saved_with_dash_c_applies_from_inside_the_deployment(tmp_path, monkeypatch) -> None:
    dep = write_deployment(tmp_path / "dep", connectwise_world(quantity=15, prorate=False), style="advance")
    monkeypatch.chdir(tmp_path)
    code, out = invoke("plan", "-C", "dep", *DAY, "--out", "dep/plan.json")
    assert code == 0, out
    monkeypatch.chdir(dep)
    code, out = invoke("apply", "plan.json")
    assert code == 0, out
    assert "stale" not in out
    assert [a["quantity"] for a in working_world(dep)["connectwise"]["additions"]] == [15]


def test_the_fingerprint_is_the_same_from_any_folder_and_by_absolute_path(tmp_path, monkeypatch) -> None:
    dep = write_deployment(tmp_path / "dep", connectwise_world(quantity=15, prorate=False), style="advance")
    prints = []
    for cwd, root in ((tmp_path, "dep"), (dep, "."), (tmp_path / "dep" / "specs", str(dep))):
        monkeypatch.chdir(cwd)
        code, out = invoke("plan", "-C", root, *DAY, "--format", "json")
        assert code == 0, out
        data, _ = json.JSONDecoder().raw_decode(out[out.index("{") :])  # stderr (the summary line) follows
        prints.append((data["fingerprint"], {k: v["digest"] for k, v in data["clients"].items()}))
    assert prints[0] == prints[1] == prints[2]


def test_a_real_spec_change_still_makes_the_plan_stale(tmp_path, monkeypatch) -> None:
    dep = write_deployment(tmp_path / "dep", connectwise_world(quantity=15, prorate=False), style="advance")
    monkeypatch.chdir(tmp_path)
    code, out = invoke("plan", "-C", "dep", *DAY, "--out", "dep/plan.json")
    assert code == 0, out
    client = dep / "specs" / "clients" / "contoso.yaml"
    client.write_text(client.read_text() + "exclude_stock_codes: ['P1M:CFQ7TTC0LH04:0001']\n")
    monkeypatch.chdir(dep)
    code, out = invoke("apply", "plan.json")
    assert code == 4
    assert "the client's spec changed" in out
