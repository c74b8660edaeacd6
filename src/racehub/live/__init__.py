"""Race day, live: the ordered change log, its numbering and the live stream (SSE)."""
