"""Connectors: the national portal, scanner hot folder and mailbox intake."""
