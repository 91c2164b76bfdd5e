"""museumsite: a static-site generator for conference proceedings and blogs."""

from pathlib import Path

__version__ = "0.1.0"
# The installed package's folder: its code, and its data (the default theme, the starter site, CI workflows).
PACKAGE = Path(__file__).resolve().parent
# The file that makes a folder a site: its settings.
CONFIG_FILE = "museumsite.yaml"
