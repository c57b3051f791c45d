#include "seccomp_profile.h"

#include <boost/json.hpp>

#include <cstdint>

namespace ukube::runtime::runc {

namespace json = boost::json;

namespace {

const char* const kRefused[] = {"acct",
                                "add_key",
                                "bpf",
                                "clock_adjtime",
                                "clock_settime",
                                "create_module",
                                "delete_module",
                                "finit_module",
                                "get_kernel_syms",
                                "get_mempolicy",
                                "init_module",
                                "ioperm",
                                "iopl",
                                "kcmp",
                                "kexec_file_load",
                                "kexec_load",
                                "keyctl",
                                "lookup_dcookie",
                                "mbind",
                                "mount",
                                "move_mount",
                                "move_pages",
                                "name_to_handle_at",
                                "nfsservctl",
                                "open_by_handle_at",
                                "open_tree",
                                "fsopen",
                                "fsconfig",
                                "fsmount",
                                "fspick",
                                "perf_event_open",
                                "pivot_root",
                                "process_vm_readv",
                                "process_vm_writev",
                                "ptrace",
                                "query_module",
                                "quotactl",
                                "reboot",
                                "request_key",
                                "set_mempolicy",
                                "setns",
                                "settimeofday",
                                "stime",
                                "swapon",
                                "swapoff",
                                "sysfs",
                                "_sysctl",
                                "umount",
                                "umount2",
                                "unshare",
                                "uselib",
                                "userfaultfd",
                                "ustat",
                                "vm86",
                                "vm86old"};

// clone's namespace flags: CLONE_NEWNS, NEWCGROUP, NEWUTS, NEWIPC, NEWUSER, NEWPID, NEWNET.
const uint64_t kNamespaceFlags[] = {0x00020000, 0x02000000, 0x04000000, 0x08000000,
                                    0x10000000, 0x20000000, 0x40000000};

}  // namespace

json::object runtime_default_seccomp() {
  json::array names;
  for (const char* name : kRefused) names.emplace_back(name);
  json::array rules{json::object{{"names", std::move(names)}, {"action", "SCMP_ACT_ERRNO"}, {"errnoRet", 1}}};
  // clone making a namespace is refused, as unshare is; clone3 (whose flags seccomp cannot
  // read) gets ENOSYS, so that the C library falls back to clone.
  for (uint64_t flag : kNamespaceFlags)
    rules.emplace_back(json::object{
        {"names", json::array{"clone"}},
        {"action", "SCMP_ACT_ERRNO"},
        {"errnoRet", 1},
        {"args", json::array{json::object{
                     {"index", 0}, {"value", flag}, {"valueTwo", flag}, {"op", "SCMP_CMP_MASKED_EQ"}}}}});
  rules.emplace_back(
      json::object{{"names", json::array{"clone3"}}, {"action", "SCMP_ACT_ERRNO"}, {"errnoRet", 38}});
  return json::object{{"defaultAction", "SCMP_ACT_ALLOW"},
                      {"architectures", json::array{"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32",
                                                    "SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM"}},
                      {"syscalls", std::move(rules)}};
}

}  // namespace ukube::runtime::runc
