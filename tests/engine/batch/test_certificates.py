"""``rnnlab cluster init``'s certificates: private whatever the umask, a CA of their own (its
key not kept), mutual TLS between the roles of one class and none with another's, and the
client's files checked before a cluster is dialled."""

import os
import shlex
import ssl
import stat

import pytest

from autograder.batch import certificates
from autograder.errors import UsageError
from autograder.formats.files import PRIVATE, PRIVATE_FOLDER

FILES = sorted(
    ["ca.pem", *(f"{role}{suffix}" for role in certificates.ROLES for suffix in (".pem", ".key"))]
)


def mode(path):
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """One class's certificates, and another class's."""
    ours, theirs = tmp_path_factory.mktemp("ours") / "tls", tmp_path_factory.mktemp("theirs")
    certificates.init(ours)
    certificates.init(theirs)  # an empty folder that exists
    return ours, theirs


@pytest.mark.parametrize("umask", [0, 0o022, 0o077])
def test_the_files_and_their_new_folders_are_private_whatever_the_umask(tmp_path, umask):
    folder = tmp_path / "course" / "tls"
    os.chmod(tmp_path, 0o755)  # the instructor's: left as it is
    saved = os.umask(umask)
    try:
        written = certificates.init(folder)
    finally:
        os.umask(saved)
    assert sorted(p.name for p in written) == sorted(os.listdir(folder)) == FILES
    assert {p.name: mode(p) for p in written} == {name: PRIVATE for name in FILES}
    assert mode(folder) == mode(folder.parent) == PRIVATE_FOLDER
    assert mode(tmp_path) == 0o755


def test_an_empty_folder_given_for_them_is_made_private(tmp_path):
    folder = tmp_path / "tls"
    folder.mkdir(mode=0o755)
    os.chmod(folder, 0o755)
    certificates.init(folder)
    assert mode(folder) == PRIVATE_FOLDER


def test_the_ca_s_key_is_not_kept(made):
    ours, _ = made
    for path in ours.iterdir():
        text = path.read_text()
        assert text.startswith("-----BEGIN ")
        if path.name == "ca.pem":
            assert "PRIVATE KEY" not in text


def handshake(server: certificates.Identity, client: certificates.Identity) -> None:
    """A TLS handshake in memory between ``server`` and ``client``, each requiring the other's
    certificate as Dask does (no host name: the CA is the whole trust); ``ssl.SSLError`` if
    either refuses. X.509 strict checks on, as newer Pythons default to."""
    ends = []
    for purpose, me, server_side in (
        (ssl.Purpose.CLIENT_AUTH, server, True),
        (ssl.Purpose.SERVER_AUTH, client, False),
    ):
        context = ssl.create_default_context(purpose, cafile=me.ca)
        context.check_hostname = False
        context.verify_mode = ssl.CERT_REQUIRED
        context.verify_flags |= ssl.VERIFY_X509_STRICT
        context.load_cert_chain(me.cert, me.key)
        incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
        end = context.wrap_bio(incoming, outgoing, server_side=server_side)
        ends.append((end, incoming, outgoing))
    (tls_server, server_in, server_out), (tls_client, client_in, client_out) = ends

    def flight():  # what each side sent is what the other reads
        server_in.write(client_out.read())
        client_in.write(server_out.read())

    done = set()
    for _ in range(10):  # a handshake is a few flights
        for end in (tls_client, tls_server):
            try:
                end.do_handshake()
                done.add(end)
            except ssl.SSLWantReadError:
                pass
        flight()
    assert done == {tls_server, tls_client}
    tls_client.write(b"hello")  # TLS 1.3: the server may judge the client's certificate late
    flight()
    assert tls_server.read(5) == b"hello"


@pytest.mark.parametrize("server", ["scheduler", "worker"])
@pytest.mark.parametrize("client", ["worker", "client"])
def test_the_members_of_one_class_know_each_other(made, server, client):
    ours, _ = made
    handshake(certificates.identity(ours, server), certificates.identity(ours, client))


