"""ncesync engine: specs, billing rules, plans, apply."""

__version__ = "0.1.0"
