"""Renderers of a plan's JSON data: text (terminal), json, markdown (pull requests)."""

from reconciler.render.formats import FORMATS, render

__all__ = ["FORMATS", "render"]
