#pragma once

#include <boost/json/object.hpp>

// The seccomp profile a container gets with seccompProfile RuntimeDefault: every system
// call allowed but those upstream's runtimes' default profiles refuse to a container (kernel
// modules, kexec, reboot, clock setting, mounts, new namespaces, keyrings, BPF, ptrace and
// process_vm_*, perf events, clone with namespace flags, ...), which fail with EPERM.
// Deny-listed rather than upstream's allow list: the calls the default profiles are there to
// stop are the same.
namespace ukube::runtime::runc {

// linux.seccomp of the OCI runtime spec.
boost::json::object runtime_default_seccomp();

}  // namespace ukube::runtime::runc
