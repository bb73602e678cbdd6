"""A made-up class of 20 softmax submissions, for the instructor guide's picture of the class
report.

    python tests/assignments/softmax/demo_class.py /tmp/demo/submissions

writes one folder per student: the reference, three solutions written apart and a renamed
copy of one (``similar/``), the reference with one or two known mistakes, printing, a module
that does not import, one that is missing, and the unfilled stubs.
"""

import sys
from pathlib import Path

HERE = Path(__file__).parent
REFERENCE = (HERE / "reference" / "softmax.py").read_text()
STUB = (HERE / "assignment" / "softmax.py").read_text()

SHAPE_CHECK = (
    '    if z.ndim != 2:\n        raise ValueError(f"z must be 2-D (N, C), got shape {z.shape}")\n'
)
LAST = "    return e / e.sum(axis=1, keepdims=True)"
LOSS = "np.mean(_log_sum_exp(z) - z[np.arange(len(z)), y])"
MISTAKES = {
    "the sum, not the mean": [("float(np.mean(_log_sum_exp(z)", "float(np.sum(_log_sum_exp(z)")],
    "a flipped loss": [(LOSS, "np.mean(z[np.arange(len(z)), y] - _log_sum_exp(z))")],
    "no shift by the max": [("np.exp(z - z.max(axis=1, keepdims=True))", "np.exp(z)")],
    "over columns": [
        ("np.exp(z - z.max(axis=1, keepdims=True))", "np.exp(z - z.max(axis=0, keepdims=True))"),
        ("e / e.sum(axis=1, keepdims=True)", "e / e.sum(axis=0, keepdims=True)"),
    ],
    "no division by N": [("return dz / len(z)", "return dz")],
    "no labels' term": [("    dz[np.arange(len(z)), y] -= 1.0\n", "")],
    "no label check": [("    if np.any((y < 0) | (y >= z.shape[1])):\n", "    if False:\n")],
    "no shape check": [(SHAPE_CHECK + "    e =", "    e =")],
    "prints": [(LAST, "    print('softmax of', z.shape)\n" + LAST)],
}

STUDENTS = {
    "ada": [],
    "ben": ["the sum, not the mean"],
    "cleo": ["no shift by the max"],
    "dev": ["over columns"],
    "eli": ["no division by N"],
    "fay": ["no labels' term"],
    "gus": ["no label check"],
    "hal": ["no shape check", "no label check"],
    "ivy": ["the sum, not the mean", "no division by N"],
    "jon": ["a flipped loss"],
    "kim": ["prints", "no shift by the max"],
    "lou": ["no division by N", "no label check"],
    "max": ["prints"],
}


def write(folder: Path) -> None:
    folder.mkdir(parents=True)
    for name, mistakes in STUDENTS.items():
        source = REFERENCE
        for mistake in mistakes:
            for old, new in MISTAKES[mistake]:
                assert old in source, (name, mistake, old)
                source = source.replace(old, new)
        (folder / name).mkdir()
        (folder / name / "softmax.py").write_text(source)
    for name, file in [("noor", "honest_a"), ("omar", "honest_b"), ("pia", "honest_c")]:
        (folder / name).mkdir()
        (folder / name / "softmax.py").write_text((HERE / "similar" / f"{file}.py").read_text())
    (folder / "quinn").mkdir()  # noor's, renamed
    (folder / "quinn" / "softmax.py").write_text((HERE / "similar" / "copied.py").read_text())
    (folder / "rae").mkdir()
    (folder / "rae" / "softmax.py").write_text(REFERENCE + "\nimport softmax_helpers\n")
    (folder / "sam").mkdir()
    (folder / "sam" / "soft_max.py").write_text(REFERENCE)
    for name in ("tess", "uma"):
        (folder / name).mkdir()
        (folder / name / "softmax.py").write_text(STUB)


if __name__ == "__main__":
    write(Path(sys.argv[1]))
