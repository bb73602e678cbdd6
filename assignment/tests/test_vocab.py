"""Public tests for vocab.py: the examples of the lab sheet and the docstrings."""


def test_most_frequent_word_gets_1(sub):
    assert sub.vocab.build_vocab(["the cat", "the dog"]) == {"the": 1, "cat": 2, "dog": 3}


def test_integers_start_at_1_without_gaps(sub):
    vocab = sub.vocab.build_vocab(["a b c a", "d e b a"])
    assert sorted(vocab.values()) == [1, 2, 3, 4, 5]


def test_no_reviews_give_an_empty_vocabulary(sub):
    assert sub.vocab.build_vocab([]) == {}
    assert sub.vocab.build_vocab(["", "  "]) == {}


def test_encode_keeps_word_order(sub):
    vocab = {"best": 117, "movie": 18, "ever": 128}
    assert sub.vocab.encode_reviews(["best movie ever"], vocab) == [[117, 18, 128]]


def test_encode_leaves_out_unknown_words(sub):
    encoded = sub.vocab.encode_reviews(["the cat", "a dog", ""], {"the": 1, "cat": 2, "dog": 3})
    assert encoded == [[1, 2], [3], []]
