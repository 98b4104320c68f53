"""``/api/gifs``."""
