#!/usr/bin/env bash
# Quickstart (a): install what is missing, build, and run deepntk on its built-in default
# problem on every core of this machine. Extra arguments go to `deepntk run`.
set -euo pipefail
# shellcheck source=scripts/prepare.sh
source "$(dirname "${BASH_SOURCE[0]}")/prepare.sh"
ranks=${DEEPNTK_RANKS:-$cores}
mkdir -p "$root/results"
# A new name per run: earlier results are never overwritten.
output="$root/results/default-$(date +%Y%m%d-%H%M%S).h5"
exec mpiexec -n "$ranks" "$build_dir/src/deepntk" run --output "$output" "$@"
