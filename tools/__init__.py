"""Developer tools: the ./lk command (tools/lk.py) and its helpers."""
