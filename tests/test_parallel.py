"""Forked workers: answers in the order of the shares, and a worker that dies is reported, not waited for."""

from __future__ import annotations

import os
import signal

import pytest

from redplan.parallel import Forked, can_fork

pytestmark = pytest.mark.skipif(not can_fork(), reason="workers are forked on Linux only")


def test_answers_come_in_the_order_of_the_shares():
    big = list(range(100_000))  # inherited by the fork, not sent
    workers = Forked(lambda share: sum(big[share[0]:share[1]]), [(0, 50_000), (50_000, 100_000), (0, 0)])
    try:
        assert workers.answers() == [sum(range(50_000)), sum(range(50_000, 100_000)), 0]
    finally:
        workers.stop()


def dies_on_odd(share: int) -> int:
    if share % 2:
        os._exit(3)
    return share * 10


def test_a_worker_that_dies_gives_none_instead_of_a_hang():
    signal.signal(signal.SIGALRM, lambda *_: pytest.fail("waited for a dead worker"))
    signal.alarm(30)
    try:
        workers = Forked(dies_on_odd, [0, 1, 2, 3])
        assert workers.answers() == [0, None, 20, None]
    finally:
        signal.alarm(0)
        workers.stop()


def test_stop_ends_workers_that_are_still_running():
    workers = Forked(lambda seconds: signal.pause(), [1, 2])
    processes = [process for process, _ in workers._running]
    workers.stop()
    for process in processes:
        process.join(timeout=10)
    assert [process.is_alive() for process in processes] == [False, False]
