"""The PMO domain: one module per aggregate, pure and free of I/O."""
