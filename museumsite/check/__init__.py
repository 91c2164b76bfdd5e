"""``museumsite check``: reports on a built site that a build does not fail for."""
