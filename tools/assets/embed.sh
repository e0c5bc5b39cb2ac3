#!/bin/sh
# embed.sh [SRCDIR]: writes tools/serve_assets.c from tools/assets/style.css
# and tools/assets/complete.js, the files to edit.  The C file is kept in
# the repository (the build needs no generator); tests/unit/test_serve_page
# fails when it is not what this script makes of the two files.
#   sh tools/assets/embed.sh > tools/serve_assets.c
set -eu
top=${1:-.}

# one C string literal per line: \ " and ? escaped (no trigraphs)
literal() {
    awk '{ gsub(/\\/, "\\\\"); gsub(/"/, "\\\""); gsub(/\?/, "\\?");
           printf "    \"%s\\n\"\n", $0 }' "$1"
}

cat <<'HEAD'
/*
 * serve_assets.c: eafserve's stylesheet and script, as C strings.
 * Made by tools/assets/embed.sh from tools/assets/style.css and
 * tools/assets/complete.js: edit those, then run the script.
 */
#include "serve.h"

const char serve_stylesheet[] =
HEAD
literal "$top/tools/assets/style.css"
printf '    ;\n\nconst char serve_script[] =\n'
literal "$top/tools/assets/complete.js"
printf '    ;\n'
