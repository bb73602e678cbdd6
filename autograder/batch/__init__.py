"""Grading a class: on this machine (``local``) or a Dask cluster (``cluster``), one student at
a time (``student``), and again without running what need not run (``regrade``)."""
