"""Commands for a Dask cluster that grades a class: ``rnnlab cluster init FOLDER`` makes its
certificates and says how to start it."""

import argparse
import socket
from pathlib import Path

from autograder.cli.common import shown


def _init(args: argparse.Namespace) -> int:
    from autograder.batch import certificates

    commands = certificates.setup_commands(args.folder, args.host, args.port)  # checked first
    written = certificates.init(args.folder)
    print(
        f"wrote {', '.join(p.name for p in written)} in {shown(args.folder)} (0600, the folder "
        "0700; the CA's key was not kept: a new cluster is a new folder)"
    )
    for where, command in commands:
        print(f"\n# {where}:\n{command}")
    return 0


def add_cluster(commands: argparse._SubParsersAction) -> None:
    cluster = commands.add_parser(
        "cluster", help="set up a Dask cluster for grade-all --scheduler (TLS only)"
    )
    actions = cluster.add_subparsers(dest="action", required=True, metavar="ACTION")
    init = actions.add_parser(
        "init",
        help="write the class's CA and the scheduler's, workers' and client's keys and "
        "certificates into a new FOLDER, and print the commands that start the cluster",
    )
    init.add_argument("folder", type=Path, metavar="FOLDER", help="a new (or empty) folder")
    init.add_argument(
        "--host",
        default=socket.gethostname(),
        help="the scheduler's host name or address, as the workers and this machine reach it "
        "(default: this machine's name); only the printed commands use it",
    )
    init.add_argument(
        "--port",
        type=int,
        default=8786,
        help="the scheduler's port (default 8786); only the printed commands use it",
    )
    init.set_defaults(run=_init)
