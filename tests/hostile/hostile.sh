#!/bin/sh
# hostile.sh: eafindex and eafquery on hostile files, made here at test
# time: invalid UTF-8, NUL bytes, a 100 MB single line, deeply nested
# HTML, an XML billion-laughs file, external entities (a file with a marker
# that must never reach the index, and a FIFO that would block a reader), a
# zip bomb, a gzip bomb, a truncated gzip, and damaged index files.  Each
# must give a clear error naming the file (or be indexed), never a crash
# (an exit by a signal), never a hang, and the index must pass
# eafindex --check afterwards.  The peak memory of eafindex on a 10 MB
# single-line record is checked against the bound the man page states
# (about 5 times the largest record, plus 60 MB); EAF_HOSTILE_BIG=1 does
# the same with a 100 MB record (make bench-hostile).  TAP output.
. "${EAF_TEST_SRCDIR:-.}/tests/cli/tap.sh"

helper="$builddir/tests/hostile/helper"
tap_tmpdir eafhostile
db="$tmp/index.db"
t="timeout 120"
command -v timeout > /dev/null 2>&1 || t=""

# index FILE...: runs eafindex on the files; sets rc and err (its stderr)
index() {
    $t "$eafindex" -q -d "$db" "$@" > "$tmp/out" 2> "$tmp/err"
    rc=$?
    err=$(cat "$tmp/err")
}
# no_crash WHAT: the last run ended by itself (no signal, no timeout)
no_crash() {
    if [ "$rc" -lt 124 ]; then ok 0 "$1: no crash, no hang (exit $rc)"; else
        ok 1 "$1: no crash, no hang (exit $rc)"; fi
}
hits() {  # hits QUERY: the number of hits
    "$eafquery" -d "$db" --count -- "$1" 2> /dev/null
}
sound() {  # sound WHAT: the index passes its check
    "$eafindex" -q -d "$db" --check > "$tmp/check" 2>&1
    ok $? "$1: the index passes eafindex --check"
}

# a page indexed first: nothing indexed before a hostile file may be lost
if tap_want "a first page" page; then
    cat > "$tmp/first.md" <<'EOF'
## Harbours of the Pacific

**Author:** Lena Hart, Pacific Institute

Container traffic through Suva grew by a tenth.
EOF
    index "$tmp/first.md"
    is "$rc" 0 "a first page is indexed"
fi

# --- invalid UTF-8 and NUL bytes ----------------------------------------------------
if tap_want "invalid UTF-8 and NUL bytes" page jsonl; then
    printf '## Bad \377\376 bytes in a title\n\n**Author:** Ana Cruz\n\nA body with \303\050 cut sequences and \355\240\200 surrogates, then quinoa.\n' \
        > "$tmp/invalid.md"
    index "$tmp/invalid.md"
    no_crash "invalid UTF-8"
    is "$rc" 0 "invalid UTF-8: the page is indexed"
    is "$(hits quinoa)" 1 "invalid UTF-8: the text after the bad bytes is searchable"
    contains "$("$eafquery" -d "$db" --format tsv --fields title quinoa)" "$(printf '\357\277\275')" \
        "invalid UTF-8: bad bytes became U+FFFD"

    printf '## NUL bytes\n\n**Author:** Ana Cruz\n\nBefore the NUL\000after the NUL comes tapioca.\n' \
        > "$tmp/nul.md"
    printf '{"id": "nul/1", "title": "Escaped NUL", "body": "sago\\u0000 then cassava"}\n{"id": "nul/2", "title": "Raw \000 NUL", "body": "arrowroot"}\n{"id": "nul/3", "title": "After", "body": "taro"}\n' \
        > "$tmp/nul.jsonl"
    index "$tmp/nul.md" "$tmp/nul.jsonl"
    no_crash "NUL bytes"
    is "$(hits tapioca)" 1 "NUL bytes: the text after a NUL in a page is indexed"
    is "$(hits cassava)" 1 "NUL bytes: and after an escaped NUL in JSON"
    is "$(hits taro)" 1 "NUL bytes: the line after a raw NUL is indexed"
    sound "NUL bytes"
fi

# --- a 100 MB single line ---------------------------------------------------------
if tap_want "a 100 MB single line in a page" page; then
    { printf '## One line\n\n'; head -c 100000000 /dev/zero | tr '\000' 'w'; } > "$tmp/line.md"
    index "$tmp/line.md"
    no_crash "a 100 MB single line"
    is "$rc" 1 "a 100 MB single line in a page: refused (exit 1)"
    contains "$err" "line.md" "a 100 MB single line: the file is named"
    contains "$err" "too large" "a 100 MB single line: too large, says the message"
    rm -f "$tmp/line.md"
fi

