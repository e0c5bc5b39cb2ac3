"""A process of the Python tests, indexing while they watch.

    helper_indexer.py add_paths DB FOLDER [quiet]
        runs add_paths (batches of 200 articles), printing "progress" at
        each progress call (with quiet: no progress callable, and
        "progress" once before the call); on KeyboardInterrupt prints the
        tally kept as JSON with "interrupted": true.
    helper_indexer.py batches DB N SIZE
        puts N transactions of SIZE articles that all hold the word
        "zebra", so that a reader always sees a multiple of SIZE.
"""
import json
import signal
import sys

import eafsearch

# (started by a test run that may itself be a background job, SIGINT
# ignored: the interrupt tests send it)
signal.signal(signal.SIGINT, signal.default_int_handler)


def add_paths(db, folder, quiet=False):
    def progress(done, total, tally):
        print("progress", done, total, flush=True)
    if quiet:
        print("progress (none to come)", flush=True)
        progress = None
    with eafsearch.Index(db, "c", lock=True) as ix:
        try:
            t = ix.add_paths([folder], batch=200, related=False, progress=progress)
            print(json.dumps({"interrupted": False, "added": t.added}))
        except KeyboardInterrupt as e:
            # on a line of its own: the interrupt may have come in the middle
            # of a progress line, after "progress" and before its newline
            print()
            print(json.dumps({"interrupted": True, "added": e.tally.added}))


def batches(db, n, size):
    with eafsearch.Index(db, "w") as ix:
        for b in range(n):
            with ix.transaction():
                for i in range(size):
                    ix.put({"key": "z/%d/%d" % (b, i), "title": "Zebra number %d" % i,
                            "body": "zebra crossing %d of batch %d" % (i, b)})
    print("done", flush=True)


if __name__ == "__main__":
    if sys.argv[1] == "add_paths":
        add_paths(sys.argv[2], sys.argv[3], len(sys.argv) > 4 and sys.argv[4] == "quiet")
    else:
        batches(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
