#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <boost/json/array.hpp>
#include <boost/json/value.hpp>

#include "settings.h"
#include "ukube/network/driver.h"

namespace spdlog {
class logger;
}

// The bridge network driver: each sandbox's namespace gets `lo` up (the loopback plugin)
// and an eth0 on the node's bridge with an address of the node's pod CIDR (bridge +
// host-local), plus its hostPorts (portmap).
//
// What ADD answered is kept per sandbox in the state folder, with the exact plugin configs
// it ran, so DEL and CHECK after a restart or a config change undo and check what was
// done, not what the config says now.
namespace ukube::network::cni {

class CniDriver final : public NetworkDriver {
 public:
  // Reads the attachments of earlier runs from the state folder.
  CniDriver(CniBridgeSettings settings, std::shared_ptr<spdlog::logger> log);

  void configure(const NodeNetwork& node) override;
  NetworkStatus status() override;
  Attachment add(const PodNetwork& pod) override;
  void remove(const PodNetwork& pod) override;
  void check(const PodNetwork& pod) override;
  std::optional<Attachment> attachment(const std::string& sandbox_id) override;
  std::vector<std::string> attached_sandboxes() override;

 private:
  struct Record {
    boost::json::array configs;  // each plugin's config as ADD ran it, in order
    boost::json::value result;   // the chain's final result
    std::string ifname;
    Attachment attachment;
  };
  // Runs `configs` (reversed for DEL) with `prev_result` handed along, as a runtime runs a
  // conflist; returns the last result (ADD). DEL runs every plugin and throws the first
  // failure afterwards.
  boost::json::value run_chain(const std::string& command, const boost::json::array& configs,
                               const boost::json::value& prev_result, const PodNetwork& pod,
                               const std::string& ifname) const;
  std::filesystem::path record_path(const std::string& sandbox_id) const;
  // The sandbox's pinned namespace (see CniBridgeSettings::netns_dir); pin() makes it.
  std::filesystem::path pin_path(const std::string& sandbox_id) const;
  std::string pin(const PodNetwork& pod) const;
  void unpin(const std::string& sandbox_id) const;
  void load_records();
  // Sandbox ids owning a host-local lease of this network.
  std::vector<std::string> lease_owners() const;

  CniBridgeSettings settings_;
  std::shared_ptr<spdlog::logger> log_;
  mutable std::mutex mutex_;
  std::optional<boost::json::object> list_;  // once the node's CIDRs are known
  std::map<std::string, Record> records_;    // by sandbox id
};

}  // namespace ukube::network::cni
