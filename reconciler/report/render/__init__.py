"""Renderers of a plan's JSON data: text (terminal), json, markdown (pull requests)."""

from reconciler.report.render.formats import FORMATS, render

__all__ = ["FORMATS", "render"]
