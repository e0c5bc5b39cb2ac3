#!/bin/sh
# layering.sh [TOP]: the layers of ../shared/DESIGN.md, checked on the
# code.  Every source file of lib/ and tools/ under TOP (default: the
# source tree) has a layer in tests/layering.table; a file may include the
# headers of its own layer and of the layers below it, and name (call, or
# take the address of) the eaf_ functions defined in them, never those of
# a layer above; tools reach the library through include/ alone; and no
# files depend on each other in a circle, whatever their layers.  A file
# the table does not place fails too, so that nothing escapes the check.
#
# The scan is textual: comments, strings and preprocessor lines other than
# #include are left out; a definition is an eaf_ name followed by '(' at
# the file's top level, whose statement goes on with '{'; a use is any
# other appearance of a name so defined, inside a body or an initialiser.
# Names used only in macros are not seen.  TAP output, one line per file
# (one per problem where it has any), then one for the circles.
#
# EAF_LAYERS=FILE reads another table (the test of this script does).
set -u
top=${1:-${EAF_TEST_SRCDIR:-.}}
table=${EAF_LAYERS:-$top/tests/layering.table}
cd "$top" || exit 2
if [ ! -r "$table" ]; then
    echo "1..0 # SKIP no table of layers at $table"
    exit 0
fi
files=$(find lib tools include -name '*.[ch]' | LC_ALL=C sort)

