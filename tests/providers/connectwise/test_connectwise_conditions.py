"""`conditions` strings: grammar, quoting, and URLs that stay short."""

from __future__ import annotations

from datetime import date
from urllib.parse import quote, urlencode

from providers.connectwise import conditions as cond


def test_id_list_is_sorted_and_deduplicated():
    assert cond.ids_in("id", [3, 1, 2, 3]) == ["id in (1,2,3)"]


def test_string_list_is_quoted_and_escaped():
    assert cond.strings_in("identifier", ["B", "A"]) == ['identifier in ("A","B")']
    assert cond.string_literal('say "hi"\\') == '"say \\"hi\\"\\\\"'


def test_not_cancelled_before_uses_a_bracketed_date_time():
    assert (
        cond.not_cancelled_before(date(2024, 6, 15))
        == "cancelledDate = null or cancelledDate >= [2024-06-15T00:00:00Z]"
    )


def test_long_id_lists_are_split_so_every_url_stays_under_6_kb():
    ids = list(range(100000, 103000))
    chunks = cond.ids_in("id", ids)
    assert len(chunks) > 1
    seen: list[int] = []
    for chunk in chunks:
        assert chunk.startswith("id in (") and chunk.endswith(")")
        seen.extend(int(x) for x in chunk[len("id in (") : -1].split(","))
        query = urlencode({"conditions": chunk, "pageSize": 1000, "page": 1}, quote_via=quote)
        url = f"https://api-na.myconnectwise.net/v4_6_release/apis/3.0/finance/agreements?{query}"
        assert len(url) < 6000
    assert seen == ids


def test_a_small_budget_splits_strings_without_losing_any():
    values = [f"P1Y:CFQ7TTC0LCHC:{i:04d}" for i in range(40)]
    chunks = cond.strings_in("identifier", values, budget=300)
    assert len(chunks) > 1
    assert all(len(quote(c, safe="")) <= 300 for c in chunks)
    joined = ",".join(c[len("identifier in (") : -1] for c in chunks)
    assert joined == ",".join(f'"{v}"' for v in sorted(values))
