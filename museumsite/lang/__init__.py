"""Languages for readers: interface catalogues, typography, collation, language detection. Imports only ``errors``."""
