"""Advisory authoring: the Respond part of pyward (``pyward advisory``).

Records are OSV objects held as plain JSON-ready ``dict`` values (the OSV schema is the
model; :mod:`._validate` checks it), written as OSV JSON. Modules:

* ``_draft``: a draft record from options, a TOML file or prompts; affected versions
  enumerated from the index's release list (``_versions``); CVSS vectors scored with the
  audit's own code (:mod:`pyward._advisory._cvss`).
* ``_validate``: the OSV schema and a reviewer's lint rules.
* ``_cve``: OSV -> CVE JSON 5 (record and CNA container), validated against the CVE
  schemas.
* ``_cases``: coordinated reports (PEP 811): one file per case, atomic writes.
* ``_publish``: the next id of a prefix, without collisions, into a directory laid out
  like the PyPA advisory database.
* ``_lock``: the advisory directory's lock and exclusive file creation, shared by
  ``_cases`` and ``_publish``.
* ``_config``: ``[tool.pyward.advisory]`` (directory, id prefix, deadline, the CNA's
  ids for the CVE export).
"""
