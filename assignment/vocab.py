# Generated from the reference by `rnnlab stubs`: fill in the functions that
# raise NotImplementedError. Do not rename functions or change their signatures.
"""Lab part 2, step 1: turn reviews into lists of integers.

Each word gets an integer: the most frequent word is 1, the next 2, and so on.
0 is never used, because the padding step fills short reviews with 0s.
"""

from collections import Counter
from string import punctuation

_NO_PUNCTUATION = str.maketrans("", "", punctuation)


def clean_reviews(text: str) -> list[str]:
    """Provided: the lab sheet's cleaning of ``reviews.txt``.

    Removes every punctuation character and splits the text into one string per
    review. A trailing newline ends the last review; it does not start an extra,
    empty one (the sheet's ``split('\\n')`` gives 25,001 items for 25,000
    reviews; this gives 25,000).
    """
    lines = text.translate(_NO_PUNCTUATION).split("\n")
    if lines[-1] == "":
        lines.pop()
    return lines


def build_vocab(reviews: list[str]) -> dict[str, int]:
    """Map every word that occurs in ``reviews`` to an integer in ``1..V``.

    Args:
        reviews: a list of reviews, each one string. Words are what
            ``review.split()`` gives (so runs of spaces and empty reviews are fine).

    Returns:
        A dict ``{word: integer}`` whose values are exactly ``1, 2, ..., V``
        where ``V`` is the number of distinct words. 0 is never used: it is
        reserved for padding.

        More frequent words get smaller integers. Two words with the same
        count are ordered by where they first occur: the one seen first gets
        the smaller integer. (``collections.Counter.most_common()`` gives
        exactly this order.)

        No reviews, or only empty ones, give ``{}``.

    Example:
        >>> build_vocab(["the cat", "the dog"])
        {'the': 1, 'cat': 2, 'dog': 3}
    """
    raise NotImplementedError("build_vocab: your code here")


def encode_reviews(reviews: list[str], vocab_to_int: dict[str, int]) -> list[list[int]]:
    """Replace every word of every review by its integer.

    Args:
        reviews: a list of reviews, each one string (split with ``str.split()``).
        vocab_to_int: the mapping ``build_vocab`` returns (or any other).

    Returns:
        One list of ints per review, in the same order. A word that is not in
        ``vocab_to_int`` is left out, so that review gets shorter (possibly
        empty). An empty review gives ``[]``.

    Example:
        >>> encode_reviews(["the cat", "a dog"], {"the": 1, "cat": 2, "dog": 3})
        [[1, 2], [3]]
    """
    raise NotImplementedError("encode_reviews: your code here")
