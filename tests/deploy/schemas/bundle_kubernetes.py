"""How kubernetes-*.schema.json here were made (run once by hand; tests never fetch).

    pip download --no-deps kubernetes-validate==1.37.0    # Apache-2.0, ships the schemas
    python tests/deploy/schemas/bundle_kubernetes.py kubernetes_validate-1.37.0-py3-none-any.whl

It takes the strict schema of each kind for one Kubernetes version (the "-local-strict"
flavour of the yannh/kubernetes-json-schema project's schemas: no unknown field allowed)
and copies the definitions it reaches into one standalone file per kind.
"""

from __future__ import annotations

import json
import re
import sys
import zipfile
from pathlib import Path

VERSION = "v1.33.0-local-strict"
KINDS = {"cronjob-batch-v1.json": "kubernetes-cronjob.schema.json",
         "persistentvolumeclaim-v1.json": "kubernetes-persistentvolumeclaim.schema.json"}
REF = re.compile(r"/api/_definitions\.json#/\$defs/([^\"]+)")


def bundle(wheel: Path, out: Path) -> None:
    base = f"kubernetes_validate/kubernetes-json-schema/{VERSION}/"
    with zipfile.ZipFile(wheel) as archive:
        definitions = json.loads(archive.read(base + "_definitions.json"))["$defs"]
        for source, target in KINDS.items():
            schema = json.loads(archive.read(base + source))
            wanted, todo = {}, REF.findall(json.dumps(schema))
            while todo:
                name = todo.pop()
                if name not in wanted:
                    wanted[name] = definitions[name]
                    todo += re.findall(r'"#/\$defs/([^"]+)"', json.dumps(definitions[name]))
                    todo += REF.findall(json.dumps(definitions[name]))
            text = REF.sub(r"#/$defs/\1", json.dumps({**schema, "$defs": dict(sorted(wanted.items()))}, indent=1))
            data = json.loads(text)
            data["$comment"] = f"kubernetes-validate 1.37.0, {VERSION}/{source}, bundled by bundle_kubernetes.py"
            (out / target).write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")


if __name__ == "__main__":
    bundle(Path(sys.argv[1]), Path(__file__).parent)
