"""Public tests for vocab.py: the examples of the lab sheet and the docstrings.

Each clause the hidden tests grade has a test here, on a smaller case.
"""

from mistakes import DROPPED_EMPTY, LAST_OCCURRENCE_TIES, LEAST_FREQUENT_FIRST


def mistake(got, known: dict, hint: str | dict = "") -> str:
    """Names the known mistake whose answer ``got`` is, and the hint (one for all, or one
    per mistake's name); "" if none."""
    names = [name for name, answer in known.items() if got == answer]
    if not names:
        return ""
    said = hint.get(names[0], "") if isinstance(hint, dict) else hint
    return f"This is what {names[0]} gives{': ' + said if said else ''}."


def test_most_frequent_word_gets_1(sub):
    got = sub.vocab.build_vocab(["the cat", "the dog"])
    least_first = {"dog": 1, "cat": 2, "the": 3}
    assert got == {"the": 1, "cat": 2, "dog": 3}, mistake(got, {LEAST_FREQUENT_FIRST: least_first})


def test_integers_start_at_1_without_gaps(sub):
    vocab = sub.vocab.build_vocab(["a b c a", "d e b a"])
    got = sorted(vocab.values())
    assert got == [1, 2, 3, 4, 5], mistake(
        got, {"numbering from 0": [0, 1, 2, 3, 4]}, "0 is kept for the padding"
    )


def test_no_reviews_give_an_empty_vocabulary(sub):
    got = sub.vocab.build_vocab([])
    assert got == {}
    got = sub.vocab.build_vocab(["", "  "])
    assert got == {}


def test_ties_go_to_the_word_seen_first(sub):
    # Each word occurs twice, a three-way tie: "movie" comes first, then "bad", then "good".
    got = sub.vocab.build_vocab(["movie bad good", "bad good movie"])
    known = {
        "ties broken alphabetically": {"bad": 1, "good": 2, "movie": 3},
        LAST_OCCURRENCE_TIES: {"movie": 1, "good": 2, "bad": 3},
        LEAST_FREQUENT_FIRST: {"good": 1, "bad": 2, "movie": 3},
    }
    assert got == {"movie": 1, "bad": 2, "good": 3}, mistake(
        got, known, "a tie goes to the word seen first"
    )


def test_encode_keeps_word_order(sub):
    vocab = {"best": 117, "movie": 18, "ever": 128}
    got = sub.vocab.encode_reviews(["best movie ever"], vocab)
    assert got == [[117, 18, 128]]


def test_encode_leaves_out_unknown_words(sub):
    got = sub.vocab.encode_reviews(["the cat", "a dog", ""], {"the": 1, "cat": 2, "dog": 3})
    known = {"encoding unknown words as 0": [[1, 2], [0, 3], []], DROPPED_EMPTY: [[1, 2], [3]]}
    hints = {
        DROPPED_EMPTY: "an empty review stays, as []",
        "encoding unknown words as 0": "leave them out",
    }
    assert got == [[1, 2], [3], []], mistake(got, known, hints)
