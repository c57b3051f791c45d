#include "resource_quota.h"

#include <spdlog/logger.h>

#include <algorithm>
#include <set>

namespace ukube::admission {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kReadyWait = std::chrono::seconds(10);
constexpr auto kChargeTTL = std::chrono::seconds(10);
constexpr int kWriteRetries = 5;

// The quota's key for a resource: "pods", "deployments.apps".
std::string resource_key(const TypeInfo& type) {
  return type.group.empty() ? type.plural : type.plural + "." + type.group;
}
std::string resource_key(const GroupVersionResource& gvr) {
  return gvr.group.empty() ? gvr.resource : gvr.resource + "." + gvr.group;
}

ResourceList list_at(const json::object& o, std::initializer_list<std::string_view> path) {
  return parse_resource_list(object_at(o, path));
}

IndexFunc by_namespace() {
  return [](const json::object& o) { return std::vector<std::string>{namespace_of(o)}; };
}

// What one admitted request does to the quotas: the usage it adds, and the quotas' new
// status.used.
struct Charge {
  ResourceList delta;
  std::vector<std::pair<json::object, ResourceList>> updates;
};

// Upstream's CheckRequest against the quotas as they are now.
Charge check_request(const AdmissionRequest& r, const QuotaEvaluator& ev,
                     const std::vector<json::object>& quotas) {
  const json::object& object = *r.object;
  std::vector<const json::object*> interesting;
  for (const auto& q : quotas) {
    if (!ev.matches(q, object)) continue;
    ResourceList hard = list_at(q, {"status", "hard"});
    ResourceNames restricted = ev.matching(names_of(hard));
    std::string error = ev.constraints(restricted, object);
    if (!error.empty()) throw forbidden(r, "failed quota: " + name_of(q) + ": " + error, false);
    ResourceList used = list_at(q, {"status", "used"});
    for (const auto& [name, value] : hard)
      if (restricted.count(name) && !used.count(name))
        throw forbidden(
            r, "status unknown for quota: " + name_of(q) + ", resources: " + join_names(restricted), false);
    interesting.push_back(&q);
  }
  Charge charge;
  ResourceList delta = ev.usage(object);
  ResourceNames negative = negative_names(delta);
  if (!negative.empty())
    throw forbidden(r, "quota usage is negative for resource(s): " + join_names(negative), false);
  if (r.operation == AdmissionOperation::Update) {
    if (!r.old_object)
      throw forbidden(r, "unable to get previous usage since prior version of object was not found", false);
    // Only growth is charged on update.
    if (!meta_string(*r.old_object, "resourceVersion").empty())
      delta = subtract_non_negative(delta, ev.usage(*r.old_object));
  }
  charge.delta = remove_zeros(delta);
  if (charge.delta.empty()) return charge;
  for (const json::object* q : interesting) {
    ResourceList hard = list_at(*q, {"status", "hard"});
    ResourceList used = list_at(*q, {"status", "used"});
    ResourceList requested = mask(charge.delta, names_of(hard));
    ResourceList new_usage = add(used, requested);
    ResourceNames exceeded;
    if (!less_than_or_equal(mask(new_usage, names_of(requested)), hard, &exceeded))
      throw forbidden(r,
                      "exceeded quota: " + name_of(*q) +
                          ", requested: " + pretty_print(mask(requested, exceeded)) +
                          ", used: " + pretty_print(mask(used, exceeded)) +
                          ", limited: " + pretty_print(mask(hard, exceeded)),
                      false);
    if (!equal(new_usage, used)) charge.updates.emplace_back(*q, std::move(new_usage));
  }
  return charge;
}

}  // namespace

std::mutex& QuotaLedger::namespace_lock(const std::string& ns) {
  std::lock_guard lock(mutex_);
  auto& m = locks_[ns];
  if (!m) m = std::make_unique<std::mutex>();
  return *m;
}

void QuotaLedger::charge(const std::string& ns, Charge c) {
  std::lock_guard lock(mutex_);
  pending_[ns].push_back(std::move(c));
}

std::vector<QuotaLedger::Charge> QuotaLedger::pending(const std::string& ns) {
  std::lock_guard lock(mutex_);
  auto it = pending_.find(ns);
  if (it == pending_.end()) return {};
  auto now = Clock::now();
  auto& list = it->second;
  list.erase(std::remove_if(list.begin(), list.end(), [&](const Charge& c) { return c.at + ttl_ < now; }),
             list.end());
  return list;
}

