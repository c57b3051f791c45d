#pragma once

#include <mutex>
#include <stdexcept>
#include <string>

// A runtime or network driver acting on this machine's real processes and links serves one
// node: the first name a kubelet asks for binds it (runtime-fake simulates many nodes instead).
namespace ukube::runtime::node {

class SingleNodeBinding {
 public:
  explicit SingleNodeBinding(std::string plugin) : plugin_(std::move(plugin)) {}

  // Throws std::invalid_argument once bound to another name.
  void bind(const std::string& node_name) {
    std::lock_guard lock(mutex_);
    if (node_.empty()) node_ = node_name;
    if (node_name != node_)
      throw std::invalid_argument(plugin_ + " serves one node, \"" + node_ +
                                  "\", on this machine; it cannot also serve node \"" + node_name +
                                  "\" (use runtime-fake to simulate many nodes in one daemon)");
  }

 private:
  std::string plugin_;
  std::mutex mutex_;
  std::string node_;
};

}  // namespace ukube::runtime::node
