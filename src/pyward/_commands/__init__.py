"""One module per sub-command; see ``pyward._cli.COMMANDS``."""
