# SPDX-License-Identifier: GPL-2.0
# Shared helpers for mmctl's shell tests (host and guest). Every result is
# printed kselftest-style and appended to $MMCTL_RESULTS, which run-all counts.
: "${MMCTL_BUILD:?MMCTL_BUILD must be set}"
: "${MMCTL_RESULTS:=$MMCTL_BUILD/results/default.txt}"
mkdir -p "$(dirname "$MMCTL_RESULTS")"

t_pass() { echo "ok - $1"; echo "PASS $1" >>"$MMCTL_RESULTS"; }
t_fail() {
	echo "not ok - $1"
	[ $# -gt 1 ] && printf '#   %s\n' "$2"
	echo "FAIL $1" >>"$MMCTL_RESULTS"
}
t_skip() { echo "ok - $1 # SKIP $2"; echo "SKIP $1: $2" >>"$MMCTL_RESULTS"; }

# t_check NAME CMD...: pass when CMD succeeds; on failure show its output.
t_check() {
	local name=$1 out
	shift
	if out=$("$@" 2>&1); then
		t_pass "$name"
	else
		t_fail "$name" "$(printf '%s' "$out" | tail -n 15 | tr '\n' '|')"
	fi
}
