#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ukube/runtime/types.h"

// The OCI runtime spec (config.json) runc runs a container from, made from what the kubelet
// asked for. Defaults follow what upstream's runtimes give a pod's container: the usual
// /proc, /dev, /sys mounts, masked and read-only kernel paths, a default capability set.
namespace ukube::runtime::runc {

struct OciProcess {
  std::vector<std::string> args;
  std::vector<std::string> env;  // KEY=VALUE
  std::string cwd = "/";
  uint32_t uid = 0;
  uint32_t gid = 0;
  std::vector<uint32_t> additional_gids;
  bool terminal = false;
};

struct OciNamespace {
  std::string type;  // network, ipc, uts, pid, mount, cgroup
  std::string path;  // empty: a new one
};

struct OciMount {
  std::string destination;
  std::string type;
  std::string source;
  std::vector<std::string> options;
};

struct OciContainer {
  OciProcess process;
  SecurityContext security;
  Resources resources;
  std::string hostname;  // set only with a new UTS namespace
  std::vector<OciNamespace> namespaces;
  std::vector<OciMount> mounts;  // after the default ones; a later one may cover an earlier
  std::string cgroups_path;      // "/kubepods/pod<uid>/<id>"
};

// config.json's text; the root filesystem is "rootfs" beside it.
std::string oci_config_json(const OciContainer& container);

// The capabilities a container gets: upstream's default set, or every capability when
// privileged, then `drop` (ALL drops every one) and `add`. Names as CAP_X, whichever way
// the pod spelled them.
std::vector<std::string> effective_capabilities(const SecurityContext& security);

// A bind mount of a host path (rbind, and ro when readonly).
OciMount bind_mount(const std::string& source, const std::string& destination, bool readonly);

}  // namespace ukube::runtime::runc
