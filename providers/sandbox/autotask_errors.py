"""Autotask's error answers, as the live REST API sends them."""

from __future__ import annotations

from providers.sandbox.exchange import Rejection, Reply


def at_error(status: int, *messages: str) -> Reply:
    return Reply(status, {"errors": list(messages)})


def method_refused(method: str) -> Rejection:
    """ASP.NET Web API's answer for a method a URL does not take, as Autotask sends it."""
    return Rejection(Reply(405, {"Message": f"The requested resource does not support http method '{method}'."}))
