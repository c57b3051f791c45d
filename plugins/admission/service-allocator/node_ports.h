#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "banded_range.h"

// Node ports, handed out from one range as upstream's port allocator does (requested or
// picked at random, the lowest 16 to 128 ports left for requests), without upstream's
// stored bitmap: the ports in use are the ones the Services hold, as the Service cache
// shows them, plus the ones handed to requests the cache does not show yet. Each of those
// is reserved for its Service until the cache shows the write of that request (or one
// after it), or until `hold_for` has passed (a request refused after allocation, or lost
// in a crash). One lock makes every decision, so two requests never get the same port.
namespace ukube::admission::service_allocator {

struct PortRange {
  int base = 30000;
  int size = 2768;

  // "30000-32767"; nullopt unless first <= last within 1-65535.
  static std::optional<PortRange> parse(std::string_view text);
  bool contains(int port) const { return port >= base && port < base + size; }
  std::string to_string() const;  // "30000-32767", as upstream prints the range
};

// Who asks for a port: the Service "namespace/name", its uid, and for an update the
// resourceVersion it changes (0 for a create).
struct PortClaim {
  std::string service;
  std::string uid;
  int64_t base_revision = 0;
};

class NodePortAllocator {
 public:
  // The Services ("namespace/name") the cache shows holding `port`.
  using Holders = std::function<std::vector<std::string>(int port)>;
  using Clock = std::chrono::steady_clock;

  NodePortAllocator(PortRange range, Holders holders, std::chrono::seconds hold_for,
                    std::function<Clock::time_point()> now = Clock::now);

  const PortRange& range() const { return range_; }
  // Takes `port` for the claim's Service; a port the Service holds already is its own.
  // Throws AllocationError (NotInRange, Allocated). A dry run only checks.
  void allocate(int port, const PortClaim& claim, bool dry_run);
  // Takes a free port for the claim's Service; throws AllocationError (Full). A dry run
  // takes nothing.
  int allocate_next(const PortClaim& claim, bool dry_run);
  // Gives back a port the claim took in a request that then failed.
  void release(int port, const PortClaim& claim);
  // The cache now shows the Service (uid `uid`) at `revision` holding `ports`: a
  // reservation it made from an older revision has served its purpose, as that write is
  // either this one or lost to it.
  void settle(const std::string& service, const std::string& uid, int64_t revision,
              const std::vector<int>& ports);

 private:
  struct Reservation {
    PortClaim claim;
    Clock::time_point until;
  };
  // Whether `service` may take `port`: no other Service holds or reserved it, and, for a
  // pick (`own_counts` false), not the Service itself either, so its ports stay distinct.
  bool free_for(int port, const std::string& service, Clock::time_point now, bool own_counts) const;
  void reserve(int port, const PortClaim& claim, Clock::time_point now);

  PortRange range_;
  Holders holders_;
  std::chrono::seconds hold_for_;
  std::function<Clock::time_point()> now_;
  BandedRange bands_;
  std::mutex mutex_;
  std::mt19937_64 random_;
  std::map<int, Reservation> reservations_;
};

}  // namespace ukube::admission::service_allocator
