"""loses: vocab. Encodes unknown words as 0 instead of leaving them out.
names: encoding unknown words as 0
"""


def encode_reviews(reviews, vocab_to_int):
    return [[vocab_to_int.get(w, 0) for w in review.split()] for review in reviews]
