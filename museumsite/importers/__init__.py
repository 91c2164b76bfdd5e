"""Importers: outside formats (frab and pretalx schedules, WordPress, Disqus) into ``content/``."""
