#!/usr/bin/env bash
# Prints the path of a working Python interpreter of the version asked for (e.g. 3.10),
# looking on PATH first and then in pyenv's versions. Exits 1 with advice when none works.
set -u
want="$1"
candidates=("python$want")
if command -v pyenv >/dev/null 2>&1; then
  root=$(pyenv root)
  for p in "$root"/versions/"$want".*/bin/python"$want"; do candidates+=("$p"); done
fi
for p in "${candidates[@]}"; do
  # A pyenv shim exists on PATH even when that version is not selected, and then fails: run it to be sure.
  if got=$("$p" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null) && [ "$got" = "$want" ]; then
    "$p" -c 'import sys; print(sys.executable)'
    exit 0
  fi
done
cat >&2 <<MSG
Python $want was not found (looked for python$want on PATH and in pyenv's versions).
Install it, for example:  pyenv install $want   (or: apt-get install python$want python$want-venv)
Then run the command again.
MSG
exit 1
