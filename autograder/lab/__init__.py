"""The two halves of the lab, run end to end on an implementation (reference or a student's)."""