def test_a_member_of_another_class_is_refused_both_ways(made):
    ours, theirs = made
    scheduler, client = (certificates.identity(ours, role) for role in ("scheduler", "client"))
    stranger = certificates.identity(theirs, "client")
    with pytest.raises(ssl.SSLError):
        handshake(scheduler, stranger)
    with pytest.raises(ssl.SSLError):
        handshake(certificates.identity(theirs, "scheduler"), client)
    mixed = certificates.Identity(scheduler.ca, stranger.cert, stranger.key)  # trusts our CA
    with pytest.raises(ssl.SSLError):
        handshake(scheduler, mixed)  # the server says no


def test_a_folder_with_files_is_not_overwritten(made):
    ours, _ = made
    before = {p.name: p.read_bytes() for p in ours.iterdir()}
    with pytest.raises(UsageError, match="exists and is not an empty folder"):
        certificates.init(ours)
    assert {p.name: p.read_bytes() for p in ours.iterdir()} == before


def test_without_openssl_it_says_so_and_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(UsageError, match="openssl command"):
        certificates.init(tmp_path / "tls")
    assert not (tmp_path / "tls").exists()


@pytest.mark.parametrize("missing", ["ca.pem", "client.pem", "client.key"])
def test_the_client_s_files_are_checked_naming_the_missing_one(made, tmp_path, missing):
    ours, _ = made
    copy = tmp_path / "tls"
    copy.mkdir()
    for name in ("ca.pem", "client.pem", "client.key"):
        if name != missing:
            (copy / name).write_bytes((ours / name).read_bytes())
            os.chmod(copy / name, PRIVATE)
    with pytest.raises(UsageError) as refused:
        certificates.client(copy)
    said = str(refused.value)
    assert said.startswith(f"argument --tls: {copy / missing} is missing")
    assert "rnnlab cluster init" in said and "\n" not in said


def test_a_client_key_others_may_read_is_refused(made, tmp_path):
    ours, _ = made
    copy = tmp_path / "tls"
    copy.mkdir()
    for name in ("ca.pem", "client.pem", "client.key"):
        (copy / name).write_bytes((ours / name).read_bytes())
    os.chmod(copy / "client.key", 0o640)
    with pytest.raises(UsageError, match=r"can be read by others \(mode 0640\): chmod 600"):
        certificates.client(copy)
    os.chmod(copy / "client.key", PRIVATE)
    assert certificates.client(copy).key == copy / "client.key"


def test_the_setup_commands_use_the_folder_s_files(made):
    ours, _ = made
    commands = dict(
        (shlex.split(line)[0:2][-1], shlex.split(line))
        for _, line in certificates.setup_commands(ours, "grader.example.edu", 9000)
    )
    scheduler, worker, grade_all = commands["scheduler"], commands["worker"], commands["grade-all"]
    flags = {"--tls-ca-file": "ca.pem", "--tls-cert": "{}.pem", "--tls-key": "{}.key"}
    for role, command in (("scheduler", scheduler), ("worker", worker)):
        for flag, name in flags.items():
            assert command[command.index(flag) + 1] == str(ours.resolve() / name.format(role))
    assert scheduler[scheduler.index("--port") + 1] == "9000"
    assert worker[2] == "tls://grader.example.edu:9000"
    assert grade_all[grade_all.index("--scheduler") + 1] == "tls://grader.example.edu:9000"
    assert grade_all[grade_all.index("--tls") + 1] == str(ours.resolve())


@pytest.mark.parametrize(
    "host, port, flag", [("h", 0, "--port"), ("h", 70000, "--port"), ("tcp://h", 1, "--host")]
)
def test_bad_setup_arguments_are_named(tmp_path, host, port, flag):
    with pytest.raises(UsageError, match=f"argument {flag}: "):
        certificates.setup_commands(tmp_path, host, port)
