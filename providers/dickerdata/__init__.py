"""Dicker Data, the source of truth: its B2B API (client.py) and its portal export files (exports.py)."""
