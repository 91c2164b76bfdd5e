"""Deciding what need not be done again: the no-op record and page reuse."""
