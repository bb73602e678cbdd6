"""The root of the errors a command reports to whoever ran it.

A ``RnnlabError`` is input that cannot be used as given (a manifest, a gradebook, a class
folder, an option): the command line prints ``rnnlab: error: <message>`` and exits 2. It is
never a verdict on a submission (those are outcomes) nor a fault of the grader's (those are
logged and never charged to the student), so the sandbox's errors are not among them.
"""


class RnnlabError(Exception):
    """Input a command cannot work with; the message names what and why."""


class UsageError(RnnlabError, ValueError):
    """A command's arguments or the files they name cannot be used as given (a class folder with
    two submissions of one student, ``--only`` naming nobody, an export without a name)."""
