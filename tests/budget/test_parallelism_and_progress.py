"""--parallelism overrides psa.parallelism; long runs show progress on stderr unless --quiet."""

from __future__ import annotations

import os

from reconciler.run.runtime import Runtime
from reconciler.specs import load_deployment
from tests.budget.conftest import TODAY


def test_parallelism_overrides_the_psa_blocks_option(small_cw):
    deployment = load_deployment(small_cw.root)
    with Runtime(deployment, sync_date=TODAY, environ=dict(os.environ), parallelism=2) as runtime:
        assert runtime.target.client.parallelism == 2
    with Runtime(deployment, sync_date=TODAY, environ=dict(os.environ)) as runtime:
        assert runtime.target.client.parallelism == 10  # the ConnectWise default


def test_autotask_parallelism_is_capped_by_the_vendor_limit(at):
    result = at.run("plan", "--date", TODAY.isoformat(), "--parallelism", "8", "--quiet")
    assert result.exit_code == 0, result.output
    assert "parallelism=8 is above Autotask's limit of 3 requests at once; using 3" in result.stderr


def test_a_serial_plan_makes_the_same_requests(small_cw):
    parallel = small_cw.plan()
    parallel_counts = small_cw.counts("connectwise")
    serial = small_cw.plan("--parallelism", "1")
    assert serial["changes"] == parallel["changes"]
    assert small_cw.counts("connectwise") == parallel_counts


def test_a_long_run_shows_progress_on_stderr_and_quiet_hides_it(cw):
    loud = cw.run("apply", "--date", TODAY.isoformat(), "--auto-approve", "--force")
    assert loud.exit_code == 0, loud.output
    assert "plan: reading connectwise for 120 clients" in loud.stderr
    assert "apply: [1/" in loud.stderr
    assert "plan:" not in loud.stdout and "apply: [" not in loud.stdout
    quiet = cw.run("plan", "--date", TODAY.isoformat(), "--quiet")
    assert "plan: reading" not in quiet.stderr


def test_a_small_run_shows_no_progress(small_cw):
    result = small_cw.run("plan", "--date", TODAY.isoformat(), "--force")
    assert "plan: reading" not in result.stderr