void QuotaLedger::observed(const std::string& uid) {
  if (uid.empty()) return;
  std::lock_guard lock(mutex_);
  for (auto it = pending_.begin(); it != pending_.end();) {
    auto& list = it->second;
    list.erase(std::remove_if(list.begin(), list.end(), [&](const Charge& c) { return c.uid == uid; }),
               list.end());
    it = list.empty() ? pending_.erase(it) : std::next(it);
  }
}

ResourceQuotaAdmission::ResourceQuotaAdmission(std::shared_ptr<Client> client,
                                               std::shared_ptr<Informer> quotas,
                                               std::shared_ptr<QuotaLedger> ledger,
                                               std::function<void(const std::string&)> recount)
    : client_(std::move(client)),
      quotas_(std::move(quotas)),
      ledger_(std::move(ledger)),
      recount_(std::move(recount)) {}

void ResourceQuotaAdmission::validate(const AdmissionRequest& r) {
  if (!r.type || !r.object || !r.subresource.empty() || r.namespace_.empty() || quota_ignores(*r.type))
    return;
  auto ev = evaluator_for(*r.type);
  if (!ev->handles(r.operation)) return;
  if (!quotas_->wait_for_sync(kReadyWait)) throw forbidden(r, "not yet ready to handle request", false);
  std::vector<ObjectPtr> listed = quotas_->by_index("namespace", r.namespace_);
  if (listed.empty()) return;

  std::lock_guard lock(ledger_->namespace_lock(r.namespace_));
  std::set<std::string> charged;  // quotas already raised by an earlier attempt
  std::optional<ApiError> conflict;
  for (int attempt = 0; attempt < kWriteRetries; ++attempt) {
    // The quotas as stored, not as cached: a charge must build on the last one.
    std::vector<json::object> quotas;
    for (const auto& q : listed) {
      if (charged.count(name_of(*q))) continue;
      try {
        quotas.push_back(*client_->get(kResourceQuotas, r.namespace_, name_of(*q)));
      } catch (const ApiError& e) {
        if (!is_not_found(e)) throw ApiError::internal(e.what());
      }
    }
    Charge charge = check_request(r, *ev, quotas);
    if (charge.delta.empty() || r.dry_run) return;
    conflict.reset();
    for (auto& [quota, used] : charge.updates) {
      json::object updated = quota;
      child(updated, "status")["used"] = to_json(used);
      try {
        client_->update(kResourceQuotas, r.namespace_, updated, {}, "status");
        charged.insert(name_of(quota));
      } catch (const ApiError& e) {
        if (is_conflict(e))
          conflict = e;
        else if (!is_not_found(e))
          throw;
      }
    }
    if (conflict) continue;
    if (r.operation == AdmissionOperation::Create && !charged.empty()) {
      ledger_->charge(r.namespace_, {uid_of(*r.object), resource_key(*r.type),
                                     std::make_shared<const json::object>(*r.object), Clock::now()});
      // Should the object never be stored, the recount after the charge expires takes it back.
      if (recount_) recount_(r.namespace_);
    }
    return;
  }
  if (!charged.empty() && recount_) recount_(r.namespace_);
  throw *conflict;
}

QuotaReconciler::QuotaReconciler(std::shared_ptr<Client> client, TypeRegistry& types,
                                 InformerFactory& informers, std::shared_ptr<QuotaLedger> ledger,
                                 std::shared_ptr<spdlog::logger> log, Options options)
    : client_(std::move(client)),
      types_(types),
      factory_(informers),
      ledger_(std::move(ledger)),
      log_(log),
      options_(options),
      loop_(
          {"resource quota controller", 1, kAdmissionLoopLimits},
          [this](const std::string& ns) { return controller::Result::done_if(sync(ns)); }, log) {
  quotas_ = make_cache(kResourceQuotas);
  // The resources quotas commonly count have caches; any other is listed when counted.
  for (const auto& gvr :
       {kPods, kServices, kPersistentVolumeClaims, kConfigMaps, kSecrets, kReplicationControllers})
    if (types_.find(gvr)) informers_[resource_key(gvr)] = make_cache(gvr);
}

QuotaReconciler::Cache QuotaReconciler::make_cache(const GroupVersionResource& gvr) {
  Cache cache;
  cache.informer = factory_.informer(gvr);
  cache.index = cache.informer->add_indexer("namespace", by_namespace());
  return cache;
}

std::vector<const Informer*> QuotaReconciler::caches() {
  std::lock_guard lock(informers_mutex_);
  std::vector<const Informer*> out{quotas_.informer.get()};
  for (const auto& [key, cache] : informers_) out.push_back(cache.informer.get());
  return out;
}

