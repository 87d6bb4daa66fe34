"""The package of the GitLab fixture."""

__version__ = "0.3.0"
