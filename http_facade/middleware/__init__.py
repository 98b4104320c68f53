"""ASGI and request middleware of the facade: early answers and keep-alive, request ids
and the access log, the security baseline (CORS, CSRF, headers, sizes), rate limits and
strict JSON bodies."""
