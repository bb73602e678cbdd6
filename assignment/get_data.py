"""Get the lab's data: 25,000 movie reviews and their labels, into ``data/`` beside this file.

    python get_data.py                  # download them (34 MB) and check their sha256
    python get_data.py --from FOLDER    # or copy the copy you have (plain or .gz)

``reviews.txt`` (one review a line, lower case) and ``labels.txt`` (``positive`` or
``negative``, one a line) are the IMDB reviews of Udacity's deep-learning course, downloaded
from its repositories on GitHub (the mirrors below, tried in order). Each file is checked
against its sha256 while it is written, and put in place only if it matches, so a failure
never leaves half a file behind. A file already in ``data/`` is kept (delete it to get it
again). The notebook does the same with ``get_data.fetch()`` and reads the files with
``get_data.read()``. Only the standard library is used: this runs before anything else is
installed.
"""

import argparse
import gzip
import hashlib
import http.client
import os
import shlex
import sys
import urllib.request
from pathlib import Path

FILES = {
    "reviews.txt": "d7c2f21e5c8f5240859910ba5331b9baa88310aa978dbd8747ebd4ff6ebbefa6",
    "labels.txt": "301d18424e95957a000293f5d8393239451d7f54622a8f21613172aebe64ca06",
}
"""The files, and the sha256 of each (uncompressed)."""
MIRRORS = [
    "https://raw.githubusercontent.com/udacity/deep-learning/master/sentiment-network/",
    "https://raw.githubusercontent.com/udacity/deep-learning-v2-pytorch/master/sentiment-rnn/data/",
]
"""Where the files are downloaded from: a file's address is a mirror followed by its name."""
HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
"""Where the files go, and where the notebook reads them."""


class DataError(Exception):
    """Getting or reading the data failed; the message says, in one line, what to do."""

    def _render_traceback_(self):  # IPython shows this instead of a traceback
        return [f"DataError: {self}"]


class _Mismatch(Exception):
    """A file's sha256 is not the one expected."""


def _show(path: Path) -> str:
    """``path`` relative to the current folder if it is inside it (``data/reviews.txt``)."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _command(dest: Path) -> str:
    """``python get_data.py``, with ``--dest`` when ``dest`` is not the default."""
    where = "" if dest.resolve() == DATA else f" --dest {shlex.quote(str(dest))}"
    return f"python get_data.py{where}"


def _install(stream, dest: Path, name: str, sha256: str | None) -> None:
    """Copy ``stream`` to ``dest/name`` through a temporary file, checking its sha256."""
    part = dest / f".{name}.part"
    digest = hashlib.sha256()
    try:
        with open(part, "wb") as out:
            while chunk := stream.read(1 << 16):
                digest.update(chunk)
                out.write(chunk)
        if sha256 is not None and digest.hexdigest() != sha256:
            raise _Mismatch(f"sha256 {digest.hexdigest()[:12]}... instead of {sha256[:12]}...")
        os.replace(part, dest / name)
    finally:
        part.unlink(missing_ok=True)


def _download(dest: Path, name: str, sha256: str, timeout: float) -> str:
    failures = []
    for mirror in MIRRORS:
        try:
            with urllib.request.urlopen(mirror + name, timeout=timeout) as response:
                _install(response, dest, name, sha256)
            return mirror + name
        except (OSError, ValueError, http.client.HTTPException, _Mismatch) as error:
            failures.append(f"{mirror + name}: {error}")
    raise DataError(
        f"could not download {name} ({'; '.join(failures)}); check your connection and run "
        f"`{_command(dest)}` again, or copy a copy you have with "
        f"`{_command(dest)} --from FOLDER`"
    )


def _copy(source: Path, dest: Path, name: str, sha256: str | None) -> str:
    for path in (source / name, source / f"{name}.gz"):
        if path.is_file():
            try:
                with gzip.open(path) if path.suffix == ".gz" else open(path, "rb") as stream:
                    _install(stream, dest, name, sha256)
            except _Mismatch as error:
                raise DataError(
                    f"{path} is not the lab's {name} ({error}); get a fresh copy, or run "
                    f"`{_command(dest)}` to download it (--no-check copies it anyway)"
                ) from None
            except (OSError, EOFError, ValueError) as error:  # gzip's errors too
                raise DataError(f"cannot copy {path}: {error}") from None
            return _show(path)
    raise DataError(
        f"neither {name} nor {name}.gz is in {source}; give the folder that holds them, "
        f"or run `{_command(dest)}` to download them"
    )


def fetch(
    source: str | Path | None = None,
    dest: str | Path = DATA,
    *,
    check: bool = True,
    timeout: float = 60,
) -> None:
    """Put ``reviews.txt`` and ``labels.txt`` in ``dest``.

    Each file is downloaded (or, with ``source``, copied from that folder, plain or
    ``.gz``) unless it is there already. ``check=False`` copies files whose sha256
    differs (a smaller data set of your own); downloads are always checked.

    Raises:
        DataError: a file could not be downloaded, found, read or written.
    """
    dest = Path(dest)
    if source is not None and not Path(source).is_dir():
        raise DataError(
            f"{source} is not a folder; give the folder that holds {' and '.join(FILES)}"
        )
    try:
        dest.mkdir(parents=True, exist_ok=True)
        for name, sha256 in FILES.items():
            if (dest / name).is_file():
                print(f"{_show(dest / name)}: already there")
                continue
            if source is None:
                print(f"{_show(dest / name)}: downloading ...", flush=True)
                origin = _download(dest, name, sha256, timeout)
            else:
                origin = _copy(Path(source), dest, name, sha256 if check else None)
            print(f"{_show(dest / name)}: from {origin}")
    except OSError as error:
        raise DataError(f"cannot write in {dest}: {error}") from None


def read(dest: str | Path = DATA) -> tuple[str, str]:
    """The text of ``reviews.txt`` and of ``labels.txt`` in ``dest``.

    Raises:
        DataError: a file is missing (the message says what to run) or unreadable.
    """
    dest = Path(dest)
    texts = []
    for name in FILES:
        path = dest / name
        if not path.is_file():
            raise DataError(
                f"{_show(path)} is missing: run `{_command(dest)}` in the lab's folder (it "
                f"downloads the data), or `{_command(dest)} --from FOLDER` to copy your copy"
            )
        try:
            texts.append(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as error:
            raise DataError(
                f"cannot read {path}: {error}; delete it and run `{_command(dest)}`"
            ) from None
    return texts[0], texts[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Get the lab's movie reviews and labels (downloaded and checked, or copied)."
    )
    parser.add_argument(
        "--from",
        dest="source",
        metavar="FOLDER",
        help="copy reviews.txt and labels.txt (or .gz) from FOLDER instead of downloading them",
    )
    parser.add_argument(
        "--dest", default=str(DATA), help="where the files go (default: data/ beside this script)"
    )
    parser.add_argument(
        "--no-check",
        action="store_true",
        help="with --from: copy files whose sha256 differs from the lab's (a data set of your own)",
    )
    args = parser.parse_args(argv)
    try:
        fetch(args.source, args.dest, check=not args.no_check)
    except DataError as error:
        print(f"get_data.py: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
