"""What Autotask's error answers say: the `errors` array of its `{"errors": [...]}` body (a
list of texts, or of objects with a `message`), which credential a credential error is about,
and which 500s no retry can mend.

Autotask answers most refusals with a 500 (vendor-apis.md B.6), including a wrong
integration code, an unknown API user and a query naming a field its entity does not have.
A 500 is otherwise worth retrying; these never heal, so the client reports them at once.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from providers.http import Response

# A query naming a field its entity does not have, as the live API words it (the sandbox the same).
_UNKNOWN_FIELD = re.compile(r"Unable to find \S+ in the \S+ Entity\.?", re.IGNORECASE)


def error_texts(response: Response) -> list[str] | None:
    """The texts of the `errors` array (`Errors` in any case); None when the body has none."""
    try:
        body = response.json()
    except ValueError:
        return None
    errors = (body.get("errors") or body.get("Errors")) if isinstance(body, dict) else None
    if not isinstance(errors, list) or not errors:
        return None
    return [str(e.get("message") or e.get("Message") or e) if isinstance(e, dict) else str(e) for e in errors]


def never_heals(path: str, response: Response, vendor_text: str) -> bool:
    """A 500 no retry can mend: a credential error, or a query whose every error says it
    names an unknown field. Any other text, or a body that is not that JSON, may be a
    passing failure."""
    if credential_hint(500, vendor_text):
        return True
    if not urlsplit(path).path.lower().endswith(("/query", "/query/count")):
        return False
    texts = error_texts(response)
    return bool(texts) and all(_UNKNOWN_FIELD.fullmatch(t.strip()) for t in texts or ())


def credential_hint(status: int, vendor_text: str) -> str:
    """Which setting to check for a credential error, as Autotask reports each one (an
    unknown user and a wrong integration code are 500s, a wrong secret a 401); '' when the
    error is not about credentials."""
    text = vendor_text.lower()
    if "integrationcode" in text.replace(" ", ""):
        return (
            "check psa.integration_code: the API tracking identifier of this integration, "
            "on the API user's Security tab in Autotask"
        )
    if "zone information could not be determined" in text:
        return "Autotask knows no API user of that name: check psa.username (the API user's full user name)"
    if status == 500 and "user" in text and any(w in text for w in ("not a valid", "invalid", "not found", "unknown")):
        return "check psa.username: it must be the user name of an API user of this Autotask database"
    return ""
