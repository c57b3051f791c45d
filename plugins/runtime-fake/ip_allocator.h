#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_set>

// Sandbox IPs for the fake runtime: the host addresses of an IPv4 CIDR handed out one after
// the other, wrapping at the end and skipping addresses still in use. Shared by every node
// of the plugin so IPs stay unique across the simulated cluster.
namespace ukube::runtime::fake {

class IpAllocator {
 public:
  // Throws std::invalid_argument, naming `cidr`, unless it is an IPv4 CIDR with room for
  // at least one host (prefix length 8 to 30).
  explicit IpAllocator(const std::string& cidr);

  // The next free address; throws std::runtime_error when every address is in use.
  std::string allocate();
  // Returns `ip` to the pool; unknown addresses are ignored.
  void release(const std::string& ip);
  size_t in_use() const;

 private:
  mutable std::mutex mutex_;
  uint32_t first_ = 0;  // the first host address (network + 1)
  uint32_t count_ = 0;  // host addresses (network and broadcast excluded)
  uint32_t next_ = 0;   // offset of the next address to try
  std::string cidr_;    // as configured, for errors
  std::unordered_set<uint32_t> used_;
};

}  // namespace ukube::runtime::fake
