"""Turn a Python function into a Poolscope worker program.

    # square.py
    from poolscope_worker import serve

    def square(item):
        return int(item) ** 2

    serve(square)

    $ poolscope-run run --items 1..1000000 -j2 --worker-program 'python3 square.py'

Poolscope starts the program once per pool worker and writes that worker's
items on its standard input, one a line; serve() calls the function on
each and writes what it returns as one line on standard output, in the
same order (docs/worker-protocol.md). Anything printed to standard error
is the running task's output. Only the standard library is used.

With json=True (and `--worker-protocol json`), each line is a JSON object
both ways: {"id": N, "item": "..."} in, {"id": N, "result": ...} or
{"id": N, "error": "..."} out, so that an exception fails that one task
instead of the whole worker. In the line mode an exception ends the
program: the task is reported as crashed and the pool starts another
worker, as multiprocessing does with a dead process.
"""

import json as _json
import os
import sys

__all__ = ["serve"]


def _text(value):
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    text = str(value)
    # one answer is one line
    return text.replace("\r", "\\r").replace("\n", "\\n")


def serve(fn, *, json=False, stdin=None, stdout=None):
    """Answer every item on stdin with fn(item) on stdout until stdin ends.

    Items are given as str, without their newline. Answers are written as
    str(result) (newlines escaped), or as JSON with json=True. Output is
    flushed whenever no more input is waiting, so that a pool never waits
    for an answer held in a buffer.
    """
    fd_in = (stdin or sys.stdin).fileno()
    out = stdout or sys.stdout
    pending = b""
    while True:
        chunk = os.read(fd_in, 1 << 16)
        if not chunk:
            break
        pending += chunk
        *lines, pending = pending.split(b"\n")
        answers = []
        for raw in lines:
            line = raw.decode("utf-8", "surrogateescape")
            if json:
                request = _json.loads(line)
                try:
                    reply = {"id": request["id"], "result": fn(request["item"])}
                    answers.append(_json.dumps(reply, default=str))
                except Exception as exc:  # the task fails, the worker goes on
                    answers.append(_json.dumps({"id": request["id"],
                                                "error": f"{type(exc).__name__}: {exc}"}))
            else:
                answers.append(_text(fn(line)))
        if answers:
            out.write("\n".join(answers))
            out.write("\n")
            out.flush()
    if pending:
        # a last item without its newline
        line = pending.decode("utf-8", "surrogateescape")
        if json:
            request = _json.loads(line)
            out.write(_json.dumps({"id": request["id"], "result": fn(request["item"])}, default=str) + "\n")
        else:
            out.write(_text(fn(line)) + "\n")
        out.flush()


if __name__ == "__main__":
    # python3 poolscope_worker.py: an example worker that squares integers
    serve(lambda item: int(item) ** 2)
