"""Pages of the development profile: home, outbox, the pages mailed links open."""
