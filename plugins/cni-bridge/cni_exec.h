#pragma once

#include <filesystem>
#include <string>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

// Running one CNI plugin as the CNI spec says: the command and the sandbox in CNI_*
// variables, the plugin's network config on stdin, a result or an error as JSON on stdout.
namespace ukube::network::cni {

struct CniInvocation {
  std::string command;  // ADD, DEL, CHECK
  std::string container_id;
  std::string netns;  // may be empty for DEL
  std::string ifname;
  std::string args;  // CNI_ARGS: "IgnoreUnknown=1;K8S_POD_NAME=..."
};

// The plugin's result (ADD), or null (DEL, CHECK). Throws NetworkError as
// `plugin type="bridge" failed (add): <msg>: <details>`, as libcni words it.
boost::json::value run_cni_plugin(const std::filesystem::path& bin_dir, const boost::json::object& config,
                                  const CniInvocation& call);

}  // namespace ukube::network::cni