# first pass (awk): the records "FILE<tab>ORDER<tab>ok|not ok<tab>TEXT";
# then sorted by file, and numbered into TAP by the last awk
# shellcheck disable=SC2086
awk -v table="$table" -v sq="'" '
function glob_re(g,   re, i, c) {
    re = "^"
    for (i = 1; i <= length(g); i++) {
        c = substr(g, i, 1)
        if (c == "*") re = re ".*"
        else if (c == "?") re = re "."
        else if (c == "[" || c == "]") re = re c
        else if (index(".+^$(){}|\\", c)) re = re "\\" c
        else re = re c
    }
    return re "$"
}
function report(f, order, status, text) {
    printf "%s\t%d\t%s\t%s\n", f, order, status, text
}
function reset_statement() {
    cand = ""; assigned = 0; is_static = 0; parens = 0
}
# the line with comments and literals blanked; incomment carries over
function strip(s,   out, i, n, c, q, j) {
    out = ""; n = length(s); i = 1
    while (i <= n) {
        if (incomment) {
            j = index(substr(s, i), "*/")
            if (j == 0) return out
            i += j + 1; incomment = 0; out = out " "
            continue
        }
        if (match(substr(s, i), plain)) {
            out = out substr(s, i, RLENGTH); i += RLENGTH
            continue
        }
        c = substr(s, i, 1)
        if (c == "/" && substr(s, i + 1, 1) == "*") { incomment = 1; i += 2; continue }
        if (c == "/" && substr(s, i + 1, 1) == "/") return out
        if (c == "\"" || c == sq) {
            q = c; i++
            while (i <= n) {
                c = substr(s, i, 1)
                if (c == "\\") { i += 2; continue }
                if (c == q) break
                i++
            }
            i++; out = out " "
            continue
        }
        out = out c; i++
    }
    return out
}
function scan(s,   t, after) {
    while (match(s, /[A-Za-z_][A-Za-z0-9_]*|[{}();=]/)) {
        t = substr(s, RSTART, RLENGTH)
        s = substr(s, RSTART + RLENGTH)
        if (t == "{") {
            if (depth == 0 && cand != "" && !assigned) {
                if (is_static) sdef[FILENAME, cand] = 1
                else {
                    if (!(cand in edef)) edef[cand] = FILENAME
                    sdef[FILENAME, cand] = 1
                }
            }
            if (depth == 0) { body_assigned = assigned; reset_statement() }
            depth++
        } else if (t == "}") {
            if (depth > 0) depth--
            if (depth == 0) reset_statement()
        } else if (depth == 0 && t == ";") {
            reset_statement()
        } else if (depth == 0 && t == "=") {
            assigned = 1
        } else if (depth == 0 && t == "(") {
            parens++
        } else if (depth == 0 && t == ")") {
            parens--
        } else if (depth == 0 && t == "static") {
            is_static = 1
        } else if (t ~ /^eaf_/) {
            if (depth > 0 || assigned) {
                if (!((FILENAME, t) in useline)) {
                    useline[FILENAME, t] = FNR
                    uses[FILENAME] = uses[FILENAME] " " t
                }
            } else if (cand == "" && parens == 0 && s ~ /^[ \t]*\(/) {
                cand = t
            }
        }
    }
}
BEGIN {
    plain = "^[^/\"" sq "]+"
    norder = 0; nrow = 0; nallow = 0
    while ((getline row < table) > 0) {
        sub(/#.*/, "", row)
        n = split(row, w, " ")
        if (n == 0) continue
        if (w[1] == "order") {
            for (i = 2; i <= n; i++) rank[w[i]] = ++norder
        } else if (w[1] == "public") {
            for (i = 2; i <= n; i++) public_only[w[i]] = 1
        } else if (w[1] == "allow" && n == 3) {
            nallow++; allow_from[nallow] = w[2]; allow_to[nallow] = w[3]
            allow_from_re[nallow] = glob_re(w[2]); allow_to_re[nallow] = glob_re(w[3])
        } else if (n == 2) {
            nrow++; row_glob[nrow] = w[1]; row_re[nrow] = glob_re(w[1]); row_layer[nrow] = w[2]
        } else {
            report("!", 0, "not ok", table ": a line that is neither a row nor a rule: " row)
        }
    }
    close(table)
    for (i = 1; i <= nrow; i++)
        if (!(row_layer[i] in rank))
            report("!", 0, "not ok", table ": " row_glob[i] ": no layer " row_layer[i] " in the order")
}
FNR == 1 {
    incomment = 0; inpp = 0; depth = 0; reset_statement()
    nfiles++; file[nfiles] = FILENAME; present[FILENAME] = 1
}
{
    line = $0
    if (inpp) { inpp = (line ~ /\\$/); next }
    if (!incomment && line ~ /^[ \t]*#/) {
        if (match(line, /^[ \t]*#[ \t]*include[ \t]*"[^"]*"/)) {
            h = substr(line, RSTART, RLENGTH)
            sub(/^[^"]*"/, "", h); sub(/"$/, "", h)
            nincs[FILENAME]++
            inc_name[FILENAME, nincs[FILENAME]] = h
            inc_line[FILENAME, nincs[FILENAME]] = FNR
        }
        inpp = (line ~ /\\$/)
        next
    }
    scan(strip(line))
}
function layer_of(f,   i) {
    for (i = 1; i <= nrow; i++)
        if (f ~ row_re[i]) return row_layer[i]
    return ""
}
function dir_of(f) {
    return (f ~ /\//) ? substr(f, 1, match(f, /\/[^\/]*$/)) : ""
}
# the path without its "." and "dir/.." steps
function normal(p,   n, i, part, k, kept, out) {
    n = split(p, part, "/"); k = 0
    for (i = 1; i <= n; i++) {
        if (part[i] == "." || part[i] == "") continue
        if (part[i] == ".." && k > 0 && kept[k] != "..") { k--; continue }
        kept[++k] = part[i]
    }
    out = ""
    for (i = 1; i <= k; i++) out = out (i > 1 ? "/" : "") kept[i]
    return out
}
function resolve(f, h,   d) {
    d = normal(dir_of(f) h)
    if (d in present) return d
    if (("lib/" h) in present) return "lib/" h
    if (("include/" h) in present) return "include/" h
    if (("tools/" h) in present) return "tools/" h
    return ""
}
# the file a header stands for in the circles: its .c when there is one
function unit(f,   c) {
    if (f ~ /\.h$/) { c = substr(f, 1, length(f) - 1) "c"; if (c in present) return c }
    return f
}
function allowed(f, g,   i) {
    for (i = 1; i <= nallow; i++)
        if (f ~ allow_from_re[i] && (g ~ allow_to_re[i] || unit(g) ~ allow_to_re[i])) {
            allow_used[i] = 1
            return 1
        }
    return 0
}
function edge(f, g, what) {
    if (unit(f) == unit(g)) return
    if (!((unit(f), unit(g)) in dep)) dep[unit(f), unit(g)] = what
    else if (index(dep[unit(f), unit(g)], what) == 0) dep[unit(f), unit(g)] = dep[unit(f), unit(g)] ", " what
}
# a problem of file f at line ln unless allowed; what it reaches is g
function check(f, ln, g, what,   lf, lg) {
    if (allowed(f, g)) return
    lf = layer_of(f); lg = layer_of(g)
    if (lf in public_only && lf != lg && g !~ /^include\// && (what ~ /^#/ || what ~ /^eaf__/)) {
        report(f, ln, "not ok", f ":" ln ": " what " of " g ": " lf " reach the library through include/ only")
        bad[f] = 1
    } else if (lg != "" && rank[lg] > rank[lf]) {
        report(f, ln, "not ok", f ":" ln ": " what " of " g " (" lg "), above this file (" lf ")")
        bad[f] = 1
    }
    if (what !~ /^#/) edge(f, g, what)
}
END {
    for (k = 1; k <= nfiles; k++) {
        f = file[k]
        if (f ~ /^include\//) continue
        lf = layer_of(f)
        if (lf == "") {
            report(f, 0, "not ok", f " has no layer in the table (" table ")")
            continue
        }
        for (i = 1; i <= nincs[f]; i++) {
            g = resolve(f, inc_name[f, i])
            if (g != "") check(f, inc_line[f, i], g, "#include \"" inc_name[f, i] "\"")
        }
        n = split(uses[f], names, " ")
        for (i = 1; i <= n; i++) {
            t = names[i]
            if ((f, t) in sdef || !(t in edef)) continue
            check(f, useline[f, t], edef[t], t)
        }
        if (!(f in bad)) report(f, 0, "ok", f " (" lf "): its includes and calls point down")
    }
    # circles: files that reach each other, found by closing the relation
    for (k = 1; k <= nfiles; k++) { u[k] = unit(file[k]) }
    for (a = 1; a <= nfiles; a++) for (b = 1; b <= nfiles; b++)
        if ((u[a], u[b]) in dep) reach[a, b] = 1
    for (m = 1; m <= nfiles; m++) for (a = 1; a <= nfiles; a++) if ((a, m) in reach)
        for (b = 1; b <= nfiles; b++) if ((m, b) in reach) reach[a, b] = 1
    ncircles = 0
    for (a = 1; a <= nfiles; a++) {
        if (u[a] != file[a] || (a in seen) || !((a, a) in reach)) continue
        members = ""; ties = ""
        for (b = 1; b <= nfiles; b++)
            if (u[b] == file[b] && (a, b) in reach && (b, a) in reach) { seen[b] = 1; members = members " " b }
        n = split(members, m_, " ")
        text = ""
        for (i = 1; i <= n; i++) {
            text = text (i > 1 ? ", " : "") u[m_[i]]
            for (j = 1; j <= n; j++)
                if ((u[m_[i]], u[m_[j]]) in dep)
                    ties = ties "\n" u[m_[i]] " -> " u[m_[j]] ": " dep[u[m_[i]], u[m_[j]]]
        }
        ncircles++
        report("~~", ncircles * 1000, "not ok", "a circle of " n " files: " text)
        nt = split(ties, tie, "\n")
        for (i = 2; i <= nt; i++) report("~~", ncircles * 1000 + i, "note", tie[i])
    }
    if (ncircles == 0) report("~~", 0, "ok", "no files depend on each other in a circle")
    for (i = 1; i <= nallow; i++)
        if (!(i in allow_used))
            report("~~~", i, "note", "allow " allow_from[i] " " allow_to[i] " is no longer needed: remove it from the table")
}
' $files | LC_ALL=C sort -t "$(printf '\t')" -k1,1 -k2,2n |
awk -F '\t' '
$3 == "note" { print "# " $4; next }
{ n++; print $3 " " n " - " $4; if ($3 != "ok") failed++ }
END { print "1.." n; exit (failed > 0) }'
