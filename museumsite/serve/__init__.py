"""The development server: serving the output, watching the sources, reloading open pages."""
