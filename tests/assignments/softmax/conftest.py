"""The softmax assignment is a fixture of the framework's tests, not part of its suite:
its public tests need the grader's ``sub``, so the framework's pytest run skips them."""

collect_ignore = ["assignment", "reference"]
