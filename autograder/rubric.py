"""The rubric: every question, its tests, their points and who sees them.

This is the one place that knows question ids, points and visibility.
Scores, reports, the stubs and the student kit all read it.

A public test ``t`` of a question on module ``m`` is the function ``test_t`` in
``assignment/tests/test_m.py`` (it ships in the student kit); a hidden test
``t`` of question ``q`` is the function ``t`` in ``autograder/checks/q.py``
(it never does). Partial credit is per test: a test scores all its points or
none.
"""

from dataclasses import dataclass
from typing import Literal

Visibility = Literal["public", "hidden"]


@dataclass(frozen=True)
class Test:
    id: str
    title: str
    points: float
    visibility: Visibility


@dataclass(frozen=True)
class Question:
    id: str
    module: str
    functions: tuple[str, ...]
    tests: tuple[Test, ...]

    @property
    def points(self) -> float:
        return sum(t.points for t in self.tests)

    @property
    def uses_tensorflow(self) -> bool:
        return self.module == "lstm"


def public(id: str, points: float, title: str) -> Test:
    return Test(id, title, points, "public")


def hidden(id: str, points: float, title: str) -> Test:
    return Test(id, title, points, "hidden")


QUESTIONS: tuple[Question, ...] = (
    Question(
        "vocab",
        "vocab",
        ("build_vocab", "encode_reviews"),
        (
            public("most_frequent_word_gets_1", 1, "the most frequent word gets 1"),
            public("integers_start_at_1_without_gaps", 1, "integers are 1..V"),
            public("no_reviews_give_an_empty_vocabulary", 1, "no reviews give {}"),
            public("encode_keeps_word_order", 1, "encode_reviews keeps word order"),
            public("encode_leaves_out_unknown_words", 1, "encode_reviews leaves out unknown words"),
            hidden(
                "vocab_matches_reference", 2, "build_vocab: 1..V by frequency, on generated reviews"
            ),
            hidden(
                "ties_go_to_first_occurrence",
                1,
                "build_vocab: ties go to the word that occurs first",
            ),
            hidden(
                "encode_matches_reference",
                2,
                "encode_reviews: words in order, unknown ones left out",
            ),
        ),
    ),
    Question(
        "labels",
        "labels",
        ("encode_labels",),
        (
            public("raw_text_with_trailing_newline", 1, "raw text with a trailing newline"),
            public("a_list_of_labels", 1, "a list of labels"),
            public("anything_else_is_a_value_error", 1, "an unknown label raises ValueError"),
            hidden(
                "matches_reference_on_case_and_space",
                3,
                "labels in any case, with spaces, as text or a list",
            ),
            hidden(
                "empty_inputs_give_empty_arrays",
                1,
                "empty text and an empty list give an empty integer array",
            ),
            hidden("error_names_index_and_value", 2, "the ValueError names index and value"),
            hidden("empty_line_in_the_middle_raises", 1, "an empty line in the middle raises"),
        ),
    ),
    Question(
        "padding",
        "padding",
        ("drop_empty", "pad_features"),
        (
            public("the_sheets_example_row", 1, "the lab sheet's [117, 18, 128] row"),
            public("rows_of_200_left_padded", 1, "rows of 200, left-padded, first words kept"),
            public(
                "drop_empty_removes_reviews_and_their_labels",
                1,
                "drop_empty removes reviews and their labels",
            ),
            hidden(
                "pad_matches_reference", 3, "pad_features: left-padded, first seq_len words kept"
            ),
            hidden("pad_no_reviews", 1, "pad_features of no reviews: shape (0, seq_len)"),
            hidden("pad_refuses_bad_seq_len", 1, "pad_features refuses a bad seq_len"),
            hidden(
                "drop_empty_matches_reference",
                1,
                "drop_empty: empty reviews go with their labels, in order",
            ),
            hidden(
                "drop_empty_refuses_mismatched_lengths", 1, "drop_empty refuses mismatched lengths"
            ),
        ),
    ),
    Question(
        "splits",
        "splits",
        ("split_data",),
        (
            public("the_sheets_split_sizes", 1, "20,000 / 2,500 / 2,500"),
            public("no_shuffling", 1, "rows stay in order"),
            hidden(
                "sizes_match_reference", 3, "split sizes: int(n * split_frac), the odd row to test"
            ),
            hidden("parts_reassemble_in_order", 2, "the parts put back together give the input"),
            hidden("refuses_bad_fractions", 2, "split_frac outside (0, 1) raises ValueError"),
            hidden("refuses_mismatched_lengths", 1, "mismatched lengths raise ValueError"),
        ),
    ),
    Question(
        "rnn_forward",
        "rnn",
        ("rnn_forward", "rnn_loss", "clip_gradients"),
        (
            public(
                "forward_shapes_with_the_sheets_sizes", 1, "rnn_forward shapes (T=50, hidden 100)"
            ),
            public("forward_one_step_by_hand", 1, "rnn_forward on one step, by hand"),
            public("loss_is_a_mean_over_records", 1, "rnn_loss is a mean over records"),
            public("clipping_both_sides", 1, "clip_gradients clips both sides"),
            hidden("forward_matches_reference", 4, "rnn_forward's y_hat on random sizes"),
            hidden(
                "layers_match_reference", 2, "rnn_forward's layers (s and prev_s) on random sizes"
            ),
            hidden(
                "loss_matches_reference",
                3,
                "rnn_loss: the mean over records of 0.5 * sum of squares",
            ),
            hidden(
                "clip_matches_reference", 2, "clip_gradients: every array clipped into [min, max]"
            ),
        ),
    ),
    Question(
        "rnn_backward",
        "rnn",
        ("rnn_backward",),
        (
            public("backward_shapes", 1, "rnn_backward shapes"),
            public("gradient_check", 2, "gradient check on a small problem"),
            public("truncation_below_1_is_refused", 1, "bptt_truncate=0 raises ValueError"),
            hidden("matches_reference_k_1", 3, "truncation: bptt_truncate=1 keeps the last step"),
            hidden(
                "matches_reference_k_2", 3, "truncation: bptt_truncate=2 keeps the last two steps"
            ),
            hidden("matches_reference_k_t_minus_1", 3, "truncation: bptt_truncate=T-1"),
            hidden(
                "matches_reference_k_t", 3, "bptt_truncate=T, or more, is full back-propagation"
            ),
            hidden("matches_reference_k_none", 3, "bptt_truncate=None is full back-propagation"),
            hidden(
                "central_differences", 4, "the gradient of L: matches finite differences (T=12)"
            ),
            hidden("refuses_bad_truncation", 1, "bptt_truncate below 1 raises ValueError"),
            hidden("accepts_either_y_shape", 1, "y of shape (output_dim,) or (output_dim, 1)"),
        ),
    ),
    Question(
        "lstm_graph",
        "lstm",
        ("build_graph",),
        (
            public("the_graph_has_every_part", 1, "build_graph returns every part"),
            public("predictions_are_probabilities", 1, "predictions are in (0, 1), one per review"),
            public("two_layers_have_their_own_weights", 1, "two layers have their own weights"),
            # One hidden test per parameter (varied, to see its effect) and per returned key.
            hidden("n_words_sets_the_embedding_rows", 1, "n_words: the embedding's rows"),
            hidden("embed_size_sets_the_embedding_width", 1, "embed_size: the embedding's width"),
            hidden(
                "lstm_size_sizes_the_cells",
                1,
                "lstm_size: the cells, outputs, state and dense layer",
            ),
            hidden(
                "lstm_layers_stacks_cells", 1, "lstm_layers: that many stacked cells, each its own"
            ),
            hidden(
                "batch_size_sets_the_zero_state", 1, "batch_size: the zero initial_state's rows"
            ),
            hidden("learning_rate_scales_the_step", 1, "learning_rate: the optimizer's step size"),
            hidden(
                "placeholders_drive_the_graph",
                1,
                "inputs_ and labels_: placeholders that drive outputs and cost",
            ),
            hidden(
                "keep_prob_drops_lstm_outputs",
                1,
                "keep_prob: the placeholder of dropout on the LSTM's outputs",
            ),
            hidden("embedding_is_the_lookup_table", 1, "embedding: the table the inputs index"),
            hidden(
                "initial_state_starts_the_lstm", 1, "initial_state: the feedable starting state"
            ),
            hidden("outputs_are_every_steps_output", 1, "outputs: the LSTM's output at every step"),
            hidden(
                "final_state_is_the_last_steps_state",
                1,
                "final_state: the state after the last step",
            ),
            hidden(
                "predictions_from_the_last_step", 1, "predictions: a sigmoid unit on outputs[:, -1]"
            ),
            hidden("cost_is_the_mean_squared_error", 1, "cost: the mean squared error"),
            hidden(
                "accuracy_rounds_predictions", 1, "accuracy: mean of round(predictions) == labels_"
            ),
            hidden("optimizer_takes_an_adam_step", 1, "optimizer: one Adam step on cost"),
            hidden("graph_holds_every_part", 1, "graph: a new tf.Graph holding every part"),
        ),
    ),
)

MODULES: tuple[str, ...] = tuple(dict.fromkeys(q.module for q in QUESTIONS))
"""The graded modules, in the contract's order."""

TOTAL: float = sum(q.points for q in QUESTIONS)


class UnknownQuestion(LookupError):
    """A question id that the rubric does not have."""


def question(id: str) -> Question:
    for q in QUESTIONS:
        if q.id == id:
            return q
    raise UnknownQuestion(
        f"no question {id!r}; the questions are {', '.join(q.id for q in QUESTIONS)}"
    )
