"""loses: vocab. Leaves out the reviews that have no known word left.
names: dropping the reviews that become empty
"""


def encode_reviews(reviews, vocab_to_int):
    encoded = [[vocab_to_int[w] for w in review.split() if w in vocab_to_int] for review in reviews]
    return [review for review in encoded if review]
