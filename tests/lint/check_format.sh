#!/usr/bin/env bash
# Every C++ source of the repository is as the repository's .clang-format lays
# it out: clang-format --dry-run -Werror names each file and line that is not.
# Fix with `clang-format -i FILE` (or the editor's format-on-save).
set -euo pipefail
root="$1"
clang_format="${2:-clang-format}"
cd "$root"
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    mapfile -t files < <(git ls-files '*.cpp' '*.hpp' '*.h')
else
    mapfile -t files < <(find geo tests bench plugin -name '*.cpp' -o -name '*.hpp' -o -name '*.h')
fi
echo "clang-format: checking ${#files[@]} files against $root/.clang-format"
"$clang_format" --dry-run -Werror "${files[@]}"
echo "clang-format: every file is formatted"