# the same length streamed as JSON Lines: indexed, memory bounded
big_mb=10
[ "${EAF_HOSTILE_BIG:-0}" = 1 ] && big_mb=100
{ printf '{"id": "big/line", "title": "One long line", "body": "'
  yes 'harbour tariff election monsoon rice shipyard treaty currency fishery reform' |
      head -c $((big_mb * 1000000)) | tr '\n' ' '
  printf ' manioc"}\n'; } > "$tmp/big.jsonl"
$t "$helper" maxrss "$tmp/rss" "$eafindex" -q -d "$db" "$tmp/big.jsonl" > /dev/null 2> "$tmp/err"
rc=$?
no_crash "a $big_mb MB JSON line"
is "$rc" 0 "a $big_mb MB JSON line: indexed"
is "$(hits manioc)" 1 "a $big_mb MB JSON line: its last word is searchable"
rss_kb=$(cat "$tmp/rss" 2> /dev/null || echo 0)
bound_kb=$(( (5 * big_mb + 60) * 1024 ))
echo "# peak memory of eafindex on a $big_mb MB record: $((rss_kb / 1024)) MB (bound $((bound_kb / 1024)) MB)"
if [ "${EAF_SANITIZERS:-0}" = 1 ]; then
    echo "ok $((tap_n + 1)) - a $big_mb MB JSON line: memory # SKIP sanitizers add their own"
    tap_n=$((tap_n + 1))
else
    [ "$rss_kb" -gt 0 ] && [ "$rss_kb" -le "$bound_kb" ]
    ok $? "a $big_mb MB JSON line: peak memory $((rss_kb / 1024)) MB, within 5 x $big_mb + 60 MB"
fi
rm -f "$tmp/big.jsonl"

# --- deeply nested HTML --------------------------------------------------------------
if tap_want "deeply nested HTML" html; then
    { printf '<html><head><title>Nested</title></head><body><article><h1>Nested deep</h1>'
      yes '<div>' | head -n 200000 | tr -d '\n'
      printf 'kohlrabi'
      yes '</div>' | head -n 200000 | tr -d '\n'
      printf '<p>Jicama at the end.</p></article></body></html>\n'; } > "$tmp/nested.html"
    index "$tmp/nested.html"
    no_crash "HTML nested 200,000 deep"
    if [ "$rc" -eq 0 ]; then ok 0 "HTML nested 200,000 deep: indexed"; else
        contains "$err" "nested.html" "HTML nested 200,000 deep: an error naming the file"; fi
    sound "nested HTML"
fi

# --- XML: billion laughs, external entities -----------------------------------------
if tap_want "XML: a billion laughs, external entities" wxr; then
    { echo '<?xml version="1.0"?>'
      echo '<!DOCTYPE rss ['
      echo '<!ENTITY l0 "ha">'
      i=1
      while [ $i -le 12 ]; do
          p=$((i - 1))
          echo "<!ENTITY l$i \"&l$p;&l$p;&l$p;&l$p;&l$p;&l$p;&l$p;&l$p;&l$p;&l$p;\">"
          i=$((i + 1))
      done
      echo ']>'
      echo '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:wp="http://wordpress.org/export/1.2/"><channel><title>Laughs</title>'
      echo '<item><title>Laughing</title><link>https://example.org/laughs</link><content:encoded>&l12;</content:encoded></item>'
      echo '</channel></rss>'; } > "$tmp/laughs.xml"
    index "$tmp/laughs.xml"
    no_crash "a billion laughs"
    is "$rc" 1 "a billion laughs: refused (exit 1)"
    contains "$err" "laughs.xml" "a billion laughs: the file is named"
    is "$(hits hahaha)" 0 "a billion laughs: nothing expanded into the index"

    marker="zqxmarker$$"
    echo "$marker secret text" > "$tmp/secret.txt"
    mkfifo "$tmp/fifo" 2> /dev/null
    for target in secret.txt fifo; do
        cat > "$tmp/xxe-$target.xml" <<EOF
<?xml version="1.0"?>
<!DOCTYPE rss [ <!ENTITY xxe SYSTEM "file://$tmp/$target"> ]>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:wp="http://wordpress.org/export/1.2/"><channel><title>XXE</title>
<item><title>Entity $target</title><link>https://example.org/xxe-$target</link>
<content:encoded>Before &xxe; after, with okra.</content:encoded></item>
</channel></rss>
EOF
    done
    index "$tmp/xxe-secret.txt.xml"
    no_crash "an external entity"
    is "$(hits "$marker")" 0 "an external entity: the file it names is not read into the index"
    "$eafindex" -d "$db" --export > "$tmp/export.jsonl" 2> /dev/null
    grep -q "$marker" "$tmp/export.jsonl"
    ok $((1 - $?)) "an external entity: nor into any stored text"
    if [ -p "$tmp/fifo" ]; then
        index "$tmp/xxe-fifo.xml"
        no_crash "an external entity naming a FIFO (reading it would block)"
    else
        echo "ok $((tap_n + 1)) - an external entity naming a FIFO # SKIP mkfifo failed"
        tap_n=$((tap_n + 1))
    fi
    sound "external entities"
