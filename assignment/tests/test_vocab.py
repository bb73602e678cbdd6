"""Public tests for vocab.py: the examples of the lab sheet and the docstrings."""

from vocab import build_vocab, encode_reviews


def test_most_frequent_word_gets_1():
    assert build_vocab(["the cat", "the dog"]) == {"the": 1, "cat": 2, "dog": 3}


def test_integers_start_at_1_and_have_no_gaps():
    vocab = build_vocab(["a b c a", "d e b a"])
    assert sorted(vocab.values()) == list(range(1, 6))


def test_no_reviews_give_an_empty_vocabulary():
    assert build_vocab([]) == {}
    assert build_vocab(["", "  "]) == {}


def test_encode_keeps_word_order():
    vocab = {"best": 117, "movie": 18, "ever": 128}
    assert encode_reviews(["best movie ever"], vocab) == [[117, 18, 128]]


def test_encode_leaves_out_unknown_words():
    assert encode_reviews(["the cat", "a dog", ""], {"the": 1, "cat": 2, "dog": 3}) == [
        [1, 2],
        [3],
        [],
    ]
