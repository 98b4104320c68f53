"""One subpackage per REST resource: its blueprint(s) and request/response schemas together."""
