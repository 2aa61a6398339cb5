"""Autotask PSA target: recurring-service contracts, their services, unit rows and charges.

`client.py` is the only module that talks HTTP (zone discovery, auth headers, queries with
paging, creates and updates, error texts, at most three requests at a time),
`budget.py` keeps the run inside the database's hourly request threshold, `filters.py`
builds query filters, `mapping.py` converts vendor JSON to and from the model, and
`provider.py` is the glue.
"""
