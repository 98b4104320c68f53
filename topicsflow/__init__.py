"""TopicsFlow: the process entry point (the ``topicsflow`` command) and its settings."""
