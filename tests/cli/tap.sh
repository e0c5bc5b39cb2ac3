# tap.sh: a few TAP helpers for the shell tests (sourced).
tap_n=0
tap_failed=0
ok() {  # ok CONDITION-STATUS DESCRIPTION
    tap_n=$((tap_n + 1))
    if [ "$1" -eq 0 ]; then
        echo "ok $tap_n - $2"
    else
        echo "not ok $tap_n - $2"
        tap_failed=$((tap_failed + 1))
    fi
}
is() {  # is GOT EXPECTED DESCRIPTION
    tap_n=$((tap_n + 1))
    if [ "$1" = "$2" ]; then
        echo "ok $tap_n - $3"
    else
        echo "not ok $tap_n - $3"
        printf '#   got:      %s\n' "$1" | head -20
        printf '#   expected: %s\n' "$2" | head -20
        tap_failed=$((tap_failed + 1))
    fi
}
contains() {  # contains HAYSTACK NEEDLE DESCRIPTION
    case "$1" in
        *"$2"*) is x x "$3" ;;
        *) is "$1" "(something containing) $2" "$3" ;;
    esac
}
done_testing() {
    echo "1..$tap_n"
    [ "$tap_failed" -eq 0 ]
}
