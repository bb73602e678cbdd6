"""A class's own certificate authority for its Dask cluster: ``rnnlab cluster init FOLDER``.

Anyone who reaches a Dask scheduler can run code in every worker (``client.run``): a
submission that read the scheduler's address in ``/proc`` did, as the worker's user, outside
every sandbox. So ``grade-all --scheduler`` speaks TLS only, with mutual authentication: the
scheduler, each worker and the client show a certificate signed by the class's CA and accept
only peers that do (``distributed.security.Security``; Dask checks no host name, so the CA is
the whole trust). Dask gives every certificate of the CA the same powers (a worker's key
connects a client too), so each key must be readable by its own user alone and by no
submission.

``init`` writes the CA's certificate and a key and certificate for each role, all ``PRIVATE``
in a ``PRIVATE_FOLDER``. The CA's own key lives only in a private temporary folder while it
signs them: no certificate can be added later, and a new cluster is a new ``init``. The
``openssl`` command makes them (P-256 keys), so the ``dask`` extra needs no crypto package.
"""

import os
import secrets
import shlex
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from autograder.errors import UsageError
from autograder.formats.files import PRIVATE_FOLDER, private_folder, write_atomic

ROLES = ("scheduler", "worker", "client")
CA = "ca.pem"
VALID_DAYS = 365
"""How long the certificates hold: a course's year; then ``init`` a new folder."""
PORT = 8786
"""Dask's own default scheduler port."""

_EXTENSIONS = """\
[req]
distinguished_name = dn
[dn]
[ca]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[member]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth, clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
"""
"""openssl's configuration: our own, so the machine's openssl.cnf adds nothing. Every member
both serves and connects (a worker listens and dials), hence both key usages."""


@dataclass(frozen=True)
class Identity:
    """What one member of the cluster trusts (``ca``) and shows (``cert``, ``key``)."""

    ca: Path
    cert: Path
    key: Path

    def files(self) -> tuple[Path, Path, Path]:
        return self.ca, self.cert, self.key


def identity(folder: Path, role: str) -> Identity:
    """The files of ``role`` (one of ``ROLES``) in a folder ``init`` wrote; not checked."""
    if role not in ROLES:
        raise UsageError(f"argument role: {role!r} is not one of {', '.join(ROLES)}")
    return Identity(folder / CA, folder / f"{role}.pem", folder / f"{role}.key")


def client(folder: Path) -> Identity:
    """The client's files in ``folder``, checked: ``UsageError`` naming the first one missing,
    or a key that others may read."""
    mine = identity(folder, "client")
    for path in mine.files():
        if not path.is_file():
            raise UsageError(
                f"argument --tls: {path} is missing: `rnnlab cluster init FOLDER` writes "
                f"{', '.join(p.name for p in mine.files())} (and the scheduler's and workers')"
            )
    mode = mine.key.stat().st_mode & 0o777
    if mode & 0o077:  # as ssh refuses a shared key: whoever can read it can run code on workers
        raise UsageError(
            f"argument --tls: {mine.key} can be read by others (mode {mode:04o}): "
            f"chmod 600 {shlex.quote(str(mine.key))}"
        )
    return mine


def init(folder: Path, *, days: int = VALID_DAYS) -> list[Path]:
    """Write a new CA's certificate and each role's key and certificate into ``folder`` (new,
    or an empty folder); the files written. All are ``PRIVATE`` and the folder
    ``PRIVATE_FOLDER``, whatever the umask."""
    if days < 1:
        raise UsageError(f"argument days: {days} is not a positive number of days")
    openssl = shutil.which("openssl")
    if openssl is None:
        raise UsageError("cluster init makes its certificates with the openssl command: install it")
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise UsageError(
            f"{folder} exists and is not an empty folder: cluster init writes a new CA into a "
            "new folder (the certificates of a running cluster would stop working)"
        )
    private_folder(folder)
    os.chmod(folder, PRIVATE_FOLDER)  # an empty folder given for the certificates is theirs
    made: dict[str, bytes] = {}
    with tempfile.TemporaryDirectory(prefix=".making-", dir=folder) as scratch:  # 0700
        work = Path(scratch)
        config = work / "openssl.cnf"
        config.write_text(_EXTENSIONS)
        ca_key = work / "ca.key"
        _openssl(openssl, "genpkey", *_P256, "-out", ca_key)
        ca_subject = f"/CN=rnnlab class CA {secrets.token_hex(4)}"  # two classes' CAs differ
        ca = ["-key", ca_key, "-config", config, "-extensions", "ca", "-subj", ca_subject]
        _openssl(openssl, "req", "-x509", "-new", *ca, *_signed(days), "-out", work / CA)
        made[CA] = (work / CA).read_bytes()
        member = ["-extfile", config, "-extensions", "member"]
        for role in ROLES:
            key, request, cert = (work / f"{role}{suffix}" for suffix in (".key", ".csr", ".pem"))
            _openssl(openssl, "genpkey", *_P256, "-out", key)
            subject = ["-config", config, "-subj", f"/CN=rnnlab {role}"]
            _openssl(openssl, "req", "-new", "-key", key, *subject, "-out", request)
            by_ca = ["-CA", work / CA, "-CAkey", ca_key, *member, *_signed(days)]
            _openssl(openssl, "x509", "-req", "-in", request, *by_ca, "-out", cert)
            made[key.name], made[cert.name] = key.read_bytes(), cert.read_bytes()
    written = []
    for name, data in made.items():  # only once all were made: a failure leaves none
        write_atomic(folder / name, data)
        written.append(folder / name)
    return written


_P256 = ("-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256")


def _signed(days: int) -> list[str]:
    return ["-days", str(days), "-sha256", "-set_serial", str(secrets.randbits(63))]


def _openssl(openssl: str, *arguments: str | Path) -> None:
    done = subprocess.run(
        [openssl, *map(str, arguments)], capture_output=True, text=True, stdin=subprocess.DEVNULL
    )
    if done.returncode != 0:
        said = (done.stderr.strip().splitlines() or ["no message"])[-1]
        raise UsageError(f"cluster init: openssl {arguments[0]} failed: {said}")


def setup_commands(folder: Path, host: str, port: int = PORT) -> list[tuple[str, str]]:
    """The commands that start a cluster with ``folder``'s certificates and grade on it, each
    with where it runs: the scheduler on ``host``:``port``, the workers, then grade-all."""
    if not 0 < port < 65536:
        raise UsageError(f"argument --port: {port} is not a port (1-65535)")
    if not host or "://" in host or "/" in host:
        raise UsageError(f"argument --host: {host!r} is not a host name or address")
    folder = folder.resolve()

    def tls(role: str) -> str:
        files = identity(folder, role)
        return " ".join(
            f"--tls-{flag} {shlex.quote(str(path))}"
            for flag, path in zip(("ca-file", "cert", "key"), files.files(), strict=True)
        )

    address = f"tls://{host}:{port}"
    return [
        (
            f"on {host}, the scheduler (it runs no student code)",
            f"dask scheduler --port {port} --no-dashboard {tls('scheduler')}",
        ),
        (
            "on each worker machine, as the user that grades there (ca.pem, worker.pem and "
            "worker.key copied there, readable by that user alone; elsewhere: mend the paths)",
            f"dask worker {address} --nthreads 1 --no-dashboard {tls('worker')}",
        ),
        (
            "on this machine, to grade the class",
            f"rnnlab grade-all SUBMISSIONS --scheduler {address} --tls {shlex.quote(str(folder))}",
        ),
    ]
