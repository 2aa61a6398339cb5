"""A Dicker Data subscription in a status ncesync does not know ('Activ': the emulator's
world file cannot hold one, so it is set in the served sandbox's memory) is never read as
"not active", which would be zero seats and a line set to zero: its licence is an error of
the plan, and every other licence is planned and applied."""

from __future__ import annotations

import json

from tests.e2e.test_served_sandbox import (  # noqa: F401 (fixtures)
    DAY,
    forget_the_demo_secrets,
    ncesync,
    point_at,
    served,
    served_connectwise,
    served_dicker_data,
)
from tests.e2e.worlds import TENANT


def test_an_unknown_status_stops_its_licence_only(served) -> None:  # noqa: F811 (the fixture)
    root, server = served  # Contoso 15 seats (line 12), Fabrikam 8 (6), Northwind 4 (3)
    point_at(root, {"psa": served_connectwise(server.url), "source": served_dicker_data(server.url)})
    with server.store.lock:
        for subscription in server.store.data["dickerdata"]["subscriptions"]:
            if subscription["TenantId"] == TENANT:
                subscription["Status"] = "Activ"
    code, out = ncesync(root, "plan", *DAY, "--format", "json")
    assert code == 1, out
    assert "has status 'ACTIV', which ncesync does not know" in out
    plan = json.loads(out[out.index("{") : out.rindex("}") + 1])
    assert sorted((c["agreement_id"], c["after"]["quantity"]) for c in plan["changes"]) == [(1002, 8), (1003, 4)]
    assert ncesync(root, "apply", *DAY, "--auto-approve")[0] == 1
    quantities = sorted((a["agreementId"], a["quantity"]) for a in server.world()["connectwise"]["additions"])
    assert quantities == [(1001, 12), (1002, 8), (1003, 4)]  # Contoso's line kept, not set to zero


def test_an_unmapped_subscription_of_an_unknown_status_is_still_reported_unmapped(served) -> None:  # noqa: F811
    root, server = served
    point_at(root, {"psa": served_connectwise(server.url), "source": served_dicker_data(server.url)})
    with server.store.lock:
        subscriptions = server.store.data["dickerdata"]["subscriptions"]
        stranger = dict(subscriptions[0], TenantId="0d0d0d0d-0000-4000-8000-0000000000aa", Status="Activ")
        stranger.update(SubscriptionId="sub-stranger", CompanyName="Stranger Ltd", ConfirmedQuantity=9)
        subscriptions.append(stranger)
    code, out = ncesync(root, "plan", *DAY, "--format", "json")
    assert code in (0, 2), out  # an unmapped customer is reported, not an error
    plan = json.loads(out[out.index("{") : out.rindex("}") + 1])
    assert [(u["tenant_id"], u["seats"]) for u in plan["unmapped"] if u["kind"] == "customer"] == [
        ("0d0d0d0d-0000-4000-8000-0000000000aa", 9)
    ]
