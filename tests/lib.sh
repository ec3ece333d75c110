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
	# the why, for run-all's summary (the end of a long log is what CI shows)
	[ $# -gt 1 ] && printf 'WHY %.300s\n' "$(printf '%s' "$2" | tr '\n' '|')" >>"$MMCTL_RESULTS"
	return 0
}
# t_time NAME START: the wall time of one phase since START (date +%s),
# printed as "# NAME: N s" and kept for run-all's closing table
# (MMCTL_TIMES: the outermost run-all's file; not kept when unset).
t_time() {
	local s=$(( $(date +%s) - $2 ))
	echo "# $1: $s s"
	[ -n "${MMCTL_TIMES:-}" ] && printf '%-44s %5d s\n' "$1" "$s" >>"$MMCTL_TIMES"
	return 0
}
t_skip() {
	t_want "$1" || return 0
	echo "ok - $1 # SKIP $2"
	echo "SKIP $1: $2" >>"$MMCTL_RESULTS"
}

# t_want NAME: true unless a run was limited to some tests (-t PATTERN of
# tests/guest/run and tests/host/run, MMCTL_ONLY) and NAME does not match
# that extended regular expression. t_check asks it with the test's name;
# a script asks it with a section's name (topologies, storm, windows...)
# before running a program that records results of its own.
t_want() {
	[ -z "${MMCTL_ONLY:-}" ] || [[ $1 =~ $MMCTL_ONLY ]]
}

# t_section NAME CMD...: run CMD (a function, or . FILE) with all of its
# tests when NAME matches the -t pattern (or there is none), else with
# those alone whose names match; returns CMD's status.
t_section() {
	local name=$1 only=${MMCTL_ONLY:-} rc
	shift
	if t_want "$name"; then
		MMCTL_ONLY=
		"$@"
		rc=$?
		MMCTL_ONLY=$only
		return $rc
	fi
	"$@"
}

# t_only ARGS...: the -t PATTERN option of a test script; sets MMCTL_ONLY.
t_only() {
	local o OPTIND=1
	while getopts t: o; do
		case $o in
		t)
			# an invalid regex would match nothing and pass the run
			[[ x =~ $OPTARG ]]
			[ $? -ne 2 ] || { echo "${0##*/}: -t '$OPTARG' is not an extended regular expression" >&2; exit 2; }
			export MMCTL_ONLY=$OPTARG ;;
		*) echo "usage: ${0##*/} [-t PATTERN]  (tests or sections whose name matches, grep -E)" >&2
		   exit 2 ;;
		esac
	done
	shift $((OPTIND - 1))
	[ $# -eq 0 ] || { echo "${0##*/}: unexpected argument '$1' (see -t PATTERN)" >&2; exit 2; }
	[ -z "${MMCTL_ONLY:-}" ] || echo "# only tests and sections matching: $MMCTL_ONLY"
}

# t_check NAME CMD...: pass when CMD succeeds; on failure show its output.
# Not run, and not counted, when t_want NAME says no.
t_check() {
	local name=$1 out
	shift
	t_want "$name" || return 0
	if out=$("$@" 2>&1); then
		t_pass "$name"
	else
		t_fail "$name" "$(printf '%s' "$out" | tail -n 15 | tr '\n' '|')"
	fi
}

# t_expected_chain_order [RELEASE]: "root-last" or "clone-reversed", the
# chain order this kernel's anon_vma_clone() produces (docs/checker.md,
# "Chain order"): root-last up to 6.18, and on 6.1.y throughout; the
# reversing copy came with 7.0, and to stable in 6.12.112 and 6.18.55.
# Empty for a series nobody has looked at.
t_expected_chain_order() {
	local maj min sub
	IFS=.- read -r maj min sub _ <<<"${1:-$(uname -r)}"
	sub=${sub%%[!0-9]*}
	case $maj.$min in
	6.1) echo root-last ;;
	6.12) if [ "${sub:-0}" -lt 112 ]; then echo root-last; else echo clone-reversed; fi ;;
	6.18) if [ "${sub:-0}" -lt 55 ]; then echo root-last; else echo clone-reversed; fi ;;
	6.19 | 7.*) echo clone-reversed ;;
	esac
}

# chain_order_is ORDER FILE...: each FILE (mmctl JSON) says chain_order
# ORDER, and chain_root_last true exactly when ORDER is root-last.
chain_order_is() {
	local order=$1 rl=false f
	shift
	[ "$order" = root-last ] && rl=true
	for f in "$@"; do
		grep -Eq "\"chain_order\": ?\"$order\"" "$f" &&
			grep -Eq "\"chain_root_last\": ?$rl" "$f" || return 1
	done
}

