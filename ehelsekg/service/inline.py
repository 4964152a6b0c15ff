"""Answering reads already known to be cheap in the server's own process.

A job in a worker costs a round trip on top of its work: on this 2-core machine waking the
other CPU twice and pickling take 0.1-0.2 ms, more than a point query itself. So a read the
workers answered in under ``limit`` seconds is answered here the next time it is asked, while
the store is unchanged. The same read of the same data costs the same, so it cannot run away,
and a text that ran in a worker without crashing it will not crash this process either. A read
never seen before, seen before the last write, or slow stays with the workers, where a time
limit can stop it.

A SPARQL query of a single triple pattern (``sparql_text.one_pattern``) is answered here the
first time too, if its answer fits in INLINE_BYTES: the engine steps from one solution to the
next in bounded time and writes as it goes, so it stops within about a millisecond once the
budget is spent, and the query goes to a worker. Point lookups, each of another resource, are
the commonest reads of a linked-data client.

Reads here must not see a write half applied (the change committed, its inferences not yet):
a sequence number, odd while a write is applied, is read before and after each read (a
seqlock); if it was odd or has moved, the answer is thrown away and the read goes to a worker.

>>> reads = InlineReads(limit=0.002)
>>> reads.note("q", seconds=0.0005, sequence=reads.sequence)
>>> reads.cheap("q"), reads.run(lambda: 42)
(True, (True, 42))
>>> reads.begin_write(); reads.run(lambda: 42)
(False, None)
>>> reads.end_write(); reads.cheap("q")
False
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

#: The most bytes a one-pattern query's answer may take to be answered here the first time.
INLINE_BYTES = 64 * 1024


class InlineReads:
    """Which reads are cheap at the store's current state, and running them here."""

    def __init__(self, limit: float, *, size: int = 4096) -> None:
        #: Seconds a read may have taken in a worker to be answered here; 0 turns this off.
        self.limit = limit
        self.size = size
        #: Even while the store is still, odd while a write is applied.
        self.sequence = 0
        self._cheap: OrderedDict[Hashable, None] = OrderedDict()
        #: One-pattern reads whose answer did not fit: not tried here again until a write.
        self._large: OrderedDict[Hashable, None] = OrderedDict()
        #: How many reads were answered here.
        self.answered = 0
        # Reads are noted in the event loop, writes clear from the thread that writes.
        self._lock = threading.Lock()

    def cheap(self, key: Hashable) -> bool:
        """Whether the read ``key`` took under the limit since the last write."""
        return key in self._cheap

    def large(self, key: Hashable) -> bool:
        """Whether the read ``key``'s answer did not fit here since the last write."""
        return key in self._large

    def note_large(self, key: Hashable) -> None:
        with self._lock:
            _remember(self._large, key, self.size)

    def note(self, key: Hashable, *, seconds: float, sequence: int) -> None:
        """The read ``key``, begun at ``sequence``, took ``seconds`` in a worker."""
        with self._lock:
            if seconds >= self.limit or sequence != self.sequence or sequence % 2:
                return
            _remember(self._cheap, key, self.size)

    def run(self, read: Callable[[], object]) -> tuple[bool, object]:
        """(True, what ``read`` gave) if no write was applied meanwhile, else (False, None).
        A read that gives None (its answer did not fit) is not counted as answered."""
        before = self.sequence
        if before % 2:
            return False, None
        answer = read()
        if self.sequence != before:
            return False, None
        if answer is not None:
            self.answered += 1
        return True, answer

    def begin_write(self) -> None:
        """A write is about to change the store: reads go to the workers until it ends."""
        with self._lock:
            self.sequence += 1
            self._cheap.clear()
            self._large.clear()

    def end_write(self) -> None:
        """The write is applied, its inferences too, and the workers see it."""
        with self._lock:
            self._cheap.clear()
            self._large.clear()
            self.sequence += 1


def _remember(keys: OrderedDict[Hashable, None], key: Hashable, size: int) -> None:
    """Add ``key`` as the newest of ``keys``, forgetting the oldest beyond ``size``."""
    keys[key] = None
    keys.move_to_end(key)
    while len(keys) > size:
        keys.popitem(last=False)
