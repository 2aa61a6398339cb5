"""Alerts and the daily summary of the nightly job: Microsoft Teams, Slack, a generic JSON
webhook and email (docs/operations.md).

A notification is a side effect of a run, never part of it: whatever goes wrong while
sending (a missing variable, a refused webhook, an SMTP server that is down) is logged and
the run's own outcome and exit code stand.
"""

from reconciler.report.notify.dispatch import notify

__all__ = ["notify"]
