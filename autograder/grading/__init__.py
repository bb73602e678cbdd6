"""Grading one submission: a question's tests in sandboxes, their verdicts and feedback, and
what must hold before anything is graded (the assignment's requirements)."""
