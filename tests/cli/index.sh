#!/bin/sh
# index.sh: eafindex keeping an index in step with an archive: every
# format of tests/fixtures in one folder, a tarball of it made here with
# tar and gzip, skipping unchanged files, a file that loses an article,
# pruning files that are gone (and refusing a missing or empty folder),
# --dry-run, -v statuses, --exclude, --export and indexing the export
# again, batches and an interrupted run.  TAP output.
. "${EAF_TEST_SRCDIR:-.}/tests/cli/tap.sh"
# (a site of every format, and archives of it)
tap_need page jsonl html markdown wxr archives

fix="$srcdir/tests/fixtures"
tap_tmpdir eafidx
db="$tmp/site.db"

# a site with one folder per format, copied so that the test may change it
site="$tmp/site"
mkdir -p "$site/pages" "$site/html" "$site/posts" "$site/wp" "$site/data"
cp "$fix/pages/full.md" "$fix/pages/no-bio.md" "$site/pages/"
cp "$fix/html/article.html" "$fix/html/h1-title.html" "$fix/html/listing.html" "$site/html/"
cp "$fix/markdown/post.md" "$fix/markdown/2019-05-06-date-from-name.md" "$fix/markdown/draft.md" "$site/posts/"
cp "$fix/wxr/export.wxr" "$site/wp/"
cp "$fix/jsonl/good.jsonl" "$site/data/"
printf 'not an article\n' > "$site/html/style.css"
printf '# License\n\nPublic domain.\n' > "$site/LICENSE.md"
njsonl=$(grep -c '^{' "$fix/jsonl/good.jsonl")
# pages 2, html 2 (+1 listing skipped), posts 2 (+1 draft), wxr 3 (+9 skipped, 1 bad item), jsonl
total=$((2 + 2 + 2 + 3 + njsonl))

out=$("$eafindex" -d "$db" -v "$site" 2>"$tmp/err"); rc=$?
first=$out
out=$(printf '%s\n' "$first" | tail -n 1)
is "$rc" 1 "every format indexed; the bad WordPress item makes the exit status 1"
is "$out" "$total added, 0 updated, 0 unchanged, 0 removed, 11 skipped, 1 failed" "the first run's tally"
contains "$(cat "$tmp/err")" "export.wxr:" "the bad item is reported with its file"
is "$(wc -l < "$tmp/err" | tr -d ' ')" 1 "and only it"
n=$("$eafquery" -d "$db" --format json --count 'reef OR ferry OR bunker OR tariff' 2>/dev/null)
contains "$n" "4" "html, markdown and wxr articles are searchable"

# a second run reads nothing but the file with the error
out=$("$eafindex" -d "$db" -v "$site" 2>/dev/null)
contains "$out" "pages/full.md: unchanged" "-v: an unchanged file"
contains "$first" "html/listing.html: skipped (0 added, 0 updated, 0 unchanged, 0 removed, 1 skipped, 0 failed): a listing of 3 articles" "-v: a skipped file, with its reason"
contains "$first" "html/article.html: added" "-v: an added file"
contains "$first" "posts/draft.md: skipped (0 added, 0 updated, 0 unchanged, 0 removed, 1 skipped, 0 failed): a draft" "-v: a draft"
contains "$out" "html/style.css: skipped: not an article file" "-v: a file that is not an article"
contains "$out" "LICENSE.md: skipped: a README or LICENSE file" "-v: a LICENSE"
contains "$out" "wp/export.wxr: failed" "-v: a failed file (read again: it had an error)"
tally=$(printf '%s\n' "$out" | tail -n 1)
is "$tally" "0 added, 0 updated, $total unchanged, 0 removed, 9 skipped, 1 failed" "the second run changes nothing"

# a touched file is confirmed unchanged by its content
touch "$site/pages/full.md"
out=$("$eafindex" -d "$db" -v --exclude '*.wxr' "$site" 2>/dev/null | grep 'full.md')
is "$out" "$site/pages/full.md: unchanged" "a touched file with the same content is unchanged"