fi

# --- decompression bombs, truncated archives --------------------------------------------
if tap_want "a zip bomb" archives page html; then
    "$helper" zipbomb "$tmp/bomb.zip" 200
    index "$tmp/bomb.zip"
    no_crash "a zip bomb (200 MB in $(($(wc -c < "$tmp/bomb.zip") / 1024)) kB)"
    is "$rc" 1 "a zip bomb: exit 1"
    contains "$err" "bomb.zip:bomb.html: decompression bomb" "a zip bomb: stopped, the member named"
    is "$(hits "before the bomb")" 1 "a zip bomb: the member before it is indexed"
fi

if tap_want "a gzip bomb" archives html; then
    { printf '<html><body><p>'; head -c 100000000 /dev/zero | tr '\000' 'a'; } |
        gzip -c > "$tmp/bomb.html.gz"
    index "$tmp/bomb.html.gz"
    no_crash "a gzip bomb (100 MB in $(($(wc -c < "$tmp/bomb.html.gz") / 1024)) kB)"
    is "$rc" 1 "a gzip bomb: exit 1"
    contains "$err" "decompression bomb" "a gzip bomb: stopped as a bomb"
fi

if tap_want "a truncated gzip" archives page; then
    mkdir "$tmp/pages"
    i=1
    while [ $i -le 40 ]; do
        printf '## Page %d of the set\n\n**Author:** Ana Cruz\n\nBody %d with plantain and %s.\n' \
            $i $i "$(head -c 3000 /dev/urandom | od -An -tx1 | tr -d ' \n')" > "$tmp/pages/p$i.md"
        i=$((i + 1))
    done
    (cd "$tmp" && tar czf pages.tar.gz pages)
    size=$(wc -c < "$tmp/pages.tar.gz")
    head -c $((size / 2)) "$tmp/pages.tar.gz" > "$tmp/cut.tar.gz"
    index "$tmp/cut.tar.gz"
    no_crash "a truncated gzip"
    is "$rc" 1 "a truncated gzip: exit 1"
    contains "$err" "cut.tar.gz" "a truncated gzip: the file is named"
    n=$(hits plantain)
    [ "$n" -gt 0 ] && [ "$n" -lt 40 ]
    ok $? "a truncated gzip: the $n pages before the cut are kept"
fi
if tap_want "what was indexed before" page; then
    is "$(hits quinoa)" 1 "what was indexed before is still there"
fi
sound "after every hostile file"

# --- damaged index files --------------------------------------------------------------------
head -c 100000 /dev/urandom > "$tmp/garbage.db"
$t "$eafquery" -d "$tmp/garbage.db" harbour > /dev/null 2> "$tmp/err"
rc=$?; err=$(cat "$tmp/err")
no_crash "eafquery on random bytes"
is "$rc" 1 "eafquery on random bytes: exit 1"
contains "$err" "garbage.db" "eafquery on random bytes: the file is named"
$t "$eafindex" -d "$tmp/garbage.db" --check > /dev/null 2> "$tmp/err"
rc=$?; err=$(cat "$tmp/err")
no_crash "eafindex --check on random bytes"
is "$rc" 1 "eafindex --check on random bytes: exit 1"

cp "$db" "$tmp/cut.db"
size=$(wc -c < "$tmp/cut.db")
head -c $((size / 3)) "$db" > "$tmp/cut.db"
$t "$eafquery" -d "$tmp/cut.db" harbour > /dev/null 2> "$tmp/err"
rc=$?; err=$(cat "$tmp/err")
no_crash "eafquery on a truncated index"
is "$rc" 1 "eafquery on a truncated index: exit 1 ($err)"
$t "$eafindex" -d "$tmp/cut.db" --check > /dev/null 2> "$tmp/err"
rc=$?
no_crash "eafindex --check on a truncated index"
is "$rc" 1 "eafindex --check on a truncated index: exit 1"

# pages overwritten in the middle of the file (after a checkpoint)
"$eafindex" -q -d "$db" --check > /dev/null 2>&1
cp "$db" "$tmp/pages.db"
size=$(wc -c < "$tmp/pages.db")
dd if=/dev/urandom of="$tmp/pages.db" bs=4096 seek=$((size / 4096 / 2)) count=4 conv=notrunc \
    2> /dev/null
$t "$eafindex" -d "$tmp/pages.db" --check > /dev/null 2> "$tmp/err"
rc=$?; err=$(cat "$tmp/err")
no_crash "eafindex --check on overwritten pages"
is "$rc" 1 "eafindex --check on overwritten pages: exit 1"
contains "$err" "pages.db" "eafindex --check on overwritten pages: names the file and the problem"
for q in harbour plantain '"tariff election"' 'fish*'; do
    $t "$eafquery" -d "$tmp/pages.db" -n 100 -- "$q" > /dev/null 2>&1
    rc=$?
    no_crash "eafquery $q on overwritten pages"
done
sound "at the end"
done_testing
