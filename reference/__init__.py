"""The instructor's solutions: the single source of the student kit.

Each module here is the contract's module with its solution code between
``# BEGIN SOLUTION`` and ``# END SOLUTION`` lines. ``autograder.kit.stubs`` turns
them into ``assignment/`` by removing those blocks, so docstrings and provided
helpers are written once.
"""
