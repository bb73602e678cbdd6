"""The sandbox worker: imports the submission's modules and answers the grader's calls.

Runs as ``python -I worker.py REQUESTS_FD REPLIES_FD SUBMISSION_DIR`` inside
the sandbox. Each request is a frame ``{"op": "import" | "call" | "probe", ...}``;
each reply is ``{"value": ...}`` or ``{"error": {...}}``. The submission's own
output goes to stdout/stderr, which the grader reads separately.
"""

import importlib
import os
import sys
import traceback

# Our helpers are imported before the submission's folder joins sys.path, so a
# student module called wire.py or probes.py cannot take their place.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import probes  # noqa: E402
import wire  # noqa: E402

del sys.path[0]


def describe_error(error: BaseException, submission: str) -> dict:
    """The exception as plain data: its type (and bases), message and the submission's frames."""
    try:
        message = str(error)
    except BaseException:  # noqa: BLE001 - a hostile __str__
        message = "<the exception's message could not be read>"
    frames = [
        f"{os.path.basename(f.filename)}:{f.lineno} in {f.name}: {(f.line or '').strip()}"
        for f in traceback.extract_tb(error.__traceback__)
        if f.filename.startswith(submission)
    ]
    return {
        "type": type(error).__name__,
        "bases": [t.__name__ for t in type(error).__mro__],
        "message": message[:2000],
        "frames": frames[-8:],
    }


def handle(request: dict, modules: dict):
    op = request["op"]
    if op == "import":
        for library in request.get("preload", ()):
            import_quietly(library)
        name = request["module"]
        modules[name] = importlib.import_module(name)
        return None
    if op == "call":
        function = getattr(modules[request["module"]], request["function"])
        return function(*request.get("args", ()), **request.get("kwargs", {}))
    if op == "probe":
        probe = getattr(probes, request["name"])
        return probe(modules["lstm"], *request.get("args", ()), **request.get("kwargs", {}))
    raise ValueError(f"unknown request {op!r}")


def quiet_libraries() -> None:
    """TensorFlow's TF1-style API warns at every graph; that noise is not the student's output."""
    import logging
    import warnings

    logging.getLogger("tensorflow").setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    warnings.filterwarnings("ignore", category=UserWarning)


def import_quietly(name: str) -> None:
    """Import a library with stderr closed: its C++ start-up lines are not the student's."""
    sys.stderr.flush()
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        importlib.import_module(name)
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def main() -> None:
    requests, replies, submission = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    quiet_libraries()
    sys.path.insert(0, submission)
    os.chdir(submission)
    modules: dict = {}
    while True:
        try:
            request = wire.receive(requests)
        except EOFError:
            return
        try:
            reply = {"value": handle(request, modules)}
        except BaseException as error:  # noqa: BLE001 - SystemExit from the submission included
            reply = {"error": describe_error(error, submission)}
        try:
            wire.send(replies, reply)
        except (wire.WireError, ValueError, TypeError, RecursionError) as error:
            wire.send(
                replies,
                {
                    "error": {
                        "type": "ReplyError",
                        "bases": ["ReplyError"],
                        "message": f"the result could not be sent: {error}",
                        "frames": [],
                    }
                },
            )


if __name__ == "__main__":
    main()
