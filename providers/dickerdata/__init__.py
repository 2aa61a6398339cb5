"""Dicker Data, the source of truth: its B2B API (client.py) and its portal exports (exports.py)."""
