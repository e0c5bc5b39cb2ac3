#!/bin/sh
# bench/replicas.sh: three eafserve replicas behind HAProxy under wrk load;
# one replica killed (SIGKILL) and restarted mid-load, then all three swapped
# to a new snapshot mid-load.  It must show
#   - zero failed client requests: wrk's responses of status 400 or more and
#     its socket errors, and the checker's failures, all 0 (HAProxy's
#     retries and redispatches, which the client does not see, are counted
#     apart);
#   - every response after the swap from the new snapshot: the checker
#     (bench/replicas/checker.py) notes when each of its requests began and
#     the generation that answered it (X-Eaf-Generation); no request that
#     began after the last replica saw its new file may be answered by an
#     older generation.
#
#   make bench-replicas    (or: EAF_SRCDIR=. EAF_BUILDDIR=. sh bench/replicas.sh)
#
# The HAProxy configuration is bench/replicas/haproxy.cfg.in, the one
# doc/replicas.md describes, with this run's loopback ports.  The articles
# are made up (bench/replicas/gen.py): nothing of ../shared is needed.
#
# The run: a master index of ARTICLES articles (eafindex), a snapshot of it
# (eafindex --snapshot) copied to each replica's folder; the three servers
# and HAProxy started; then under load (wrk, CONNS connections through
# HAProxy, bench/replicas/load.lua, and the checker's 2 connections):
#   1. after 5 s, replica r2 is killed with SIGKILL; 2 s later it is started
#      again on its port, and the run waits until HAProxy has it back up;
#   2. NEW articles are indexed into the master (while the load goes on),
#      a new snapshot is written (eafindex --snapshot), copied beside each
#      replica's file and renamed over it, one replica after the other;
#      each swap is complete when that replica says it saw the new file
#      (its stderr: "... was replaced");
#   3. the load goes on for AFTER seconds after the last swap.
# Environment:
#   EAF_BENCH_DIR        work folder (default /tmp/eaf-bench-replicas)
#   EAF_BENCH_ARTICLES   articles of the master index (default 20000)
#   EAF_BENCH_NEW        articles added before the swap (default 500)
#   EAF_BENCH_CONNS      wrk connections (default 32)
#   EAF_BENCH_AFTER      seconds of load after the last swap (default 10)
#   EAF_BENCH_THREADS    each eafserve's --threads (default 2)
#   EAF_BENCH_PORT       the first of five loopback ports: HAProxy, r1, r2,
#                        r3, HAProxy's stats (default 18380)
# Output: a table on stdout, and the logs in EAF_BENCH_DIR.  Exit status 0
# when both hold, 1 when not; a missing haproxy or wrk skips (exit 0).
set -u
src=${EAF_SRCDIR:-.}
build=${EAF_BUILDDIR:-.}
work=${EAF_BENCH_DIR:-/tmp/eaf-bench-replicas}
articles=${EAF_BENCH_ARTICLES:-20000}
newn=${EAF_BENCH_NEW:-500}
conns=${EAF_BENCH_CONNS:-32}
after=${EAF_BENCH_AFTER:-10}
threads=${EAF_BENCH_THREADS:-2}
base=${EAF_BENCH_PORT:-18380}
python=$(command -v python3 || echo /usr/bin/python3)

log() { echo "replicas: $*" >&2; }
now() { date +%s.%N; }

for tool in haproxy wrk curl; do
    if ! command -v $tool >/dev/null 2>&1; then
        log "needs $tool (Debian: apt-get install $tool): skipped"
        exit 0
    fi
done
if [ ! -x "$build/tools/eafserve" ]; then
    log "eafserve is not built (configure found no libmicrohttpd or zlib): skipped"
    exit 0
fi

front=$base; stats=$((base + 4))
for p in $front $((base + 1)) $((base + 2)) $((base + 3)) $stats; do
    if curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$p/" 2>/dev/null ||
       [ $? -ne 7 ]; then
        log "port $p is in use: set EAF_BENCH_PORT to the first of five free ones"
        exit 1
    fi
done