# a file that held 3 articles and now holds 2 loses the third
grep '^{' "$fix/jsonl/good.jsonl" | head -n 2 > "$site/data/good.jsonl"
"$eafindex" -d "$db" -n "$site/data/good.jsonl" > "$tmp/dry" 2>/dev/null
lost=$((njsonl - 2))
is "$(grep -c '^remove ' "$tmp/dry")" "$lost" "--dry-run lists the articles that would be removed"
is "$(tail -n 1 "$tmp/dry")" "dry run, nothing written: 0 added, 0 updated, 2 unchanged, $lost removed, 0 skipped, 0 failed" "--dry-run's tally"
out=$("$eafindex" -d "$db" "$site/data/good.jsonl" 2>/dev/null)
is "$out" "0 added, 0 updated, 2 unchanged, $lost removed, 0 skipped, 0 failed" "the file's lost articles are removed"

# pruning: a file gone from a folder the index was built from
before=$("$eafquery" -d "$db" --count --format json 'Tariff talk' 2>/dev/null)
rm "$site/html/h1-title.html"
"$eafindex" -d "$db" -n "$site" > "$tmp/dry" 2>/dev/null
contains "$(cat "$tmp/dry")" "remove html/h1-title" "--dry-run: a file gone would be pruned"
out=$("$eafindex" -d "$db" -v "$site" 2>/dev/null)
contains "$out" "h1-title.html: removed (1 article): the file is gone" "-v: a file gone is removed (one article, singular)"
contains "$(printf '%s\n' "$out" | tail -n 1)" "1 removed" "pruned by default"
"$eafindex" -d "$db" --no-prune "$site" > /dev/null 2>&1
cp "$fix/html/h1-title.html" "$site/html/"
"$eafindex" -d "$db" "$site" > /dev/null 2>&1
rm "$site/html/h1-title.html"
out=$("$eafindex" -d "$db" --no-prune "$site" 2>/dev/null)
contains "$out" "0 removed" "--no-prune keeps the articles of files gone"

# a missing or empty root is refused and deletes nothing
# (an export's first line is its header: the index's settings)
count_before=$("$eafindex" -d "$db" --export | tail -n +2 | wc -l | tr -d ' ')
"$eafindex" -d "$db" "$tmp/no-such-folder" > "$tmp/out" 2>"$tmp/err"; rc=$?
is "$rc" 1 "a missing folder is an error"
contains "$(cat "$tmp/err")" "no-such-folder" "naming it"
mkdir "$tmp/empty"
"$eafindex" -d "$db" --prune "$tmp/empty" > "$tmp/out" 2>"$tmp/err"; rc=$?
is "$rc" 1 "an empty folder is an error"
contains "$(cat "$tmp/err")" "nothing indexed, nothing removed" "saying nothing is removed"
mv "$site" "$tmp/moved"; mkdir "$site"
"$eafindex" -d "$db" "$site" > /dev/null 2>&1; rc=$?
is "$rc" 1 "the archive's own folder, emptied (unmounted), is refused"
is "$("$eafindex" -d "$db" --export | tail -n +2 | wc -l | tr -d ' ')" "$count_before" "and nothing was deleted"
rmdir "$site"; mv "$tmp/moved" "$site"

