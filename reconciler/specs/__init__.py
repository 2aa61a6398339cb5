"""Reading a deployment's specs/: located YAML, schema validation, cross-references, model."""

from reconciler.specs.loader import load_deployment, validate_deployment

__all__ = ["load_deployment", "validate_deployment"]