rm -rf "$work"
mkdir -p "$work" || exit 1
pids=
cleanup() {
    for f in "$work"/r*.pid "$work"/haproxy.pid; do
        [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null
    done
    for p in $pids; do kill "$p" 2>/dev/null; done
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# ---- the master index and the first snapshot -----------------------------------------------
log "making $articles articles and indexing them"
"$python" "$src/bench/replicas/gen.py" "$articles" 0 1 > "$work/base.jsonl" &&
"$python" "$src/bench/replicas/gen.py" "$newn" "$articles" 2 > "$work/new.jsonl" || exit 1
"$build/tools/eafindex" -q --no-related -d "$work/master.db" "$work/base.jsonl" >&2 || exit 1
"$build/tools/eafindex" -d "$work/master.db" --snapshot "$work/snap1.db" > "$work/snap1.out" ||
    exit 1
cat "$work/snap1.out" >&2
gen1=$(sed -n 's/.*generation \([0-9]*\).*/\1/p' "$work/snap1.out")
for i in 1 2 3; do
    mkdir -p "$work/r$i" && cp "$work/snap1.db" "$work/r$i/index.db" || exit 1
done

# ---- the replicas and HAProxy --------------------------------------------------------------
# start_replica I RUN: eafserve on port base+I, its stderr in rI.err.RUN
start_replica() {
    rm -f "$work/r$1.pid"
    "$build/tools/eafserve" -d "$work/r$1/index.db" --listen "127.0.0.1:$((base + $1))" \
        --threads "$threads" --pid-file "$work/r$1.pid" 2> "$work/r$1.err.$2" &
    pids="$pids $!"
}
# up URL: waits (10 s at most) for URL to answer 200
up() {
    n=0
    while [ $n -lt 100 ]; do
        [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "$1")" = 200 ] && return 0
        sleep 0.1; n=$((n + 1))
    done
    return 1
}
# haproxy_status SERVER: its status in HAProxy's CSV (UP, DOWN, ...)
haproxy_status() {
    curl -s --max-time 2 "http://127.0.0.1:$stats/stats;csv" |
        awk -F, -v s="$1" '$1 == "eafserve" && $2 == s { print $18 }'
}
for i in 1 2 3; do
    start_replica $i 1
done
for i in 1 2 3; do
    up "http://127.0.0.1:$((base + i))/healthz" || { log "r$i did not start"; exit 1; }
done
sed -e "s/@FRONT@/127.0.0.1:$front/" -e "s/@R1@/127.0.0.1:$((base + 1))/" \
    -e "s/@R2@/127.0.0.1:$((base + 2))/" -e "s/@R3@/127.0.0.1:$((base + 3))/" \
    -e "s/@STATS@/127.0.0.1:$stats/" "$src/bench/replicas/haproxy.cfg.in" > "$work/haproxy.cfg"
haproxy -c -q -f "$work/haproxy.cfg" || { log "haproxy refuses $work/haproxy.cfg"; exit 1; }
haproxy -db -f "$work/haproxy.cfg" -p "$work/haproxy.pid" > "$work/haproxy.log" 2>&1 &
pids="$pids $!"
up "http://127.0.0.1:$front/healthz" || { log "haproxy did not start"; exit 1; }
n=0
while [ $n -lt 50 ]; do
    [ "$(haproxy_status r1)$(haproxy_status r2)$(haproxy_status r3)" = UPUPUP ] && break
    sleep 0.2; n=$((n + 1))
done

# ---- the load ----------------------------------------------------------------------------------
# wrk runs for a long enough time and is stopped (SIGINT: it reports) once
# the checker has run AFTER seconds past the last swap
log "load: wrk with $conns connections and the checker, through HAProxy"
t_start=$(now)
wrk -t2 -c"$conns" -d600s --latency -s "$src/bench/replicas/load.lua" \
    "http://127.0.0.1:$front" > "$work/wrk.out" 2>&1 &
wrk_pid=$!
pids="$pids $wrk_pid"
"$python" "$src/bench/replicas/checker.py" "http://127.0.0.1:$front" "$work/checker.out" \
    "$work/checker.stop" 2 &
checker_pid=$!
pids="$pids $checker_pid"
sleep 5

# 1. r2 killed, then started again
t_kill=$(now)
kill -KILL "$(cat "$work/r2.pid")"
log "r2 killed (SIGKILL)"
sleep 2
start_replica 2 2
up "http://127.0.0.1:$((base + 2))/healthz" || { log "r2 did not start again"; exit 1; }
n=0
while [ $n -lt 100 ] && [ "$(haproxy_status r2)" != UP ]; do
    sleep 0.1; n=$((n + 1))
done
t_back=$(now)
log "r2 started again, HAProxy has it $(haproxy_status r2)"
sleep 2

# 2. new articles into the master, a new snapshot, renamed over each replica's file
"$build/tools/eafindex" -q --no-related -d "$work/master.db" "$work/new.jsonl" >&2 || exit 1
"$build/tools/eafindex" -d "$work/master.db" --snapshot "$work/snap2.db" > "$work/snap2.out" ||
    exit 1
cat "$work/snap2.out" >&2
gen2=$(sed -n 's/.*generation \([0-9]*\).*/\1/p' "$work/snap2.out")
t_swap0=$(now)
swaps=
for i in 1 2 3; do
    err="$work/r$i.err.1"
    [ $i = 2 ] && err="$work/r2.err.2"
    cp "$work/snap2.db" "$work/r$i/index.db.new" && mv "$work/r$i/index.db.new" "$work/r$i/index.db" ||
        exit 1
    t0=$(now)
    n=0
    while [ $n -lt 50 ] && ! grep -q "was replaced" "$err"; do
        sleep 0.05; n=$((n + 1))
    done
    grep -q "was replaced" "$err" || { log "r$i did not see its new file"; exit 1; }
    swaps="$swaps $(awk -v a="$(now)" -v b="$t0" 'BEGIN { printf "%.3f", a - b }')"
done
t_swapped=$(now)
log "all three replicas swapped to generation $gen2"
sleep "$after"
touch "$work/checker.stop"
wait "$checker_pid"
kill -INT "$wrk_pid"
wait "$wrk_pid"
t_end=$(now)
curl -s --max-time 2 "http://127.0.0.1:$stats/stats;csv" > "$work/haproxy-stats.csv"

# ---- the figures ---------------------------------------------------------------------------------
wrkline=$(grep '^wrk:' "$work/wrk.out")
[ -n "$wrkline" ] || { log "wrk printed no summary:"; cat "$work/wrk.out" >&2; exit 1; }
get() { echo "$wrkline" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
"$python" - "$work" "$gen1" "$gen2" "$t_start" "$t_kill" "$t_back" "$t_swap0" "$t_swapped" \
    "$t_end" "$wrkline" "$swaps" <<'EOF'
import csv, sys
work, gen1, gen2 = sys.argv[1], sys.argv[2], sys.argv[3]
t_start, t_kill, t_back, t_swap0, t_swapped, t_end = map(float, sys.argv[4:10])
wrk = dict(kv.split("=", 1) for kv in sys.argv[10].split()[1:])
swaps = [float(x) for x in sys.argv[11].split()]
rows = [l.split() for l in open(work + "/checker.out")]
failed = [r for r in rows if r[2] != "200"]
after = [r for r in rows if float(r[0]) > t_swapped]
stale = [r for r in after if r[3] != gen2]
during = [r for r in rows if t_swap0 <= float(r[0]) <= t_swapped]
stats = {r["svname"]: r for r in csv.DictReader(
    l.lstrip("# ") for l in open(work + "/haproxy-stats.csv")) if r["pxname"] == "eafserve"}
be = stats.get("BACKEND", {})
wrk_failed = sum(int(wrk[k]) for k in ("non2xx", "connect", "read", "write", "timeout"))
gens = dict(g.split(":") for g in wrk["gens"].split(",") if g)
print()
print("bench-replicas: 3 eafserve replicas behind HAProxy, %s s of load" % round(t_end - t_start))
print("%-44s %s" % ("wrk requests through HAProxy", wrk["requests"]))
print("%-44s %s" % ("wrk p50 / p99 / max ms", "%s / %s / %s" % (wrk["p50_ms"], wrk["p99_ms"],
                                                            wrk["max_ms"])))
print("%-44s %d (non2xx %s, connect %s, read %s, write %s, timeout %s)" % (
    "wrk failed requests", wrk_failed, wrk["non2xx"], wrk["connect"], wrk["read"], wrk["write"],
    wrk["timeout"]))
print("%-44s %s" % ("wrk answers by generation", ", ".join(
    "%s: %s" % (g, n) for g, n in sorted(gens.items())) + (" (no header: %s)" % wrk["nogen"]
                                                          if wrk["nogen"] != "0" else "")))
print("%-44s %d" % ("checker requests", len(rows)))
print("%-44s %d" % ("checker failed requests", len(failed)))
print("%-44s %.1f s" % ("r2 killed until back up in HAProxy", t_back - t_kill))
print("%-44s %s s" % ("each replica's swap seen after its rename", " / ".join(
    "%.2f" % s for s in swaps)))
print("%-44s %.1f s" % ("the three swaps, first rename to last seen", t_swapped - t_swap0))
print("%-44s %d" % ("checker requests begun during the swaps", len(during)))
print("%-44s %d over %.1f s" % ("checker requests begun after the last swap", len(after),
                                t_end - t_swapped))
print("%-44s %d" % ("... answered by an old generation", len(stale)))
print("%-44s %s / %s" % ("HAProxy retries / redispatches", be.get("wretr", "?"),
                         be.get("wredis", "?")))
print("%-44s %s" % ("HAProxy: times a replica was marked down", ", ".join(
    "%s %s" % (s, stats[s].get("chkdown", "?")) for s in ("r1", "r2", "r3") if s in stats)))
print("%-44s generation %s -> %s" % ("snapshots", gen1, gen2))
ok = wrk_failed == 0 and not failed and after and not stale and int(gens.get(gen2, 0)) > 0
print()
print("zero failed client requests: %s" % ("yes" if wrk_failed == 0 and not failed else "NO"))
print("every response after the swap from the new snapshot: %s" % (
    "yes" if after and not stale else "NO"))
if failed:
    print("checker failures (first 5):", failed[:5])
if stale:
    print("stale answers (first 5):", stale[:5])
sys.exit(0 if ok else 1)
EOF
