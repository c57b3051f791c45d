#include "policy_enforcer.h"

#include <spdlog/logger.h>

#include "policy_rules.h"

namespace ukube::network_policy {

namespace {

constexpr const char* kTableKey = "table";
constexpr auto kCacheWait = std::chrono::milliseconds(100);

std::vector<const boost::json::object*> objects(const std::vector<ObjectPtr>& list) {
  std::vector<const boost::json::object*> out;
  out.reserve(list.size());
  for (const auto& o : list)
    if (o) out.push_back(o.get());
  return out;
}

}  // namespace

PolicyEnforcer::PolicyEnforcer(Settings settings, std::shared_ptr<Informer> policies,
                               std::shared_ptr<Informer> pods, std::shared_ptr<Informer> namespaces,
                               runtime::node::NftApply apply, std::shared_ptr<spdlog::logger> log)
    : settings_(std::move(settings)),
      policies_(std::move(policies)),
      pods_(std::move(pods)),
      namespaces_(std::move(namespaces)),
      apply_(std::move(apply)),
      log_(std::move(log)) {
  loop_ = std::make_unique<controller::ReconcileLoop>(
      controller::LoopSettings{"network policies"}, [this](const std::string&) { return sync(); }, log_);
}

PolicyEnforcer::~PolicyEnforcer() {
  stop();
}

void PolicyEnforcer::start() {
  auto changed = [this] { loop_->add(kTableKey); };
  InformerHandlers handlers{[changed](const ObjectPtr&) { changed(); },
                            [changed](const ObjectPtr&, const ObjectPtr&) { changed(); },
                            [changed](const ObjectPtr&) { changed(); }};
  for (auto* informer : {policies_.get(), pods_.get(), namespaces_.get()})
    registrations_.push_back(informer->add_handlers(handlers));
  loop_->add(kTableKey);
  loop_->start();
}

void PolicyEnforcer::stop() {
  registrations_.clear();
  if (loop_) loop_->stop();
}

EnforcerStats PolicyEnforcer::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

controller::Result PolicyEnforcer::sync() {
  // A table from half-listed caches could drop allowed traffic, or let denied through.
  if (!policies_->has_synced() || !pods_->has_synced() || !namespaces_->has_synced())
    return controller::Result::requeue_after(kCacheWait);
  const auto now = std::chrono::steady_clock::now();
  if (now - last_sync_ < settings_.min_sync_period)
    return controller::Result::requeue_after(std::chrono::duration_cast<std::chrono::milliseconds>(
        settings_.min_sync_period - (now - last_sync_)));
  last_sync_ = now;
  const auto policies = policies_->list();
  const auto pods = pods_->list();
  const auto namespaces = namespaces_->list();
  PolicyTable table = policy_table({objects(policies), objects(pods), objects(namespaces)}, settings_.table,
                                   settings_.node_name);
  if (table.script == applied_) return controller::Result::done();
  try {
    apply_(table.script);
  } catch (const std::exception& e) {
    std::lock_guard lock(mutex_);
    ++stats_.failures;
    if (log_) log_->error("network policies: table ip {} not updated: {}", settings_.table, e.what());
    return controller::Result::retry();
  }
  applied_ = std::move(table.script);
  std::lock_guard lock(mutex_);
  ++stats_.syncs;
  stats_.isolated = table.isolated;
  stats_.rules = table.rules;
  if (log_)
    log_->debug("network policies: table ip {} holds {} isolated pod directions, {} rules", settings_.table,
                table.isolated, table.rules);
  return controller::Result::done();
}

}  // namespace ukube::network_policy
