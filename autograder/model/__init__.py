"""The pure data model: the rubric (questions, tests), what grading gives (outcomes, a report),
a gradebook row and its status, and when students see a result. No I/O, no engine import."""
