"""Work for the machine's second core: searches run in a worker process.

python-igraph holds the GIL while it computes, so a thread cannot use another core; a process can.
The worker is this module run as ``python -m secgraph.kernels``: it imports nothing else of
secgraph (``secgraph/__init__.py`` is empty), so it starts in a fraction of a second, and it is a
fresh interpreter rather than a fork, since forking a server that runs threads can copy a lock
another thread holds. It reads its task from standard input and writes the answer to standard
output, both as numpy's ``.npy`` arrays.
"""

from __future__ import annotations

import io
import subprocess
import sys

import numpy as np


def _betweenness(nodes: int, ties: np.ndarray, sources: np.ndarray) -> np.ndarray:
    import igraph

    graph = igraph.Graph(n=nodes, edges=ties.tolist())
    return np.asarray(graph.betweenness(directed=False, sources=sources.tolist()), dtype=np.float64)


class BetweennessWorker:
    """igraph's undirected betweenness from ``sources`` (vertex numbers) on a graph of ``nodes``
    vertices and ``ties`` (an m × 2 array of vertex numbers), computed in another process.

    Started on construction; ``result()`` waits for the raw sums (igraph's own scale), one per
    vertex. When the worker cannot run or fails, ``result()`` computes the same sums here, so the
    answer never depends on whether a second process was available.
    """

    def __init__(self, nodes: int, ties: np.ndarray, sources: list[int]) -> None:
        self._task = (nodes, np.ascontiguousarray(ties, dtype=np.int64), np.asarray(sources, dtype=np.int64))
        payload = io.BytesIO()
        np.save(payload, np.array([nodes], dtype=np.int64))
        np.save(payload, self._task[1])
        np.save(payload, self._task[2])
        try:
            self._process: subprocess.Popen[bytes] | None = subprocess.Popen(
                [sys.executable, "-m", "secgraph.kernels"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
            )
            assert self._process.stdin is not None
            # The worker reads its whole task before it computes, so this write does not wait on it.
            self._process.stdin.write(payload.getvalue())
            self._process.stdin.close()
        except OSError:
            self._process = None

    def result(self) -> np.ndarray:
        if self._process is not None:
            assert self._process.stdout is not None
            output = self._process.stdout.read()
            self._process.stdout.close()
            if self._process.wait() == 0:
                try:
                    return np.load(io.BytesIO(output))
                except (OSError, ValueError):
                    pass
        return _betweenness(*self._task)


def main() -> None:
    task = io.BytesIO(sys.stdin.buffer.read())
    nodes = int(np.load(task)[0])
    ties, sources = np.load(task), np.load(task)
    answer = io.BytesIO()
    np.save(answer, _betweenness(nodes, ties, sources))
    sys.stdout.buffer.write(answer.getvalue())


if __name__ == "__main__":
    main()
