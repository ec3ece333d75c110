/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The vm_flags a dump reports, one entry each:
 *   MMCTL_VMFLAG(BIT, kernel, name)
 * MMCTL_VM_BIT is the uapi flag (linux/mmctl.h), set when the VMA has any of
 * the kernel's flags in kernel, written with MMCTL_KVM(x) for the kernel's
 * VM_x (the module defines it as VM_x, the BPF program, which has no kernel
 * headers, as its own copy of the value); name is the kernel's own
 * (include/trace/events/mmflags.h, __def_vmaflag_names). No include guard:
 * included with MMCTL_VMFLAG() and MMCTL_KVM() defined by module/walk.c and
 * lib/bpf/mmctl.bpf.c (the translation) and lib/fields.c (the
 * names, mmctl_vm_flag_names[]).
 */
MMCTL_VMFLAG(READ, MMCTL_KVM(READ), "read")
MMCTL_VMFLAG(WRITE, MMCTL_KVM(WRITE), "write")
MMCTL_VMFLAG(EXEC, MMCTL_KVM(EXEC), "exec")
MMCTL_VMFLAG(SHARED, MMCTL_KVM(SHARED), "shared")
MMCTL_VMFLAG(MAYSHARE, MMCTL_KVM(MAYSHARE), "mayshare")
MMCTL_VMFLAG(GROWSDOWN, MMCTL_KVM(GROWSDOWN), "growsdown")
MMCTL_VMFLAG(LOCKED, MMCTL_KVM(LOCKED), "locked")
MMCTL_VMFLAG(DONTCOPY, MMCTL_KVM(DONTCOPY), "dontcopy")
MMCTL_VMFLAG(WIPEONFORK, MMCTL_KVM(WIPEONFORK), "wipeonfork")
MMCTL_VMFLAG(MERGEABLE, MMCTL_KVM(MERGEABLE), "mergeable")
MMCTL_VMFLAG(HUGEPAGE, MMCTL_KVM(HUGEPAGE), "hugepage")
MMCTL_VMFLAG(NOHUGEPAGE, MMCTL_KVM(NOHUGEPAGE), "nohugepage")
MMCTL_VMFLAG(HUGETLB, MMCTL_KVM(HUGETLB), "hugetlb")
MMCTL_VMFLAG(PFNMAP, MMCTL_KVM(PFNMAP) | MMCTL_KVM(IO), "pfnmap")
MMCTL_VMFLAG(ACCOUNT, MMCTL_KVM(ACCOUNT), "account")
