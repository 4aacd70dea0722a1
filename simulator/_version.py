"""The package version, in a leaf module: provenance, the run store and the CLI read it without
importing the public API (``simulator/__init__.py`` imports the model). Keep in step with
``version`` in pyproject.toml."""

__version__ = "0.1.0"
