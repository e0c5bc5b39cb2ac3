#!/bin/sh
# readonly.sh: the tools on an index a user may only read (built by
# another user, served by a web server's user): as nobody when the test
# runs as root, else as this user with the folder and files made
# read-only.  Searching, related lists, --check and --export work;
# indexing is refused with a message that says why.  Then the same with
# the index alone (its -wal and -shm files gone, as on a read-only mount).
# TAP output.
. "${EAF_TEST_SRCDIR:-.}/tests/cli/tap.sh"
# (the sample archive is of article pages)
tap_need page

# a folder any user can reach
tap_tmpdir eafro /tmp
chmod 755 "$tmp"
db="$tmp/idx/sample.db"
mkdir "$tmp/idx"

"$eafindex" -q -d "$db" "$srcdir/examples/archive" > /dev/null 2>&1
key=$("$eafquery" -d "$db" --format tsv --fields key -n 1 "Japan China" 2>/dev/null | tail -n 1)
# (the tools run once as this user first: their libtool wrappers are ready)
"$eafrelated" -d "$db" -n 1 "$key" > /dev/null 2>&1
if [ "$(id -u)" -eq 0 ]; then
    as="setpriv --reuid=65534 --regid=65534 --clear-groups"
    who="nobody"
else
    as=""
    who="this user"
fi

readonly_run() {  # readonly_run WHEN
    chmod 444 "$db" "$db-wal" "$db-shm" 2>/dev/null
    chmod 555 "$tmp/idx"
    out=$($as "$eafquery" -d "$db" --count "Japan China" 2>&1); rc=$?
    is "$rc.$out" "0.$expect_count" "$1: eafquery searches ($out hits)"
    out=$($as "$eafquery" -d "$db" --format tsv --fields key "related:$key" 2>&1); rc=$?
    ok "$([ "$rc" -eq 0 ] && [ -n "$out" ] && echo 0 || echo 1)" "$1: related:KEY lists articles"
    out=$($as "$eafrelated" -d "$db" -n 3 "$key" 2>&1); rc=$?
    is "$rc.$(printf '%s\n' "$out" | grep -c '^ *[0-9]\.')" "0.3" "$1: eafrelated lists 3"
    out=$($as "$eafindex" -d "$db" --check 2>&1); rc=$?
    is "$rc.$out" "0.$db: ok, $n articles" "$1: eafindex --check"
    out=$($as "$eafindex" -d "$db" --export 2>/dev/null | tail -n +2 | wc -l | tr -d ' ')
    is "$out" "$n" "$1: eafindex --export writes every article"
    out=$($as "$eafindex" -d "$db" "$srcdir/examples/archive" 2>&1); rc=$?
    is "$rc" 1 "$1: indexing is refused"
    contains "$out" "cannot write to the index" "$1: saying why ($out)"
    chmod 755 "$tmp/idx"
    chmod 644 "$db" "$db-wal" "$db-shm" 2>/dev/null
}

n=$("$eafindex" -d "$db" --export | tail -n +2 | wc -l | tr -d ' ')
expect_count=$("$eafquery" -d "$db" --count "Japan China")
echo "# reading as $who"
ok "$([ -f "$db-wal" ] && [ -f "$db-shm" ] && echo 0 || echo 1)" "the writer left the -wal and -shm files"
readonly_run "read-only"
rm -f "$db-wal" "$db-shm"
readonly_run "the index alone"
ok "$([ ! -f "$db-wal" ] && [ ! -f "$db-shm" ] && echo 0 || echo 1)" "the readers made no file beside it"

done_testing
