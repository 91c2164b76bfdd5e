"""Stage 3: Markdown bodies into HTML (Python-Markdown with the built-in and configured extensions), and its cache."""
