#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <boost/json/fwd.hpp>

#include "cidr_set.h"
#include "settings.h"
#include "ukube/client.h"
#include "ukube/controller/controller_plugin.h"
#include "ukube/controller/reconcile_loop.h"
#include "ukube/informer.h"

// upstream's node IPAM range allocator (pkg/controller/nodeipam/ipam/range_allocator.go):
// every Node without pod CIDRs gets the next free block of each cluster CIDR, written to
// spec.podCIDRs and spec.podCIDR (the first); nodes that have them keep them and their
// blocks are marked used, rebuilt from the Node list each time the controller starts
// (there is no other state); a deleted node's blocks are free again. Blocks overlapping the
// service CIDR are never given out.
//  - One worker allocates, so two nodes never get one block, however many are created at
//    once. The write is an update on the node's resourceVersion: on a conflict the node is
//    read again, and if it got pod CIDRs meanwhile those are kept and the reserved blocks
//    freed, else the update is retried.
//  - A full range: a Warning event CIDRNotAvailable ("Node <name> status is now:
//    CIDRNotAvailable", from cidrAllocator, as upstream), and the node is tried again with
//    back-off, and at once when a block is freed. Upstream's range allocator sets no node
//    condition here (only its cloud allocator touches NetworkUnavailable), nor does this one.
//  - A failed write: a Warning event CIDRAssignmentFailed; the blocks are freed when the
//    server refused the write (4xx), kept when its outcome is unknown, as upstream.
//  - A node whose pod CIDRs lie outside the cluster CIDR (or do not parse) is left as it is
//    with a Warning event CIDROutOfRange carrying upstream's error text, where upstream's
//    controller would fail to start.
// A node with a deletionTimestamp keeps its blocks until it is gone: freeing them earlier,
// as upstream does, could hand them to a new node while the old one still has them.
namespace ukube::controllers::nodeipam {

inline constexpr const char* kEventSource = "cidrAllocator";  // upstream's event source component
inline constexpr const char* kCidrNotAvailable = "CIDRNotAvailable";
inline constexpr const char* kCidrAssignmentFailed = "CIDRAssignmentFailed";
inline constexpr const char* kCidrOutOfRange = "CIDROutOfRange";
inline constexpr int kUpdateAttempts = 5;  // updates of one node in a row after conflicts

// The node's pod CIDRs as written: spec.podCIDRs, or spec.podCIDR alone when that is unset.
std::vector<std::string> pod_cidrs_of(const boost::json::object& node);

class RangeAllocator final : public controller::RunningController {
 public:
  RangeAllocator(const controller::ControllerDeps& deps, const Settings& settings);
  ~RangeAllocator() override;
  void start() override;
  void stop() override;

  // Every node queued so far has been handled (tests).
  bool idle() const { return loop_->idle(); }
  // Blocks in use in the `range`-th cluster CIDR (tests).
  size_t allocated(size_t range = 0) const;

 private:
  using Blocks = std::vector<machinery::Cidr>;  // one per cluster CIDR, in config order

  controller::Result sync(const std::string& name);
  // The node's pod CIDRs, one per cluster CIDR and each inside it; else upstream's error text.
  std::optional<Blocks> blocks_of(const boost::json::object& node, std::string& error) const;
  // Marks the node's blocks used (when they are inside the cluster CIDRs); the caller
  // holds mutex_.
  void occupy_locked(const boost::json::object& node);
  void mark_locked(const Blocks& blocks, bool used);
  // Frees `blocks`, then marks `node`'s used (null: none), at once: no allocation between.
  void release(const Blocks& blocks, const boost::json::object* node = nullptr);
  // A block of each range, or nullopt (nothing kept) when one of them is full.
  std::optional<Blocks> allocate();
  controller::Result assign(const boost::json::object& node, const Blocks& blocks);
  void rebuild_once();
  void record(const boost::json::object& node, const std::string& type, const std::string& reason,
              const std::string& message);
  void node_status_change(const boost::json::object& node, const std::string& status);

  controller::ControllerDeps deps_;
  std::shared_ptr<Informer> nodes_;
  std::unique_ptr<controller::ReconcileLoop> loop_;
  std::vector<InformerRegistration> handlers_;

  mutable std::mutex mutex_;  // the sets: the worker allocates, informer handlers occupy and free
  std::vector<CidrSet> sets_;
  bool rebuilt_ = false;
  std::set<std::string> waiting_;                // nodes a full range left without pod CIDRs
  std::map<std::string, std::string> reported_;  // node → the out-of-range error last reported
};

}  // namespace ukube::controllers::nodeipam
