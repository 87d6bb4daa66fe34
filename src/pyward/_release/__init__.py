"""``pyward release-check``: grade a repository's release process (Trusted Publishing,
hardened workflows, lock files, a security policy, Bandit, deprecations as errors,
metadata, built artifacts) on a local checkout, offline.

The records are in :mod:`pyward._release._model`; each category's rules and scanner in
their own module.
"""
