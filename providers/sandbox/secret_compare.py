"""Comparing a credential a request carries with the world's, in constant time.

`hmac.compare_digest` refuses text with characters outside ASCII (a TypeError, which the
sandbox answered as a 500 and the client retried); the two are compared as UTF-8 bytes, so a
wrong secret with an accented letter is the vendor's 401, like any other wrong secret.
"""

from __future__ import annotations

import hmac


def same_secret(given: object, expected: object) -> bool:
    return hmac.compare_digest(
        str(given).encode("utf-8", "surrogatepass"), str(expected).encode("utf-8", "surrogatepass")
    )
