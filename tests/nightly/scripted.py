"""A scripted vendor: a requests transport answering from a list, for the retry tests."""

from __future__ import annotations

import json
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import NewConnectionError, ProtocolError

Step = tuple[int, Any, dict[str, str]] | Exception


def refused() -> requests.ConnectionError:
    """What requests raises when nothing listens: the request never left."""
    return requests.ConnectionError(NewConnectionError(None, "Connection refused"))  # type: ignore[arg-type]


def dropped() -> requests.ConnectionError:
    """What requests raises when the server closes without answering (after processing)."""
    return requests.ConnectionError(ProtocolError("Connection aborted.", ConnectionResetError(104, "reset")))


class Scripted(HTTPAdapter):
    """Answers the requests in order from `steps`; the last step repeats."""

    def __init__(self, steps: list[Step]):
        super().__init__()
        self.steps = steps
        self.sent: list[requests.PreparedRequest] = []

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        self.sent.append(request)
        step = self.steps[min(len(self.sent), len(self.steps)) - 1]
        if isinstance(step, Exception):
            raise step
        status, body, headers = step
        response = requests.Response()
        response.status_code = status
        response._content = json.dumps(body).encode()
        response.headers.update({"Content-Type": "application/json", **headers})
        response.url = request.url or ""
        response.request = request
        return response


def session_with(steps: list[Step]) -> tuple[requests.Session, Scripted]:
    session = requests.Session()
    transport = Scripted(steps)
    session.mount("https://", transport)
    session.mount("http://", transport)
    return session, transport


def repeat(step: Step, times: int) -> list[Step]:
    return [step] * times
