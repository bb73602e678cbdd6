"""Data sets for the lab: ``data.sentiment`` fetches, verifies and finds the movie reviews."""