# --export writes every article; indexing the export gives the same articles
"$eafindex" -d "$db" --export > "$tmp/export.jsonl"; rc=$?
is "$rc" 0 "--export succeeds"
is "$(wc -l < "$tmp/export.jsonl" | tr -d ' ')" "$((count_before + 1))" "one line per article, after a header"
contains "$(head -n 1 "$tmp/export.jsonl")" '{"eafsearch_export":{"version":1,"language":"english","related":{"count":10,' "the header: the index's language and related options"
contains "$(sed -n 2p "$tmp/export.jsonl")" '"id":' "lines carry the id"
contains "$(cat "$tmp/export.jsonl")" '"authors":[{"name":"Rosa Villanueva","affiliation":"Ateneo Policy Center"}' "authors with affiliations"
contains "$(cat "$tmp/export.jsonl")" '"countries":["Singapore","Malaysia"]' "countries"
out=$("$eafindex" -d "$tmp/copy.db" "$tmp/export.jsonl" 2>&1)
is "$out" "$count_before added, 0 updated, 0 unchanged, 0 removed, 0 skipped, 0 failed" "the export indexes whole"
"$eafindex" -d "$tmp/copy.db" --export > "$tmp/export2.jsonl"
if cmp -s "$tmp/export.jsonl" "$tmp/export2.jsonl"; then same=0; else same=1; fi
ok "$same" "the copy's export is byte for byte the original's"
out=$("$eafindex" -d "$db" "$tmp/export.jsonl" 2>"$tmp/err")
# (h1-title.html is gone, kept by --no-prune: the export takes its article;
# the export's header is no article)
is "$(printf '%s\n' "$out" | tail -n 1)" "0 added, 0 updated, 1 unchanged, 0 removed, $((count_before - 1)) skipped, 0 failed" "the export into its own index: every key another file still gives is that file's, kept"
is "$(grep -c 'warning: .*export.jsonl: the article .* is also in ' "$tmp/err")" "$((count_before - 1))" "a warning for each, naming both files"
is "$(grep -c "h1-title" "$tmp/err")" 0 "but not for the article whose file is gone: that one passes to the export"
contains "$(cat "$tmp/err")" "is also in $site/pages/full.md, whose version is kept" "(the other file by its path)"
is "$("$eafindex" -d "$db" --export | cmp -s - "$tmp/export.jsonl" && echo same)" same "and the index is as it was"
# the settings travel with the export: a new index made from it takes them
"$eafindex" -d "$tmp/fr.db" -L french --no-related "$site/data/good.jsonl" > /dev/null 2>&1
"$eafrelated" -d "$tmp/fr.db" --all --idf-power=1 --terms=50 > /dev/null 2>&1
"$eafindex" -d "$tmp/fr.db" --export > "$tmp/fr.jsonl"
contains "$(head -n 1 "$tmp/fr.jsonl")" '"language":"french"' "a French index's export says so"
out=$("$eafindex" -v -d "$tmp/fr2.db" "$tmp/fr.jsonl" 2>&1)
contains "$out" "the settings of the exported index: language french, and its related options" "-v: the new index takes the export's settings"
"$eafindex" -d "$tmp/fr2.db" --export > "$tmp/fr2.jsonl"
if cmp -s "$tmp/fr.jsonl" "$tmp/fr2.jsonl"; then same=0; else same=1; fi
ok "$same" "its export is the same, header (language, related options) and all"
is "$("$eafrelated" -d "$tmp/fr2.db" --format json "$(sed -n 's/.*"id":"\([^"]*\)".*/\1/p' "$tmp/fr2.jsonl" | head -n 1)" | grep -o '"stored": *true' | head -n 1 | tr -d ' ')" '"stored":true' "its lists, built with the exported options, are read back as stored"
"$eafindex" -d "$tmp/none.db" --export > /dev/null 2>&1; rc=$?
is "$rc" 1 "--export of a missing index fails"

# --rebuild makes again what the index derives from its articles
out=$("$eafindex" -d "$tmp/copy.db" --rebuild 2>&1); rc=$?
is "$rc.$out" "0.$tmp/copy.db: rebuilt, ok, $count_before articles" "--rebuild: rebuilt and checked"
"$eafindex" -d "$tmp/copy.db" --export > "$tmp/export3.jsonl"
if cmp -s "$tmp/export2.jsonl" "$tmp/export3.jsonl"; then same=0; else same=1; fi
ok "$same" "--rebuild: the articles are as they were"
"$eafindex" -d "$tmp/copy.db" --rebuild "$site" > /dev/null 2>&1; rc=$?
is "$rc" 2 "--rebuild takes no path"

# a tarball and a compressed file of the folder, made here, read in place
(cd "$site" && tar -cf - pages html posts data) | gzip -c > "$tmp/site.tar.gz"
out=$("$eafindex" -d "$tmp/tar.db" "$tmp/site.tar.gz" 2>&1)
is "$out" "7 added, 0 updated, 0 unchanged, 0 removed, 2 skipped, 0 failed" "a .tar.gz of the folder"
"$eafindex" -d "$tmp/tar.db" --export > "$tmp/q" 2>/dev/null
contains "$(cat "$tmp/q")" '"id":"pages/full"' "a member's key is its path inside the archive"
out=$("$eafindex" -d "$tmp/tar.db" "$tmp/site.tar.gz" 2>&1)
is "$out" "0 added, 0 updated, 7 unchanged, 0 removed, 0 skipped, 0 failed" "an unchanged archive is not read again"
(cd "$site" && tar -cf - pages posts data) | gzip -c > "$tmp/site.tar.gz"
out=$("$eafindex" -d "$tmp/tar.db" "$tmp/site.tar.gz" 2>&1)
is "$out" "0 added, 0 updated, 6 unchanged, 1 removed, 1 skipped, 0 failed" "a member gone from the archive is removed"
gzip -c "$fix/wxr/export.wxr" > "$tmp/export.wxr.gz"
out=$("$eafindex" -d "$tmp/gz.db" "$tmp/export.wxr.gz" 2>&1)
contains "$out" "3 added, 0 updated, 0 unchanged, 0 removed, 9 skipped, 1 failed" "a .gz WordPress export, streamed"
head -c 1500 "$tmp/site.tar.gz" > "$tmp/cut.tar.gz"
"$eafindex" -d "$tmp/cut.db" "$tmp/cut.tar.gz" > "$tmp/out" 2>"$tmp/err"; rc=$?
is "$rc" 1 "a truncated tar.gz is an error"
contains "$(cat "$tmp/err")" "cut.tar.gz" "naming the archive"