# Kernel command line for a KASAN (debug) kernel under TCG, both measured
# on the debug kernel (tests/vm/debug-kernel.conf):
#  - no5lvl: once in five boots under -cpu max (LA57) it printed "BUG:
#    KASAN: wild-memory-access in do_raw_spin_lock" on a 5-level direct
#    map address in an interrupt during identify_cpu, before any
#    userspace; 4-level paging, as on most machines, avoids that path;
#  - acpi=noirq: routing each virtio-9p device's INTx through ACPI (the
#    _SB_.LNKB/LNKC link objects) took 30 s per device there, 60 of the
#    82 s a boot took; with the PIRQ table instead a boot takes 18-22 s
#    (virtio uses MSI-X; the devices never need INTx).
# Any splat still fails the run.
# shellcheck disable=SC2034 # used by the scripts that source this one
KASAN_APPEND="no5lvl acpi=noirq"

# t_guest_batch PREFIX RC: the verdict on one tests/vm/vm-run boot (RC its
# exit status: 126 is a kernel splat on the console, see vm-run).
t_guest_batch() {
	case $2 in
	0) t_pass "${1}guest batch ran to completion with a clean kernel console" ;;
	126) t_fail "${1}guest kernel console is clean (no BUG/WARNING/Oops/KASAN/lockdep)" \
		"$(head -n 4 "$MMCTL_BUILD/vm/console-bad.txt" 2>/dev/null | tr -d '\r' | tr '\n' '|')" ;;
	*) t_fail "${1}guest batch ran to completion" "vm-run exit status $2" ;;
	esac
}

# copy_module_sources DIR [FILE...]: the module's sources in $top (and FILEs),
# and the test module tests/winmod, into DIR, without build products, to
# build against another kernel there.
copy_module_sources() {
	local dir=$1
	shift
	mkdir -p "$dir/tests"
	cp -r "$top"/Kbuild "$top"/module "$top"/lib "$top"/uapi "$@" "$dir"/
	cp -r "$top"/tests/winmod "$dir"/tests/
	find "$dir" \( -name '*.o' -o -name '*.ko' -o -name '*.mod*' -o -name '.*.cmd' \
		-o -name modules.order -o -name Module.symvers -o -name '*.a' \
		-o -path '*/lib/bpf/vmlinux.h' -o -name '*.skel.h' \) -delete
}

# build_kmod KSRC DIR LOG: mmctl.ko and the test module built against the
# kernel tree KSRC in DIR (a fresh copy of the sources), output in LOG.
build_kmod() {
	local ksrc=$1 dir=$2 log=$3
	rm -rf "$dir"
	copy_module_sources "$dir"
	make -s -C "$ksrc" M="$dir" modules >"$log" 2>&1 &&
		make -s -C "$ksrc" M="$dir/tests/winmod" modules >>"$log" 2>&1
}

# run_workloads PREFIX RESULTS_NAME KO VM-RUN-ARGS...: the workload batch
# (tests/guest/run-workloads: stress-ng and the kernel's mm selftests under
# mmctl check) in a boot of its own, 2 GiB in two NUMA nodes (the migration
# and ksm -N selftests need two) and 3 CPUs (migration needs 3: one node
# has 2), results into RESULTS_NAME.
run_workloads() {
	local prefix=$1 name=$2 ko=$3 rc
	shift 3
	MMCTL_VM_RETRY_RESULTS=1 tests/vm/vm-run --mem "${MMCTL_WORKLOAD_MEM:-2048}" --numa 2 --cpus "${MMCTL_WORKLOAD_CPUS:-3}" "$@" \
		--timeout "${MMCTL_WORKLOAD_TIMEOUT:-900}" -- \
		env MMCTL_KO="$ko" MMCTL_WINMOD="${ko%/module/mmctl.ko}/tests/winmod/mmctl_window.ko" \
		MMCTL_RESULTS_NAME="$name" MMCTL_STRESSNG_SECONDS="${MMCTL_STRESSNG_SECONDS:-45}" \
		MMCTL_SELFTEST_SECONDS="${MMCTL_SELFTEST_SECONDS:-10}" MMCTL_SELFTEST_ALL="${MMCTL_SELFTEST_ALL:-1}" \
		tests/guest/run-workloads
	rc=$?
	t_guest_batch "${prefix}workloads: " $rc
}
