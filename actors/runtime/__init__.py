"""The actor runtime: actors and their context, refs and addresses, mailboxes, envelopes,
the error hierarchy and statistics.  Re-exported by :mod:`actors`; it imports no domain."""