# files that hold no article, read as a new user would: each is a failed
# file whose message says what it holds, never "added" with nothing
mkdir "$tmp/nothing"
: > "$tmp/nothing/empty.md"
head -c 512 /dev/zero > "$tmp/nothing/zeros.md"
printf '\n\n   \n' > "$tmp/nothing/blank.jsonl"
printf '<html><head></head><body>\n</body></html>\n' > "$tmp/nothing/bare.html"
head -c 20000 /dev/zero | gzip -c > "$tmp/nothing/zeros.md.gz"
for f in empty.md:"empty file" zeros.md:"binary data" blank.jsonl:"3 blank lines and no JSON object" \
         bare.html:"without content" zeros.md.gz:"only NUL bytes"; do
    name=${f%%:*} why=${f#*:}
    out=$("$eafindex" -d "$tmp/nothing.db" -v "$tmp/nothing/$name" 2>/dev/null); rc=$?
    is "$rc" 1 "$name: exit status 1"
    contains "$out" "$name: failed" "$name: failed, not added"
    contains "$out" "$why" "$name: says what it holds ($why)"
done
# a decompression bomb in JSON Lines is named as one, not as a read error
yes '' | head -c 30000000 | gzip -c > "$tmp/nothing/lines.jsonl.gz"
"$eafindex" -d "$tmp/nothing.db" -v "$tmp/nothing/lines.jsonl.gz" > "$tmp/out" 2> "$tmp/err"; rc=$?
is "$rc" 1 "a .jsonl.gz bomb: exit status 1"
contains "$(cat "$tmp/err")" "lines.jsonl.gz: decompression bomb" "a .jsonl.gz bomb: named as one"
contains "$(cat "$tmp/err")" "100 times its size" "a .jsonl.gz bomb: with the limit it passed"

# an archive is read by the rules of a folder: its LICENSE.md and the
# manifest.jsonl beside its pages are not articles
mkdir -p "$tmp/rules/pages"
cp "$fix/pages/full.md" "$tmp/rules/pages/"
printf '# License\n\nPublic domain.\n' > "$tmp/rules/LICENSE.md"
printf '{"id": "pages/full", "title": "Not the page", "body": "manifest"}\n' > "$tmp/rules/manifest.jsonl"
(cd "$tmp/rules" && tar -cf - pages LICENSE.md manifest.jsonl) | gzip -c > "$tmp/rules.tar.gz"
out=$("$eafindex" -d "$tmp/rules.db" "$tmp/rules.tar.gz" 2>&1)
is "$out" "1 added, 0 updated, 0 unchanged, 0 removed, 0 skipped, 0 failed" "a .tar.gz with a LICENSE.md and a manifest.jsonl: the page only"
is "$("$eafquery" -d "$tmp/rules.db" --count manifest 2>/dev/null)" 0 "and the page keeps its own body"

# a wget mirror of a WordPress site: the site's feed (feed/index.html), a
# post's comments feed and its second page of comments are not articles,
# and the feed's excerpt must not take the article's place
m="$tmp/mirror/s.example"
mkdir -p "$m/feed" "$m/2020/02/bunker/feed" "$m/2020/02/bunker/comment-page-2"
page() {  # page CANONICAL: a post page with that canonical link
    printf '<!DOCTYPE html><html><head><meta property="og:title" content="Bunker fuel">'
    printf '<link rel="canonical" href="%s"></head><body><article><h1>Bunker fuel</h1>' "$1"
    printf '<div class="entry-content"><p>Ships refuel at the anchorage, cassava and all.</p>'
    printf '</div></article></body></html>\n'
}
page "https://s.example/2020/02/bunker/" > "$m/2020/02/bunker/index.html"
page "https://s.example/2020/02/bunker/comment-page-2/#comments" > "$m/2020/02/bunker/comment-page-2/index.html"
feed() {  # feed TITLE: an RSS feed with the post as an excerpt
    printf '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">'
    printf '<channel><title>%s</title><item><title>Bunker fuel</title>' "$1"
    printf '<link>https://s.example/2020/02/bunker/</link><description>Only an excerpt.</description>'
    printf '</item></channel></rss>\n'
}
feed "Straits" > "$m/feed/index.html"
feed "Comments on: Bunker fuel" > "$m/2020/02/bunker/feed/index.html"
feed "Straits" > "$m/latest.html"
out=$("$eafindex" -d "$tmp/mirror.db" -v "$tmp/mirror" 2>&1); rc=$?
is "$rc" 0 "a wget mirror: indexed, exit 0"
# (the walk passes the pages named as not articles over, or opens them and
# they skip themselves: either way they are neither added nor failed)
contains "$(printf '%s\n' "$out" | tail -n 1)" "1 added, 0 updated, 0 unchanged, 0 removed, " "a wget mirror: the post only is added"
contains "$(printf '%s\n' "$out" | tail -n 1)" " skipped, 0 failed" "a wget mirror: the feeds and the comment page are not failures"
contains "$out" "s.example/latest.html: skipped (0 added, 0 updated, 0 unchanged, 0 removed, 1 skipped, 0 failed): an RSS feed, not a WordPress export" "-v: a feed under another name, skipped by its content"
contains "$out" "comment-page-2/index.html: skipped" "-v: a comment page is skipped"
contains "$out" "a WordPress comment page (comment-page-N)" "-v: with its reason"
post=$("$eafindex" -d "$tmp/mirror.db" --export 2>/dev/null | grep '"id":"https://s.example/2020/02/bunker/"')
contains "$post" "cassava" "a wget mirror: the post keeps its body, not the feed's excerpt"
is "$("$eafquery" -d "$tmp/mirror.db" --count excerpt 2>/dev/null)" 0 "a wget mirror: no excerpt indexed"
(cd "$tmp/mirror" && tar -cf - s.example) | gzip -c > "$tmp/mirror.tar.gz"
out=$("$eafindex" -d "$tmp/mirror-tar.db" "$tmp/mirror.tar.gz" 2>&1)
is "$out" "1 added, 0 updated, 0 unchanged, 0 removed, 1 skipped, 0 failed" "the mirror as a .tar.gz: the post only (latest.html skipped by content; the rest passed over by name)"

# a static site's sources as Hugo and Jekyll read them: a list page is not
# an article, JSON front matter is not JSON Lines, TOML front matter is an
# error that says how to convert it, Jekyll's tags split at white space, a
# plain Markdown file is titled by its first heading
ss="$tmp/static"
mkdir -p "$ss/content/posts" "$ss/_posts" "$ss/notes"
printf -- '---\ntitle: Posts\n---\nAll the posts.\n' > "$ss/content/posts/_index.md"
printf '{\n  "title": "Tolls in JSON",\n  "tags": ["ports"]\n}\nThe body of a Hugo post, tamarind.\n' > "$ss/content/posts/json-post.md"
printf '+++\ntitle = "Tolls in TOML"\n+++\nA TOML body.\n' > "$ss/content/posts/toml-post.md"
printf -- '---\ntitle: Jekyll tags\ntags: ports shipping\n---\nA Jekyll post.\n' > "$ss/_posts/2020-01-02-jekyll.md"
printf '# A plain note\n\nWith a body.\n\n## A section\n\nAnd more, lychee.\n' > "$ss/notes/2021-03-04-plain.md"
out=$("$eafindex" -d "$tmp/static.db" -v "$ss" 2>&1); rc=$?
is "$rc" 1 "a static site with a TOML post: exit 1 (that file failed)"
contains "$(printf '%s\n' "$out" | tail -n 1)" "3 added, 0 updated, 0 unchanged, 0 removed, " "a static site: the JSON, Jekyll and plain posts added"
contains "$(printf '%s\n' "$out" | tail -n 1)" " skipped, 1 failed" "a static site: one failure, the TOML post"
contains "$out" "content/posts/_index.md: skipped" "a Hugo list page: skipped"
contains "$out" "a Hugo list page (_index.md)" "a Hugo list page: with its reason"
contains "$out" "toml-post.md: TOML front matter" "TOML front matter: named as such"
contains "$out" "hugo convert toYAML" "TOML front matter: and how to convert it"
"$eafindex" -d "$tmp/static.db" --export > "$tmp/static.jsonl" 2> /dev/null
contains "$(grep '"id":"content/posts/json-post"' "$tmp/static.jsonl")" '"title":"Tolls in JSON"' "JSON front matter: the title"
contains "$(grep '"id":"_posts/2020-01-02-jekyll"' "$tmp/static.jsonl")" '"tags":["ports","shipping"]' "Jekyll: tags: ports shipping is two tags"
contains "$(grep '"id":"notes/2021-03-04-plain"' "$tmp/static.jsonl")" '"title":"A plain note"' "plain Markdown: titled by its heading"
contains "$(grep '"id":"notes/2021-03-04-plain"' "$tmp/static.jsonl")" 'lychee' "plain Markdown: its sections are body text"

# --format forces a format
printf '{"id": "x1", "title": "Forced"}\n' > "$tmp/notes.md"
out=$("$eafindex" -d "$tmp/forced.db" --format jsonl "$tmp/notes.md" 2>&1)
is "$out" "1 added, 0 updated, 0 unchanged, 0 removed, 0 skipped, 0 failed" "--format jsonl on a .md file"
"$eafindex" -d "$tmp/forced.db" --format pdf "$tmp/notes.md" > /dev/null 2>&1; rc=$?
is "$rc" 2 "an unknown --format is a usage error"

# batches, and an interrupted run that the next run finishes
mkdir -p "$tmp/many"
i=0
while [ $i -lt 1500 ]; do
    printf '## Page number %d\n\nSome words about page %d.\n' $i $i > "$tmp/many/p$i.md"
    i=$((i + 1))
done
out=$("$eafindex" -d "$tmp/b1.db" -b 7 "$tmp/many" 2>&1)
is "$out" "1500 added, 0 updated, 0 unchanged, 0 removed, 0 skipped, 0 failed" "small batches index the same"

# the full-text index is merged after a run that added much of it
"$eafindex" -d "$tmp/o1.db" -v "$tmp/many" > /dev/null 2> "$tmp/oerr"
contains "$(cat "$tmp/oerr")" "optimizing the full-text index" "1500 new articles: optimized at the end"
"$eafindex" -d "$tmp/o2.db" -v --no-optimize "$tmp/many" > /dev/null 2> "$tmp/oerr"
case $(cat "$tmp/oerr") in *optimizing*) o=1 ;; *) o=0 ;; esac
is "$o" 0 "--no-optimize: not"
case $(cat "$tmp/err") in *optimizing*) o=1 ;; *) o=0 ;; esac
is "$o" 0 "a run of a few articles: not"
out=$("$eafindex" -d "$tmp/o2.db" -v --optimize "$tmp/many" 2> "$tmp/oerr")
contains "$(cat "$tmp/oerr")" "optimizing the full-text index" "--optimize: even when nothing changed"
is "$(printf '%s\n' "$out" | tail -n 1)" "0 added, 0 updated, 1500 unchanged, 0 removed, 0 skipped, 0 failed" "which it says"
is "$("$eafquery" -d "$tmp/o2.db" --count "page 1234")" 1 "and searches find what they found"
"$eafindex" -d "$tmp/int.db" -b 5 "$tmp/many" > /dev/null 2>&1 &
pid=$!
sleep 0.2
kill -INT "$pid" 2>/dev/null
wait "$pid"; rc=$?
ok "$([ "$rc" -eq 130 ] || [ "$rc" -eq 0 ] && echo 0 || echo 1)" "an interrupted run stops cleanly (exit $rc)"
out=$("$eafindex" -d "$tmp/int.db" "$tmp/many" 2>&1)
added=$(printf '%s\n' "$out" | sed -n 's/^\([0-9]*\) added.*/\1/p')
unchanged=$(printf '%s\n' "$out" | sed -n 's/.* \([0-9]*\) unchanged.*/\1/p')
is "$((added + unchanged))" 1500 "the next run finishes it: $added added, $unchanged kept"
out=$("$eafindex" -d "$tmp/int.db" "$tmp/many" 2>&1)
is "$out" "0 added, 0 updated, 1500 unchanged, 0 removed, 0 skipped, 0 failed" "and then all is done"

done_testing
