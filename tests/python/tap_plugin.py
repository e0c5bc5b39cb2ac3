"""A pytest plugin that writes TAP, one line per test, for automake's TAP
driver: "ok N - test", "not ok N - test", "ok N # SKIP why".

pytest.sh loads it with -p tap_plugin and names the file with
EAF_TAP_OUT; pytest's own report goes to the log as comments.  A test
fails when any of its phases (setup, call, teardown) fails; a collection
error is a failing line of its own, so that a test file that cannot even
be imported is never silently left out.
"""
import os

_results = {}   # nodeid -> [outcome, detail], in the order first seen
_errors = []    # collection errors


def _note(nodeid, outcome, detail):
    entry = _results.setdefault(nodeid, ["passed", ""])
    rank = {"passed": 0, "skipped": 1, "failed": 2}
    if rank[outcome] > rank[entry[0]]:
        entry[0], entry[1] = outcome, detail


def pytest_runtest_logreport(report):
    if report.failed:
        _note(report.nodeid, "failed", "%s failed" % report.when)
    elif report.skipped:
        reason = ""
        if isinstance(report.longrepr, tuple) and len(report.longrepr) == 3:
            reason = report.longrepr[2]
        if reason.startswith("Skipped: "):
            reason = reason[len("Skipped: "):]
        _note(report.nodeid, "skipped", reason)
    elif report.when == "call":
        _note(report.nodeid, "passed", "")


def pytest_collectreport(report):
    if report.failed:
        _errors.append(report.nodeid or "collection")


def pytest_sessionfinish(session, exitstatus):
    path = os.environ.get("EAF_TAP_OUT")
    if not path:
        return
    lines = []
    for nodeid in _errors:
        lines.append("not ok %d - %s: could not be collected" % (len(lines) + 1, nodeid))
    for nodeid, (outcome, detail) in _results.items():
        name = nodeid.split("::", 1)[-1] if "::" in nodeid else nodeid
        name = "%s: %s" % (os.path.basename(nodeid.split("::")[0]), name)
        name = name.replace("#", "")
        n = len(lines) + 1
        if outcome == "passed":
            lines.append("ok %d - %s" % (n, name))
        elif outcome == "skipped":
            lines.append("ok %d - %s # SKIP %s" % (n, name, detail.replace("\n", " ")))
        else:
            lines.append("not ok %d - %s (%s)" % (n, name, detail))
    with open(path, "w") as f:
        f.write("1..%d\n" % len(lines))
        for line in lines:
            f.write(line + "\n")
