"""The files passed between stages: each a typed, versioned contract, read and written through one module."""