QuotaReconciler::~QuotaReconciler() {
  stop();
}

bool QuotaReconciler::has_quotas(const std::string& ns) const {
  return !quotas_.informer->by_index("namespace", ns).empty();
}

InformerHandlers QuotaReconciler::quota_handlers() {
  return {[this](const ObjectPtr& q) { loop_.add(namespace_of(*q)); },
          [this](const ObjectPtr& old, const ObjectPtr& q) {
            // Its own status writes change nothing here; a new spec (or a stale status) does.
            bool spec_changed = value_at(*old, {"spec"}) == nullptr || value_at(*q, {"spec"}) == nullptr ||
                                *value_at(*old, {"spec"}) != *value_at(*q, {"spec"});
            if (spec_changed || !equal(list_at(*q, {"spec", "hard"}), list_at(*q, {"status", "hard"})) ||
                !object_at(*q, {"status", "used"}))
              loop_.add(namespace_of(*q));
          },
          nullptr};
}

InformerHandlers QuotaReconciler::object_handlers(const std::string& resource) {
  std::shared_ptr<const QuotaEvaluator> ev;
  for (const auto& type : types_.all())
    if (resource_key(*type) == resource) ev = evaluator_for(*type);
  return {[this](const ObjectPtr& o) { ledger_->observed(uid_of(*o)); },
          [this, ev](const ObjectPtr& old, const ObjectPtr& o) {
            // A pod that finishes, a service that changes type: usage moved.
            std::string ns = namespace_of(*o);
            if (ev && !equal(ev->usage(*old), ev->usage(*o)) && has_quotas(ns)) loop_.add(ns);
          },
          [this](const ObjectPtr& o) {
            std::string ns = namespace_of(*o);
            if (has_quotas(ns)) loop_.add(ns);
          }};
}

void QuotaReconciler::recount_later(const std::string& ns, std::chrono::milliseconds delay) {
  auto now = Clock::now();
  {
    std::lock_guard lock(later_mutex_);
    // One delayed recount per namespace and second at most: a burst of creates asks once,
    // and the last charge of a burst is still looked at after it expires.
    auto& due = later_[ns];
    if (due + std::chrono::seconds(1) > now + delay) return;
    due = now + delay;
  }
  loop_.add_after(ns, delay);
}

std::shared_ptr<Informer> QuotaReconciler::informer_for(const TypeInfo& type) {
  std::string key = resource_key(type);
  std::shared_ptr<Informer> informer;
  {
    std::lock_guard lock(informers_mutex_);
    if (auto it = informers_.find(key); it != informers_.end()) return it->second.informer;
    Cache cache = make_cache(type.gvr());
    if (handling_) cache.handlers = cache.informer->add_handlers(object_handlers(key));
    informer = cache.informer;
    informers_[key] = std::move(cache);
  }
  if (log_) log_->info("resource quota: watching {} to count it", key);
  return informer->wait_for_sync(kReadyWait) ? informer : nullptr;
}

void QuotaReconciler::start() {
  {
    std::lock_guard lock(informers_mutex_);
    handling_ = true;
    if (!quotas_.handlers.active()) quotas_.handlers = quotas_.informer->add_handlers(quota_handlers());
    for (auto& [key, cache] : informers_)
      if (!cache.handlers.active()) cache.handlers = cache.informer->add_handlers(object_handlers(key));
  }
  loop_.start();
  if (resync_.joinable()) return;
  stopping_ = false;
  resync_ = std::thread([this] {
    std::unique_lock lock(resync_mutex_);
    while (!resync_cv_.wait_for(lock, options_.resync, [this] { return stopping_; })) {
      std::set<std::string> namespaces;
      for (const auto& q : quotas_.informer->list()) namespaces.insert(namespace_of(*q));
      for (const auto& ns : namespaces) loop_.add(ns);
    }
  });
}

void QuotaReconciler::stop() {
  {
    std::lock_guard lock(resync_mutex_);
    stopping_ = true;
  }
  resync_cv_.notify_all();
  if (resync_.joinable()) resync_.join();
  loop_.stop();
  // The shared informers run on for other plugins; ours stop calling us.
  std::lock_guard lock(informers_mutex_);
  handling_ = false;
  quotas_.handlers.reset();
  for (auto& [key, cache] : informers_) cache.handlers.reset();
}

