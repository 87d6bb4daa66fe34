"""A package whose release process passes every rule."""

__version__ = "1.0.0"


def greet(name: str) -> str:
    """A greeting for ``name``."""
    return f"Hello, {name}!"
