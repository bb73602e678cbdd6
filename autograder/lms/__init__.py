"""Who handed in and when (``roster``, the late policy), and the gradebook for an LMS
(``export``)."""
