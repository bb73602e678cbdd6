"""What tests are written with: verdicts, comparisons that explain themselves, hypothesis settings.

A test is a plain function. A public test ``test_<id>(sub)`` (in the assignment's
``public_tests`` folder, shipped to students) takes the submission as ``sub``; a
hidden test ``<id>(sub, ref)`` (in the ``hidden_tests`` folder, beside the
reference, never shipped) also takes the reference as ``ref``.

- ``sub.<module>.<function>(...)`` runs in the sandbox and returns plain data
  (lists, dicts, numbers, strings, numpy arrays; anything else arrives as an
  ``Opaque`` marker that equals nothing). ``sub.probe.<name>(...)`` calls the
  profile's helper instead. An exception of the submission's arrives as
  ``StudentError``.
- ``ref.<module>.<function>(...)`` is the reference, run in the grader (imported
  on first use).
- A test fails by raising ``CheckFailure`` (or a bare ``AssertionError``) with a
  message that names the mistake, never its fix, and never shows reference code.
  A test that passes may return a line of information for the report (a gradient
  check's errors).

A hidden test must give a verdict on ANY answer (``None``, a wrong type or
shape, NaN, an exception: ``rnnlab validate`` tries them all): a check that
crashes on one is a grader error, and the student reads "not in your code".
``expect`` never crashes; before indexing or unpacking an answer, check its
shape with ``expect_structure`` (a tuple of arrays of these shapes), which
fails with a verdict naming what came back and returns it ready to use.

Example, a hidden test::

    from hypothesis import given, strategies as st
    from autograder.authoring import Array, expect, expect_structure, properties, student_call

    def moments_match_reference(sub, ref):
        @properties(40)
        @given(st.lists(st.floats(-1e3, 1e3), min_size=1))
        def prop(values):
            call = f"moments({values})"
            got = student_call(call, lambda: sub.stats.moments(values))
            mean, var = expect_structure(got, (float, float), call)  # a pair of numbers
            want_mean, want_var = ref.stats.moments(values)
            expect(mean, want_mean, f"{call}: the mean")
            expect(var, want_var, f"{call}: the variance",
                   mistakes={"dividing by n - 1": want_var * len(values) / max(len(values) - 1, 1)})
        prop()

``mistakes`` names a known mistake when the answer is exactly what it gives, and
also when it gives part of the answer (a part of a tuple or dict, or whole rows of
an array): two mistakes at once are both named.
"""

from autograder.authoring.compare import (
    difference,
    known_mistake,
    partly_explained,
    show,
)
from autograder.authoring.gradients import numerical_gradient, relative_error
from autograder.authoring.hypothesis_settings import RANDOM_BLAMED, properties
from autograder.authoring.structure import Array, ListOf, describe_spec, expect_structure, summary
from autograder.authoring.verdicts import (
    CheckFailure,
    describe_error,
    expect,
    expect_raises,
    student_call,
)

__all__ = [
    "RANDOM_BLAMED",
    "Array",
    "CheckFailure",
    "ListOf",
    "describe_error",
    "describe_spec",
    "difference",
    "expect",
    "expect_raises",
    "expect_structure",
    "known_mistake",
    "numerical_gradient",
    "partly_explained",
    "properties",
    "relative_error",
    "show",
    "student_call",
    "summary",
]
