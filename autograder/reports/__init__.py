"""Reports for people: a graded class as data, its figures, the HTML pages, and similarity."""
