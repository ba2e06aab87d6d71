"""The kernel: what every layer may use and that knows no document — Chinese errors and
problem lists, the acting user (Principal, SYSTEM), input limits, safe cells, CSV reading, formatting."""
