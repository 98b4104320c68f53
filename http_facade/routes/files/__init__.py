"""``/api/files`` and the blob store behind them."""
