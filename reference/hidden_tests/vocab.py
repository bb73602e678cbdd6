"""Hidden tests of the ``vocab`` question."""

from collections import Counter

from hypothesis import given

from autograder.authoring import expect, properties, show, student_call

from . import _strategies as st
from ._mistakes import words


def _mistakes(texts: list[str]) -> dict:
    stream = [w for text in texts for w in text.split()]
    counts = Counter(stream)
    first = {w: stream.index(w) for w in counts}
    last = {w: len(stream) - stream[::-1].index(w) for w in counts}

    def numbered(order, start=1):
        return {w: i for i, w in enumerate(order, start)}

    by_count = sorted(counts, key=lambda w: (-counts[w], first[w]))
    return {
        "numbering from 0 (0 is kept for padding)": numbered(by_count, 0),
        "ties broken alphabetically": numbered(sorted(counts, key=lambda w: (-counts[w], w))),
        words.LEAST_FREQUENT_FIRST: numbered(by_count[::-1]),
        words.LAST_OCCURRENCE_TIES: numbered(sorted(counts, key=lambda w: (-counts[w], -last[w]))),
    }


def vocab_matches_reference(sub, ref):
    @properties(80)
    @given(st.reviews)
    def prop(texts):
        call = f"build_vocab({show(texts, 300)})"
        got = student_call(call, lambda: sub.vocab.build_vocab(texts))
        expect(got, ref.vocab.build_vocab(texts), call, mistakes=_mistakes(texts))

    prop()


def ties_go_to_first_occurrence(sub, ref):
    for texts in (["b a", "a b c c"], ["it was", "was it"], ["z y x w"]):
        call = f"build_vocab({texts!r})"
        got = student_call(call, lambda t=texts: sub.vocab.build_vocab(t))
        expect(got, ref.vocab.build_vocab(texts), call, mistakes=_mistakes(texts))


def encode_matches_reference(sub, ref):
    @properties(80)
    @given(st.reviews, st.reviews)
    def prop(known, texts):
        vocab = ref.vocab.build_vocab(known)  # built on other reviews: some words are unknown
        call = f"encode_reviews({show(texts, 200)}, {show(vocab, 200)})"
        got = student_call(call, lambda: sub.vocab.encode_reviews(texts, vocab))
        mistakes = {
            "encoding unknown words as 0, the padding value": [
                [vocab.get(w, 0) for w in t.split()] for t in texts
            ],
            words.DROPPED_EMPTY: [r for r in ref.vocab.encode_reviews(texts, vocab) if r],
        }
        expect(got, ref.vocab.encode_reviews(texts, vocab), call, mistakes=mistakes)

    prop()
