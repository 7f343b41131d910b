"""Forked worker processes for the work a big run spreads over its CPUs (auditing chunks of its files).

fork() lets each worker start from this process's memory (the catalog, above all) without pickling
it; only each worker's answer crosses a pipe.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Generic, TypeVar

Share = TypeVar("Share")
Answer = TypeVar("Answer")


def can_fork() -> bool:
    """fork() is safe on Linux; macOS's system libraries are not fork-safe, and Windows has no fork."""
    return sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()


def default_jobs() -> int:
    """The CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class Forked(Generic[Share, Answer]):
    """One forked process per share, each sending back `work(share)` through its own pipe.

    Only the worker holds the sending end of its pipe: a worker that dies without answering (killed,
    out of memory, a bug) ends it, and `answers` gives None for that share instead of waiting forever.
    """

    def __init__(self, work: Callable[[Share], Answer], shares: list[Share]) -> None:
        context = multiprocessing.get_context("fork")
        self.shares = shares
        self._running = []
        for share in shares:
            receiver, sender = context.Pipe(duplex=False)
            process = context.Process(target=_answer, args=(work, share, sender), daemon=True)
            process.start()
            sender.close()
            self._running.append((process, receiver))

    def answers(self) -> list[Answer | None]:
        """Each share's answer, in the order of the shares; None for a worker that died."""
        answers: list[Answer | None] = []
        for process, receiver in self._running:
            try:
                answers.append(receiver.recv())
            except EOFError:
                answers.append(None)
            process.join()
        return answers

    def stop(self) -> None:
        """Terminate the workers still running (on any exit, including an input error found meanwhile)."""
        for process, receiver in self._running:
            if process.is_alive():
                process.terminate()
            receiver.close()


def _answer(work: Callable[[Share], Answer], share: Share, sender: Connection) -> None:
    sender.send(work(share))
    sender.close()
