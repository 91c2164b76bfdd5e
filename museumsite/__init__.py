"""museumsite: a static-site generator for conference proceedings and blogs."""

__version__ = "0.1.0"
