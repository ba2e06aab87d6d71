"""The use cases a page or a command runs: each takes the principal, scopes its reads, writes
through the store, and returns results; the Word records and circulars they assemble."""
