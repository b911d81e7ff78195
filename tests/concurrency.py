"""Many threads doing one thing at the same moment, on their own database connections: how
the PostgreSQL tests show that something is settled once."""

from __future__ import annotations

import threading
from collections.abc import Callable

from django.db import connections


def race(n: int, work: Callable[[int], None]) -> list[BaseException]:
    """Run `work(i)` for i in 0..n-1 in n threads released together; the errors they raised."""
    barrier = threading.Barrier(n)
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            barrier.wait()
            work(i)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors
