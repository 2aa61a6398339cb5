"""OriginSettings: what requests reads from the environment for a call, read once per host.

A requests.Session that trusts the environment scans every variable of `os.environ` twice a
request for proxy settings (and reads the CA bundle variables and ~/.netrc): at 5,000
ConnectWise calls a plan, that was about a tenth of the client's CPU. The environment of a
run does not change, and every call of a vendor client goes to one or two hosts, so the
same settings (HTTPS_PROXY and NO_PROXY, REQUESTS_CA_BUNDLE or CURL_CA_BUNDLE, a .netrc
entry) are read once per scheme and host and passed with each call, exactly as requests
would have found them.
"""

from __future__ import annotations

import os
import threading
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.utils import get_environ_proxies, get_netrc_auth, select_proxy


class OriginSettings:
    """Per-call keyword arguments for `session.request`; the session must not trust the
    environment itself (`trust_env = False`), or it would scan it again."""

    def __init__(self, session: requests.Session):
        self._session = session
        self._lock = threading.Lock()
        self._known: dict[tuple[str, str], dict[str, Any]] = {}

    def of(self, url: str) -> dict[str, Any]:
        parts = urlsplit(url)
        origin = (parts.scheme.lower(), parts.netloc.lower())
        with self._lock:
            found = self._known.get(origin)
            if found is None:
                found = self._known[origin] = self._read(url)
            return found

    def _read(self, url: str) -> dict[str, Any]:
        """Session.request's own reading of the environment (merge_environment_settings and
        prepare_request), for this URL's host."""
        settings: dict[str, Any] = {"proxies": {**self._session.proxies, **get_environ_proxies(url)}}
        bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
        # A bundle only matters to TLS (the host's, or an https proxy's); handed to a plain
        # call it would cost a stat() of its path per request (requests checks whether it is
        # a folder) for nothing.
        proxy = select_proxy(url, settings["proxies"]) or ""
        tls = url.lower().startswith("https:") or proxy.lower().startswith("https:")
        if bundle and self._session.verify is True and tls:
            settings["verify"] = bundle
        if not self._session.auth:
            auth = get_netrc_auth(url)
            if auth:
                settings["auth"] = auth
        return settings
