"""Stages 1 and 2: content files read into documents, then assembled into the linked, validated ``Site``."""
