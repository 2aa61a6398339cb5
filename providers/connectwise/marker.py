"""The line marker now lives in `providers.marker` (shared with Autotask); kept for imports."""

from providers.marker import Marker, read_marker, strip_marker, with_marker

__all__ = ["Marker", "read_marker", "strip_marker", "with_marker"]
