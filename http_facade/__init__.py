"""http_facade package."""
