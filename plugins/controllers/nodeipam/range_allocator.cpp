#include "range_allocator.h"

#include <spdlog/spdlog.h>

#include <boost/json.hpp>

#include "ukube/controller/event_recorder.h"
#include "ukube/errors.h"
#include "ukube/machinery/json.h"
#include "ukube/machinery/resources.h"

namespace ukube::controllers::nodeipam {
namespace {

namespace json = boost::json;
using machinery::name_of;

std::vector<std::string> strings_of(const std::vector<machinery::Cidr>& blocks) {
  std::vector<std::string> out;
  for (const auto& block : blocks) out.push_back(block.str());
  return out;
}

}  // namespace

std::vector<std::string> pod_cidrs_of(const json::object& node) {
  std::vector<std::string> cidrs = machinery::strings_at(node, {"spec", "podCIDRs"});
  if (cidrs.empty()) {
    std::string single = machinery::string_at(node, {"spec", "podCIDR"});
    if (!single.empty()) cidrs.push_back(std::move(single));
  }
  return cidrs;
}

RangeAllocator::RangeAllocator(const controller::ControllerDeps& deps, const Settings& settings)
    : deps_(deps), nodes_(deps.informers->informer(machinery::kNodes)) {
  for (const auto& range : settings.ranges) {
    CidrSet& set = sets_.emplace_back(range.cidr, range.node_prefix);
    // upstream's filterOutServiceRange: Service addresses are never a node's.
    for (const auto& service : settings.service_cidrs) set.occupy(service);
  }
  controller::LoopSettings loop;
  loop.name = "nodeipam";
  loop.workers = 1;  // the one allocator: two nodes never get the same block
  loop_ = std::make_unique<controller::ReconcileLoop>(
      loop, [this](const std::string& name) { return sync(name); }, deps.log);
}

RangeAllocator::~RangeAllocator() {
  stop();
}

void RangeAllocator::start() {
  if (!handlers_.empty()) return;
  // Blocks are marked used as soon as the cache shows them, before the worker gets to the
  // node, so an allocation made meanwhile cannot pick them.
  auto seen = [this](const json::object& node) {
    std::lock_guard lock(mutex_);
    occupy_locked(node);
  };
  InformerHandlers handlers;
  handlers.on_add = [this, seen](const ObjectPtr& node) {
    seen(*node);
    loop_->add(name_of(*node));
  };
  handlers.on_update = [this, seen](const ObjectPtr& old_node, const ObjectPtr& node) {
    const auto cidrs = pod_cidrs_of(*node);
    if (!cidrs.empty() && cidrs == pod_cidrs_of(*old_node)) return;  // a heartbeat, a label: nothing here
    seen(*node);
    loop_->add(name_of(*node));
  };
  handlers.on_delete = [this](const ObjectPtr& node) {
    const std::string name = name_of(*node);
    std::set<std::string> wake;
    {
      std::string error;
      std::lock_guard lock(mutex_);
      waiting_.erase(name);
      reported_.erase(name);
      if (auto blocks = blocks_of(*node, error)) {
        mark_locked(*blocks, false);
        wake = waiting_;
      }
    }
    if (deps_.log && !wake.empty())
      deps_.log->info("node {} is gone: its pod CIDRs are free for the {} node(s) waiting", name,
                      wake.size());
    for (const auto& waiting : wake) loop_->add(waiting);
  };
  handlers_.push_back(nodes_->add_handlers(std::move(handlers)));
  loop_->start();
}

void RangeAllocator::stop() {
  handlers_.clear();
  loop_->stop();
}

size_t RangeAllocator::allocated(size_t range) const {
  std::lock_guard lock(mutex_);
  return sets_.at(range).allocated();
}

std::optional<RangeAllocator::Blocks> RangeAllocator::blocks_of(const json::object& node,
                                                                std::string& error) const {
  const std::string name = name_of(node);
  Blocks blocks;
  const auto cidrs = pod_cidrs_of(node);
  for (size_t i = 0; i < cidrs.size(); ++i) {
    const auto cidr = machinery::parse_cidr(cidrs[i]);
    const std::string index = std::to_string(i);
    if (!cidr) {
      error = "failed to parse node " + name + ", CIDR " + cidrs[i];
      return std::nullopt;
    }
    if (i >= sets_.size()) {
      error = "node:" + name + " has an allocated cidr: " + cidrs[i] + " at index:" + index +
              " that does not exist in cluster cidrs configuration";
      return std::nullopt;
    }
    const machinery::Cidr& cluster = sets_[i].cluster();
    if (!cluster.contains(*cidr)) {
      error = "failed to mark cidr[" + cidr->str() + "] at idx [" + index +
              "] as occupied for node: " + name + ": cidr " + cidr->str() +
              " is out the range of cluster cidr " + cluster.str();
      return std::nullopt;
    }
    blocks.push_back(*cidr);
  }
  return blocks;
}

void RangeAllocator::rebuild_once() {
  std::lock_guard lock(mutex_);
  if (rebuilt_) return;
  rebuilt_ = true;
  for (const auto& node : nodes_->list()) occupy_locked(*node);
}

void RangeAllocator::occupy_locked(const json::object& node) {
  std::string error;
  if (auto blocks = blocks_of(node, error)) mark_locked(*blocks, true);
}

void RangeAllocator::mark_locked(const Blocks& blocks, bool used) {
  for (size_t i = 0; i < blocks.size(); ++i) used ? sets_[i].occupy(blocks[i]) : sets_[i].release(blocks[i]);
}

std::optional<RangeAllocator::Blocks> RangeAllocator::allocate() {
  std::lock_guard lock(mutex_);
  Blocks blocks;
  for (auto& set : sets_) {
    auto block = set.allocate_next();
    if (!block) {
      mark_locked(blocks, false);
      return std::nullopt;
    }
    blocks.push_back(*block);
  }
  return blocks;
}

void RangeAllocator::release(const Blocks& blocks, const json::object* node) {
  std::lock_guard lock(mutex_);
  mark_locked(blocks, false);
  if (node) occupy_locked(*node);
}

controller::Result RangeAllocator::sync(const std::string& name) {
  // Before the cache is full, blocks in use would look free.
  if (!nodes_->has_synced()) return controller::Result::requeue_after(std::chrono::milliseconds(200));
  rebuild_once();
  const ObjectPtr node = nodes_->get(name);
  // Gone: on_delete freed its blocks. Being deleted: it keeps them until it is gone.
  if (!node || machinery::has_deletion_timestamp(*node)) return controller::Result::done();

  if (!pod_cidrs_of(*node).empty()) {
    std::string error;
    bool report = false;
    {
      std::lock_guard lock(mutex_);
      waiting_.erase(name);
      if (auto blocks = blocks_of(*node, error)) {
        mark_locked(*blocks, true);
        reported_.erase(name);
      } else if (reported_[name] != error) {
        reported_[name] = error;
        report = true;
      }
    }
    if (report) {
      if (deps_.log) deps_.log->warn("node {}: {}; its pod CIDRs are left as they are", name, error);
      record(*node, "Warning", kCidrOutOfRange, error);
    }
    return controller::Result::done();
  }

  auto blocks = allocate();
  {
    std::lock_guard lock(mutex_);
    if (blocks)
      waiting_.erase(name);
    else
      waiting_.insert(name);
  }
  if (!blocks) {
    if (deps_.log) deps_.log->warn("node {}: no pod CIDR is left in the cluster CIDR to give it", name);
    node_status_change(*node, kCidrNotAvailable);
    return controller::Result::retry();
  }
  return assign(*node, *blocks);
}

controller::Result RangeAllocator::assign(const json::object& node, const Blocks& blocks) {
  const std::string name = name_of(node);
  const std::vector<std::string> cidrs = strings_of(blocks);
  json::object current = node;
  std::string failure;
  bool refused = false;  // the server did not write it: the blocks can go back
  for (int attempt = 1; attempt <= kUpdateAttempts; ++attempt) {
    json::object& spec = machinery::child(current, "spec");
    spec["podCIDR"] = cidrs.front();
    spec["podCIDRs"] = json::array(cidrs.begin(), cidrs.end());
    try {
      WriteOptions options;
      options.return_object = false;
      deps_.client->update(machinery::kNodes, "", current, options);
      if (deps_.log) deps_.log->info("node {}: pod CIDRs set to {}", name, json::serialize(spec["podCIDRs"]));
      return controller::Result::done();
    } catch (const ApiError& e) {
      failure = e.what();
      refused = e.code() >= 400 && e.code() < 500;
      if (is_not_found(e)) {
        release(blocks);
        return controller::Result::done();
      }
      if (!is_conflict(e)) break;
    } catch (const std::exception& e) {
      failure = e.what();
      refused = false;
      break;
    }
    // Someone else wrote the node since the cache showed it: look at it as it is now.
    ObjectPtr fresh;
    try {
      fresh = deps_.client->get(machinery::kNodes, "", name);
    } catch (const ApiError& e) {
      release(blocks);  // the update was refused: nothing of ours was written
      if (is_not_found(e)) return controller::Result::done();
      throw;
    }
    if (!fresh) {
      release(blocks);
      return controller::Result::retry();
    }
    const auto existing = pod_cidrs_of(*fresh);
    if (existing == cidrs) return controller::Result::done();  // our earlier write, seen late
    if (!existing.empty()) {
      // It got pod CIDRs meanwhile: they stand, ours go back. (The informer brings the
      // change too, and with it a look at whether they lie inside the cluster CIDR.)
      if (deps_.log)
        deps_.log->info("node {} got pod CIDRs meanwhile; freeing the ones reserved for it", name);
      release(blocks, fresh.get());
      return controller::Result::done();
    }
    current = *fresh;
  }
  if (deps_.log)
    deps_.log->error("node {}: setting pod CIDRs {} failed: {}", name,
                     json::serialize(json::array(cidrs.begin(), cidrs.end())), failure);
  // When the outcome is unknown the blocks stay reserved: the write may have gone through,
  // and a block on two nodes is worse than one unused until the controller restarts.
  if (refused) release(blocks);
  node_status_change(node, kCidrAssignmentFailed);
  return controller::Result::retry();
}

void RangeAllocator::record(const json::object& node, const std::string& type, const std::string& reason,
                            const std::string& message) {
  if (!deps_.events) return;
  deps_.events->event(controller::EventSource{kEventSource, ""},
                      controller::reference_to(node, GroupVersionKind{"", "v1", "Node"}), type, reason,
                      message);
}

void RangeAllocator::node_status_change(const json::object& node, const std::string& status) {
  if (!deps_.events) return;
  const controller::EventSource source{kEventSource, ""};
  controller::record_node_status_change(*deps_.events, node, "Warning", status, &source);
}

}  // namespace ukube::controllers::nodeipam
