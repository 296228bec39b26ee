# bash completion for stipple. Made by `stipple completion bash` from the command table;
# tests/test_cli.sh checks that this file matches it (regenerate, do not edit).
_stipple() {
    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
    local first="help version completion lesson simulate grade dots report demo practice devices calibrate sessions review annotate gradebook certify head verify station bench"
    if [ "$COMP_CWORD" -eq 1 ]; then
        COMPREPLY=($(compgen -W "$first" -- "$cur"))
        return
    fi
    local key=${COMP_WORDS[1]} subs=""
    case "$key" in
    lesson) subs="$subs check" ;;
    devices) subs="$subs test" ;;
    gradebook) subs="$subs trainees" ;;
    gradebook) subs="$subs stations" ;;
    gradebook) subs="$subs instructors" ;;
    gradebook) subs="$subs import" ;;
    gradebook) subs="$subs progress" ;;
    gradebook) subs="$subs override" ;;
    gradebook) subs="$subs export" ;;
    gradebook) subs="$subs bench" ;;
    esac
    if [ -n "$subs" ]; then
        if [ "$COMP_CWORD" -eq 2 ] && [[ $cur != -* ]]; then
            COMPREPLY=($(compgen -W "$subs" -- "$cur"))
            [ ${#COMPREPLY[@]} -gt 0 ] && return
        elif [[ " $subs " == *" ${COMP_WORDS[2]} "* ]]; then
            key="$key ${COMP_WORDS[2]}"
        fi
    fi
    local opts="--help" files="" dirs="" profiles=""
    case "$key" in
    "lesson check")
        opts="$opts"
        files=""
        dirs=""
        profiles="" ;;
    "simulate")
        opts="$opts --lesson --trainee --seed --output"
        files=" --lesson --seed --output -o"
        dirs=""
        profiles=" --trainee" ;;
    "grade")
        opts="$opts --json --csv --output --lesson --lessons --fail-exit --jobs --rules"
        files=" --output -o --lesson --jobs -j --rules"
        dirs=" --lessons"
        profiles="" ;;
    "dots")
        opts="$opts --json --output --lesson --lessons"
        files=" --output -o --lesson"
        dirs=" --lessons"
        profiles="" ;;
    "report")
        opts="$opts --output --paper --no-views --lesson --lessons"
        files=" --output -o --paper --lesson"
        dirs=" --lessons"
        profiles="" ;;
    "demo")
        opts="$opts --lesson"
        files=" --lesson"
        dirs=""
        profiles="" ;;
    "practice")
        opts="$opts --lesson --lessons --input-file --fast --desc --screenshot-at --exit-after --exam --trainee --output --report-json --size --bench --bench-input --selftest --device --mouse --tablet-area --view --field"
        files=" --lesson --input-file --desc --screenshot-at --exit-after --trainee --output -o --report-json --size --bench-input --selftest --device --tablet-area --view --field"
        dirs=" --lessons"
        profiles="" ;;
    "devices")
        opts="$opts"
        files=""
        dirs=""
        profiles="" ;;
    "devices test")
        opts="$opts --desc --profile --no-profile --json"
        files=" --desc --profile"
        dirs=""
        profiles="" ;;
    "calibrate")
        opts="$opts --recording --desc --profile --json --dry-run"
        files=" --recording --desc --profile"
        dirs=""
        profiles="" ;;
    "sessions")
        opts="$opts --json --dir --lessons"
        files=""
        dirs=" --dir --lessons"
        profiles="" ;;
    "review")
        opts="$opts --at --step --kind --screenshot-at --exit-after --ghost --lesson --lessons --size --script-log --bench"
        files=" --at --step --kind --screenshot-at --exit-after --ghost --lesson --size"
        dirs=" --lessons"
        profiles="" ;;
    "annotate")
        opts="$opts --text --at --dot --region --override --reason --author --json"
        files=" --text --at --dot --region --override --reason --author"
        dirs=""
        profiles="" ;;
    "gradebook trainees")
        opts="$opts --name --json --db"
        files=" --name --db"
        dirs=""
        profiles="" ;;
    "gradebook stations")
        opts="$opts --key --name --json --db"
        files=" --key --name --db"
        dirs=""
        profiles="" ;;
    "gradebook instructors")
        opts="$opts --key --name --json --db"
        files=" --key --name --db"
        dirs=""
        profiles="" ;;
    "gradebook import")
        opts="$opts --trainee --lessons --jobs --db"
        files=" --trainee --jobs --db"
        dirs=" --lessons"
        profiles="" ;;
    "gradebook progress")
        opts="$opts --json --db"
        files=" --db"
        dirs=""
        profiles="" ;;
    "gradebook override")
        opts="$opts --instructor --verdict --reason --key --db"
        files=" --instructor --verdict --reason --key --db"
        dirs=""
        profiles="" ;;
    "gradebook export")
        opts="$opts --csv --output --db"
        files=" --output -o --db"
        dirs=""
        profiles="" ;;
    "gradebook bench")
        opts="$opts --sessions --jobs --quick --lessons --db"
        files=" --sessions --jobs --db"
        dirs=" --lessons"
        profiles="" ;;
    "certify")
        opts="$opts --curriculum --output --verify --key --db"
        files=" --curriculum --output -o --verify --key --db"
        dirs=""
        profiles="" ;;
    "head")
        opts="$opts --json"
        files=""
        dirs=""
        profiles="" ;;
    "verify")
        opts="$opts --json --keys"
        files=""
        dirs=" --keys"
        profiles="" ;;
    "station")
        opts="$opts --json --export --register"
        files=" --export --register"
        dirs=""
        profiles="" ;;
    "bench")
        opts="$opts --quick"
        files=""
        dirs=""
        profiles="" ;;
    esac
    if [ -n "$profiles" ] && [[ " $profiles " == *" $prev "* ]]; then
        COMPREPLY=($(compgen -W "expert deep shallow grid clumped sparse dragger wrong-shade hard-hairline" -- "$cur"))
    elif [ -n "$dirs" ] && [[ " $dirs " == *" $prev "* ]]; then
        COMPREPLY=($(compgen -d -- "$cur"))
    elif [[ " $files " == *" $prev "* ]]; then
        COMPREPLY=($(compgen -f -- "$cur"))
    elif [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$opts" -- "$cur"))
    else
        COMPREPLY=($(compgen -f -- "$cur"))
    fi
}
complete -o filenames -F _stipple stipple
