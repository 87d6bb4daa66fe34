"""The package of the fixture with a broken workflow."""

__version__ = "0.0.1"
