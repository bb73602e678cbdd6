"""Public tests for vocab.py: the examples of the lab sheet and the docstrings.

Each clause the hidden tests grade has a test here, on a smaller case.
"""


def mistake(got, known: dict, hint: str = "") -> str:
    """Names the known mistake whose answer ``got`` is, and the hint; "" if none."""
    names = [name for name, answer in known.items() if got == answer]
    return f"This is what {names[0]} gives{': ' + hint if hint else ''}." if names else ""


def test_most_frequent_word_gets_1(sub):
    got = sub.vocab.build_vocab(["the cat", "the dog"])
    assert got == {"the": 1, "cat": 2, "dog": 3}


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
    # "good" and "bad" occur once each; "good" comes first, so it gets the smaller integer.
    got = sub.vocab.build_vocab(["movie good", "movie bad"])
    alphabetical = {"movie": 1, "bad": 2, "good": 3}
    assert got == {"movie": 1, "good": 2, "bad": 3}, mistake(
        got, {"ties broken alphabetically": alphabetical}, "a tie goes to the word seen first"
    )


def test_encode_keeps_word_order(sub):
    vocab = {"best": 117, "movie": 18, "ever": 128}
    got = sub.vocab.encode_reviews(["best movie ever"], vocab)
    assert got == [[117, 18, 128]]


def test_encode_leaves_out_unknown_words(sub):
    got = sub.vocab.encode_reviews(["the cat", "a dog", ""], {"the": 1, "cat": 2, "dog": 3})
    assert got == [[1, 2], [3], []], mistake(
        got, {"encoding unknown words as 0": [[1, 2], [0, 3], []]}, "leave them out"
    )
