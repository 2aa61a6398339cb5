"""Post ncesync's Markdown plan as one merge-request note, updated in place on every push.

Run by the `plan` job of .gitlab-ci.yml as `python ci/plan_comment.py --exit-code N plan.md
plan.err`. Uses only the standard library. The token comes from the masked CI/CD variable
NCESYNC_GITLAB_TOKEN; the merge request from GitLab's predefined variables.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import urllib.parse
import urllib.request
from pathlib import Path

MARKER = "<!-- ncesync-plan -->"  # the first line of every ncesync Markdown plan


def note_body(plan: str, errors: str, exit_code: int) -> str:
    if MARKER in plan:
        return plan
    tail = "\n".join(errors.splitlines()[-40:])
    return f"{MARKER}\n### ncesync plan failed (exit code {exit_code})\n\n```\n{tail}\n```\n"


def _call(method: str, url: str, token: str, body: dict | None = None) -> object:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        url, data=data, method=method, headers={"PRIVATE-TOKEN": token, "Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read() or b"null")


def post(body: str, env: dict[str, str]) -> None:
    project = urllib.parse.quote(env["CI_PROJECT_ID"], safe="")
    notes = f"{env['CI_API_V4_URL']}/projects/{project}/merge_requests/{env['CI_MERGE_REQUEST_IID']}/notes"
    token = env["NCESYNC_GITLAB_TOKEN"]
    page = 1
    while True:
        found = _call("GET", f"{notes}?per_page=100&page={page}", token)
        if not found:
            break
        mine = next((n for n in found if MARKER in (n.get("body") or "")), None)
        if mine:
            _call("PUT", f"{notes}/{mine['id']}", token, {"body": body})
            return
        page += 1
    _call("POST", notes, token, {"body": body})


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--exit-code", type=int, required=True)
    parser.add_argument("plan", type=Path)
    parser.add_argument("errors", type=Path)
    args = parser.parse_args()
    plan = args.plan.read_text(encoding="utf-8") if args.plan.exists() else ""
    errors = args.errors.read_text(encoding="utf-8") if args.errors.exists() else ""
    post(note_body(plan, errors, args.exit_code), dict(os.environ))
    return 0


if __name__ == "__main__":
    sys.exit(main())
