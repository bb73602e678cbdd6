"""The contract's questions: which module and functions each question grades.

This is the one place that knows the question ids; everything else (stubs,
tests, later the grader's scores and reports) reads it from here.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Question:
    id: str
    module: str
    functions: tuple[str, ...]


QUESTIONS: tuple[Question, ...] = (
    Question("vocab", "vocab", ("build_vocab", "encode_reviews")),
    Question("labels", "labels", ("encode_labels",)),
    Question("padding", "padding", ("drop_empty", "pad_features")),
    Question("splits", "splits", ("split_data",)),
    Question("rnn_forward", "rnn", ("rnn_forward", "rnn_loss", "clip_gradients")),
    Question("rnn_backward", "rnn", ("rnn_backward",)),
    Question("lstm_graph", "lstm", ("build_graph",)),
)

MODULES: tuple[str, ...] = tuple(dict.fromkeys(q.module for q in QUESTIONS))
"""The graded modules, in the contract's order."""
