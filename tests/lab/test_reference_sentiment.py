"""The reference's data steps (vocab, labels, padding, splits) meet the contract.

Hypothesis properties state the contract; a handful of examples pin the
lab sheet's numbers.
"""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from reference import labels, padding, splits, vocab

words = st.sampled_from("the a movie film good bad great awful plot acting it was".split())
reviews = st.lists(st.lists(words, max_size=12).map(" ".join), max_size=15)
reviews_ints = st.lists(st.lists(st.integers(1, 50), max_size=30), max_size=20)


@given(reviews)
def test_vocab_is_a_bijection_onto_1_to_V(texts):
    mapping = vocab.build_vocab(texts)
    assert set(mapping) == {w for text in texts for w in text.split()}
    assert sorted(mapping.values()) == list(range(1, len(mapping) + 1))


@given(reviews)
def test_vocab_orders_by_frequency_then_first_occurrence(texts):
    mapping = vocab.build_vocab(texts)
    stream = [w for text in texts for w in text.split()]
    key = {w: (-stream.count(w), stream.index(w)) for w in mapping}
    assert sorted(mapping, key=mapping.get) == sorted(mapping, key=key.get)


@given(reviews, st.sets(words))
def test_encode_drops_unknown_words_and_keeps_order(texts, unknown):
    mapping = {w: i for w, i in vocab.build_vocab(texts).items() if w not in unknown}
    encoded = vocab.encode_reviews(texts, mapping)
    assert len(encoded) == len(texts)
    for text, ints in zip(texts, encoded, strict=True):
        assert ints == [mapping[w] for w in text.split() if w not in unknown]


def test_clean_reviews_follows_posix_lines():
    assert vocab.clean_reviews("it's good.\nbad, bad!\n") == ["its good", "bad bad"]
    assert vocab.clean_reviews("") == []
    assert vocab.clean_reviews("a\n\nb") == ["a", "", "b"]


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["positive", "negative"]),
            st.sampled_from(["", " ", "\t", "\r"]),
            st.booleans(),
        )
    )
)
def test_labels_ignore_case_and_surrounding_space(items):
    raw = [pad + (w.upper() if upper else w) + pad for w, pad, upper in items]
    expected = [int(w == "positive") for w, _, _ in items]
    for given_labels in (raw, "".join(label.replace("\r", "") + "\n" for label in raw)):
        encoded = labels.encode_labels(given_labels)
        assert encoded.ndim == 1 and np.issubdtype(encoded.dtype, np.signedinteger)
        assert encoded.tolist() == expected


@pytest.mark.parametrize(
    "given_labels, index, value",
    [
        ("positive\n\nnegative\n", 1, "''"),
        (["negative", "positive", "neutral"], 2, "'neutral'"),
        ("positive\nnegative\npositive\n\n", 3, "''"),
    ],
)
def test_bad_labels_name_index_and_value(given_labels, index, value):
    with pytest.raises(ValueError) as error:
        labels.encode_labels(given_labels)
    assert str(index) in str(error.value) and value in str(error.value)


def test_empty_labels():
    assert labels.encode_labels("").shape == (0,)
    assert labels.encode_labels([]).shape == (0,)


@given(reviews_ints, st.integers(1, 40))
def test_padding_is_left_zeros_then_first_words(rows, seq_len):
    features = padding.pad_features(rows, seq_len)
    assert features.shape == (len(rows), seq_len)
    assert np.issubdtype(features.dtype, np.integer)
    for row, review in zip(features, rows, strict=True):
        kept = review[:seq_len]
        assert row.tolist() == [0] * (seq_len - len(kept)) + kept


@pytest.mark.parametrize("seq_len", [0, -3, 2.5, True, "200", None])
def test_padding_refuses_bad_seq_len(seq_len):
    with pytest.raises(ValueError):
        padding.pad_features([[1, 2]], seq_len)


def test_padding_the_sheets_row():
    assert padding.pad_features([[117, 18, 128]], 5).tolist() == [[0, 0, 117, 18, 128]]
    assert padding.pad_features([], 7).shape == (0, 7)


@given(reviews_ints)
def test_drop_empty_keeps_order_and_pairs(rows):
    tags = list(range(len(rows)))
    kept, kept_tags = padding.drop_empty(rows, tags)
    assert kept == [r for r in rows if r]
    assert kept_tags.tolist() == [t for r, t in zip(rows, tags, strict=True) if r]


def test_drop_empty_refuses_mismatched_lengths():
    with pytest.raises(ValueError):
        padding.drop_empty([[1], [2]], [1])


@given(st.integers(0, 300), st.floats(0.01, 0.99))
def test_split_sizes_order_and_reassembly(n, frac):
    features, tags = np.arange(n * 2).reshape(n, 2), np.arange(n)
    parts = splits.split_data(features, tags, frac)
    split_idx = int(n * frac)
    sizes = [len(p) for p in parts]
    val = (n - split_idx) // 2
    assert sizes == [split_idx, split_idx, val, val, n - split_idx - val, n - split_idx - val]
    assert np.array_equal(np.concatenate(parts[0::2]), features)
    assert np.array_equal(np.concatenate(parts[1::2]), tags)


@pytest.mark.parametrize("frac", [0, 1, -0.5, 1.5, float("nan")])
def test_split_refuses_bad_fractions(frac):
    with pytest.raises(ValueError):
        splits.split_data(np.zeros((4, 2)), np.zeros(4), frac)


def test_split_refuses_mismatched_lengths():
    with pytest.raises(ValueError):
        splits.split_data(np.zeros((4, 2)), np.zeros(5))


def test_the_sheets_numbers_on_the_real_data(real_data):
    from data.sentiment import read_texts

    reviews_text, labels_text = read_texts(real_data)
    reviews = vocab.clean_reviews(reviews_text)
    mapping = vocab.build_vocab(reviews)
    ints = vocab.encode_reviews(reviews, mapping)
    assert len(reviews) == 25_000 and len(mapping) == 74_072
    assert max(map(len, ints)) == 2514
    # The sheet's first feature row: "bromwell high is a cartoon comedy it ran ..."
    assert ints[0][:10] == [21025, 308, 6, 3, 1050, 207, 8, 2138, 32, 1]
    kept, kept_labels = padding.drop_empty(ints, labels.encode_labels(labels_text))
    parts = splits.split_data(padding.pad_features(kept), kept_labels)
    assert [p.shape for p in parts[0::2]] == [(20_000, 200), (2_500, 200), (2_500, 200)]
    assert kept_labels.sum() == 12_500
