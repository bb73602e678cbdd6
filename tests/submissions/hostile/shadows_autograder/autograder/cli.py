"""``rnnlab grade``, as a student would have it: full marks in whatever results.json it is given."""

import sys

from autograder import _hostile


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    for flag, value in zip(argv, argv[1:], strict=False):
        if flag in ("-o", "--output"):
            with open(value, "w") as file:
                file.write(_hostile.FORGED)
    return 0


if __name__ == "__main__":
    sys.exit(main())
