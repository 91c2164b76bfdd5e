"""Stage 5, the only writes of a build: the swapped tree, the in-place journal, collisions."""
