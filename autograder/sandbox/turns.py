"""Turns at a container's memory: questions graded at once share what the container has left.

Without a limit on the grader's memory (``cgroups.container_room_mb`` is None) every question
goes at once. Inside one, a question starts when the room left after the other running
questions' floors still holds its own (its profile's ``memory_mb``, at most ``FLOOR_MB``); if
it does not, it waits for one of them to end. A question that finds no other running starts
whatever the room: it has the container to itself, and a kill for memory below the floor is
the grader's (``Cgroups.check_own_use``). A small container then grades one question at a time
instead of killing two; the wait comes before the question's clock starts, so it costs the
student nothing.
"""

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from autograder.sandbox.cgroups import FLOOR_MB, container_room_mb

_held: list[int] = []
"""The floors of the questions running now, in MB."""
_changed = threading.Condition()


@contextmanager
def memory_turn(memory_mb: int) -> Iterator[None]:
    """Run the block with a share of the container's memory for a question whose profile
    gives ``memory_mb``: its floor, ``min(memory_mb, FLOOR_MB)``, kept free of the other
    running questions' floors. (Its sandboxes' caps are what the container has left when
    each starts, as without turns.)"""
    floor = min(memory_mb, FLOOR_MB)
    if container_room_mb() is None:
        yield
        return
    with _changed:
        while True:
            room = container_room_mb() or 0
            # The room already lacks what the running questions use; their floors come off
            # whole, so two questions never count on the same memory.
            if not _held or room - sum(_held) >= floor:
                _held.append(floor)
                break
            _changed.wait()
    try:
        yield
    finally:
        with _changed:
            _held.remove(floor)
            _changed.notify_all()