ResourceList QuotaReconciler::count_usage(const std::string& ns, const json::object& quota) {
  ResourceNames hard = names_of(list_at(quota, {"spec", "hard"}));
  auto scopes = quota_scopes(quota);
  // Charges first, caches second: an object the cache shows once its charge is gone.
  auto pending = ledger_->pending(ns);
  ResourceList used;
  std::set<std::string> seen;
  for (const auto& type : types_.all()) {
    if (quota_ignores(*type)) continue;
    std::string key = resource_key(*type);
    if (!seen.insert(key).second) continue;  // one version of each resource
    auto ev = evaluator_for(*type);
    ResourceNames matched = ev->matching(hard);
    if (matched.empty()) continue;
    for (const auto& name : matched) used.emplace(name, Quantity());
    std::vector<ObjectPtr> objects;
    if (auto informer = informer_for(*type))
      objects = informer->by_index("namespace", ns);
    else
      objects = client_->list(type->gvr(), ns).items;
    std::set<std::string> uids;
    auto count = [&](const json::object& o) {
      for (const auto& scope : scopes)
        if (!ev->matches_scope(scope, o)) return;
      add_into(used, mask(ev->usage(o), matched));
    };
    for (const auto& o : objects) {
      uids.insert(uid_of(*o));
      count(*o);
    }
    for (const auto& c : pending)
      if (c.resource == key && !uids.count(c.uid)) count(*c.object);
  }
  return used;
}

bool QuotaReconciler::sync(const std::string& ns) {
  std::vector<ObjectPtr> listed = quotas_.informer->by_index("namespace", ns);
  if (listed.empty()) return true;
  std::lock_guard lock(ledger_->namespace_lock(ns));
  bool done = true;
  bool counted_pending = !ledger_->pending(ns).empty();
  for (const auto& cached : listed) {
    ObjectPtr live;
    try {
      live = client_->get(kResourceQuotas, ns, name_of(*cached));
    } catch (const ApiError& e) {
      if (is_not_found(e)) continue;
      throw;
    }
    ResourceList hard = list_at(*live, {"spec", "hard"});
    ResourceList old_used = list_at(*live, {"status", "used"});
    ResourceList used = old_used;
    for (auto& [name, q] : count_usage(ns, *live)) used[name] = q;
    used = mask(used, names_of(hard));
    bool dirty = !object_at(*live, {"status", "hard"}) || !object_at(*live, {"status", "used"}) ||
                 !equal(list_at(*live, {"status", "hard"}), hard) || !equal(used, old_used);
    if (!dirty) continue;
    json::object updated = *live;
    updated["status"] = json::object{{"hard", to_json(hard)}, {"used", to_json(used)}};
    try {
      client_->update(kResourceQuotas, ns, updated, {}, "status");
    } catch (const ApiError& e) {
      if (is_conflict(e)) {
        done = false;  // admission or a user wrote it meanwhile: count again
        continue;
      }
      if (!is_not_found(e)) throw;
    }
  }
  // Charges not yet observed were counted: look again once they have been seen or expired.
  if (counted_pending)
    recount_later(ns, std::chrono::duration_cast<std::chrono::milliseconds>(ledger_->ttl()) +
                          std::chrono::milliseconds(500));
  return done;
}

ResourceQuotaPlugin::~ResourceQuotaPlugin() {
  stop();
}

void ResourceQuotaPlugin::init(InitContext& ctx) {
  log_ = ctx.logger();
  if (!ctx.types().find(kResourceQuotas))
    throw std::runtime_error(
        "resourcequotas are not a registered type; enable ukube.types.v1.builtin in the config");
  auto client = ctx.client(apiserver_identity());
  auto ledger = std::make_shared<QuotaLedger>(kChargeTTL);
  // The quota controller's upstream role is not bootstrapped here and kube-controller-
  // manager's may not write quota status: it acts as the API server.
  reconciler_ = std::make_shared<QuotaReconciler>(client, ctx.types(), ctx.informers(), ledger, log_,
                                                  QuotaReconciler::Options{});
  std::weak_ptr<QuotaReconciler> weak = reconciler_;
  join_chain(ctx, std::make_shared<ResourceQuotaAdmission>(
                      client, reconciler_->quotas(), ledger, [weak](const std::string& ns) {
                        if (auto r = weak.lock())
                          r->recount_later(ns, kChargeTTL + std::chrono::milliseconds(500));
                      }));
}

void ResourceQuotaPlugin::start() {
  for (const Informer* informer : reconciler_->caches())
    if (!informer->wait_for_sync(kReadyWait) && log_)
      log_->warn("resource quota: an informer has not listed yet");
  reconciler_->start();
}

void ResourceQuotaPlugin::stop_workers() {
  if (reconciler_) reconciler_->stop();
}

}  // namespace ukube::admission
