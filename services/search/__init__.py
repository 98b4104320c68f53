"""Search helpers without actors: snippets with highlights, opaque cursors, paging."""
