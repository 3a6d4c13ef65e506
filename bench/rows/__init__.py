"""One module per bench row (or concern); each has ``measure(bench: lib.Context)``."""
