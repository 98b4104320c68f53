"""Example integrations built on the public API only (see bots/examples/README.md)."""
