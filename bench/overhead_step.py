"""bench row 8: a script: job that does nothing but make its output."""

from pathlib import Path

Path(snakemake.output[0]).touch()  # noqa: F821 (injected by Snakemake's script: directive)
