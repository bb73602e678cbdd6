"""Hidden tests of the ``labels`` question."""

import re

from hypothesis import given

from autograder.authoring import (
    Array,
    CheckFailure,
    expect,
    expect_raises,
    expect_structure,
    properties,
    show,
    student_call,
)

from . import _strategies as st


def _integer_array(got, call: str) -> None:
    expect_structure(got, Array((None,), "int", strict=True), call)


def matches_reference_on_case_and_space(sub, ref):
    # Empty inputs are their own clause (empty_inputs_give_empty_arrays).
    @properties(60)
    @given(st.labels.filter(bool))
    def prop(labels):
        expected = ref.labels.encode_labels(labels)
        text = "".join(label + "\n" for label in labels)
        for given_labels in (labels, text):
            call = f"encode_labels({show(given_labels, 300)})"
            got = student_call(call, lambda g=given_labels: sub.labels.encode_labels(g))
            _integer_array(got, call)
            expect(
                got,
                expected,
                call,
                mistakes={"labels reversed (positive as 0, negative as 1)": 1 - expected},
            )

    prop()


def empty_inputs_give_empty_arrays(sub, ref):
    for given_labels in ("", []):
        call = f"encode_labels({given_labels!r})"
        got = student_call(call, lambda g=given_labels: sub.labels.encode_labels(g))
        _integer_array(got, call)
        expect(got.shape, (0,), f"{call}.shape")


def error_names_index_and_value(sub, ref):
    cases = [
        (["neutral", "positive"], 0, "neutral"),
        (["positive", "negative", "Positive", "negative", "good", "positive"], 4, "good"),
        ("positive\nnegative\nnegative\npositiv\n", 3, "positiv"),
    ]
    for given_labels, index, value in cases:
        call = f"encode_labels({given_labels!r})"
        error = expect_raises(
            "ValueError", lambda g=given_labels: sub.labels.encode_labels(g), call
        )
        message = str(error.info.get("message", ""))
        if not re.search(rf"(?<!\d){index}(?!\d)", message) or value not in message:
            raise CheckFailure(
                f"{call} raised ValueError({message!r}): the message lacks the index "
                f"{index} or the value {value!r}"
            )


def empty_line_in_the_middle_raises(sub, ref):
    for text in ("positive\n\nnegative\n", "negative\npositive\n\n"):
        expect_raises(
            "ValueError", lambda t=text: sub.labels.encode_labels(t), f"encode_labels({text!r})"
        )
