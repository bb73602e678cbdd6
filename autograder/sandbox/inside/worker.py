"""The sandbox worker: imports the submission's modules and answers the grader's calls.

Runs as ``python -I worker.py REQUESTS_FD REPLIES_FD SUBMISSION_DIR`` inside
the sandbox. Its first frame is the hello, ``{"value": "ready"}``, sent before
anything of the submission's can run: a worker that never says it is the
grader's (or the machine's) fault. Then each request is a frame
``{"op": "import" | "call" | "probe" | "load", ...}``; each reply is ``{"value": ...}``
or ``{"error": {...}}``, and there is a reply to every request, whatever the
submission's value or exception does. The submission's own output goes to
stdout/stderr, which the grader reads separately.
"""

import importlib
import os
import sys
import traceback

# Our files are imported before the submission's folder joins sys.path, so a
# student module called wire.py or like the helper cannot take their place.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import wire  # noqa: E402

try:
    import rnnlab_helper as helper  # the profile's helper, if it has one
except ModuleNotFoundError:
    helper = None

del sys.path[0]


def describe_error(error: BaseException, submission: str) -> dict:
    """The exception as plain data: its type (and bases), message and the submission's frames."""
    try:
        frames = [
            f"{os.path.basename(f.filename)}:{f.lineno} in {f.name}: {(f.line or '').strip()}"
            for f in traceback.extract_tb(error.__traceback__)
            if f.filename.startswith(submission)
        ]
        return {
            "type": type(error).__name__,
            "bases": [t.__name__ for t in type(error).__mro__],
            "message": message(error)[:2000],
            "frames": frames[-8:],
        }
    except BaseException:  # noqa: BLE001 - a hostile exception class (metaclass, properties)
        return failure("Exception", "<the exception could not be described>")


def message(error: BaseException) -> str:
    try:
        return str(error)
    except BaseException:  # noqa: BLE001 - a hostile __str__
        return "<the exception's message could not be read>"


def failure(kind: str, text: str) -> dict:
    return {"type": kind, "bases": [kind], "message": text, "frames": []}


def send_reply(fd: int, reply: dict) -> None:
    """Send ``reply``; if it cannot be encoded (over the limits, ...), an error reply instead."""
    try:
        frame = wire.pack(reply)
    except BaseException as error:  # noqa: BLE001 - the value is the submission's: all of it
        info = describe_error(error, "")  # the encoder's own error: no frame is the submission's
        text = f"the result could not be sent: {info['type']}: {info['message']}"
        frame = wire.pack({"error": failure("ReplyError", text[:2000])})
    # What the call printed goes out before its reply, so it is shown with its own test.
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BaseException:  # noqa: BLE001 - a stream the submission replaced or closed
            pass
    wire.write(fd, frame)


def handle(request: dict, modules: dict):
    op = request["op"]
    if op == "import":
        for library in request.get("preload", ()):
            import_quietly(library)
        name = request["module"]
        if name is not None:  # None: the libraries only (the clean sandbox)
            modules[name] = importlib.import_module(name)
        return None
    if op == "call":
        function = getattr(modules[request["module"]], request["function"])
        return function(*request.get("args", ()), **request.get("kwargs", {}))
    if op == "probe":  # in a clean sandbox no module was imported: None
        probe = getattr(helper, request["name"])
        module = modules.get(request["module"])
        return probe(module, *request.get("args", ()), **request.get("kwargs", {}))
    if op == "load":
        return helper.load(*request["args"])
    raise ValueError(f"unknown request {op!r}")


def quiet_libraries() -> None:
    """Libraries' deprecation warnings are not the student's output."""
    import warnings

    warnings.filterwarnings("ignore", category=DeprecationWarning)
    warnings.filterwarnings("ignore", category=UserWarning)


def import_quietly(name: str) -> None:
    """Import a library with stderr closed and its logger set to errors only: its start-up
    lines and its warnings at every use are not the student's output."""
    import logging

    logging.getLogger(name).setLevel(logging.ERROR)
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
    # Everything up to here is the grader's: the hello tells it the sandbox works.
    wire.send(replies, {"value": "ready"})
    sys.path.insert(0, submission)
    os.chdir(submission)
    modules: dict = {}
    while True:
        try:
            request = wire.receive(requests)
        except EOFError:
            return
        except wire.WireError as error:  # the frame was read whole: the channel is still in step
            send_reply(replies, {"error": failure("RequestError", str(error))})
            continue
        try:
            reply = {"value": handle(request, modules)}
        except BaseException as error:  # noqa: BLE001 - SystemExit from the submission included
            reply = {"error": describe_error(error, submission)}
        send_reply(replies, reply)


if __name__ == "__main__":
    main()
