"""Small commands: ``init``, ``new`` and ``clean``."""
