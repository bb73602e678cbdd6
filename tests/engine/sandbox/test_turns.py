"""Turns at a container's memory: a question waits while the others' floors leave too little."""

import threading

import pytest

from autograder.sandbox import turns
from autograder.sandbox.cgroups import FLOOR_MB


@pytest.fixture
def room(monkeypatch):
    """The container's room, as the test sets it; ``asked`` is set at each reading."""
    state = {"mb": None, "asked": threading.Event()}

    def reading() -> int | None:
        state["asked"].set()
        return state["mb"]

    monkeypatch.setattr(turns, "container_room_mb", reading)
    return state


def test_without_a_container_limit_every_question_goes_at_once(room):
    with turns.memory_turn(4096), turns.memory_turn(4096), turns.memory_turn(4096):
        pass


def test_a_question_alone_goes_whatever_the_room(room):
    room["mb"] = 10
    for _ in range(2):  # the first one's turn ended: the second is alone too
        with turns.memory_turn(2048):
            pass


def test_two_questions_share_a_room_that_holds_both_floors(room):
    room["mb"] = FLOOR_MB + 256  # the second's floor is its profile's smaller memory_mb
    with turns.memory_turn(2048), turns.memory_turn(256):
        pass


def test_a_question_waits_for_the_one_that_leaves_it_too_little(room):
    room["mb"] = FLOOR_MB + 100
    entered = threading.Event()

    def second() -> None:
        with turns.memory_turn(2048):
            entered.set()

    with turns.memory_turn(2048):
        room["asked"].clear()
        waiting = threading.Thread(target=second)
        waiting.start()
        # It read the room holding the turns' lock, and waits on it before this block can
        # end: it cannot have gone in yet.
        room["asked"].wait()
        assert not entered.is_set()
    waiting.join()
    assert entered.is_set()
