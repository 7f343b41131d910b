"""redplan: a requirements-first advisor for redundancy in distributed systems."""

__version__ = "0.1.0"
