"""What a plan's fingerprint covers of the specs: their content, never where they were read from.

A saved plan is checked against a fresh plan made from another folder (`plan -C dep --out
dep/plan.json`, then `cd dep; apply plan.json`), so nothing here may depend on the working
directory: a spec file is named relative to the deployment, and values are taken as data
rather than through `repr` (which would carry the path a file was opened by).
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import PurePath
from typing import Any

from reconciler.model import ClientMapping, Deployment

CLIENTS_DIR = "specs/clients"


def client_content(client: ClientMapping) -> dict[str, Any]:
    """A client mapping as data, its file named as `specs/clients/<name>`."""
    data = asdict(client)
    data["file"] = f"{CLIENTS_DIR}/{PurePath(client.file).name}"
    return data


def company_content(deployment: Deployment) -> dict[str, Any]:
    """The settings and product mappings as data (nothing in them is a path to a spec file;
    `sandbox.world` and an export `folder` are written relative to the deployment)."""
    return {
        "settings": asdict(deployment.settings),
        "products": {key: asdict(product) for key, product in sorted(deployment.products.items())},
    }
