"""What students get and what Gradescope runs: the stubs, a new assignment's skeleton, the kit,
its notebook, the grading zip and its otter bridge, and their templates."""
