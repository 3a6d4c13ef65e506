"""reelsub: the library behind the workflow's stage scripts (one module per concern)."""
