#include "runtime/service.h"

#include <spdlog/logger.h>

#include <boost/json.hpp>

#include "model/parse.h"
#include "model/resources.h"

namespace ukube::scheduler {
using namespace resources;
namespace json = boost::json;
namespace {

const json::value* meta_field(const ObjectPtr& o, const char* key) {
  const auto* m = o->if_contains("metadata");
  return m && m->is_object() ? m->get_object().if_contains(key) : nullptr;
}

bool same(const json::value* a, const json::value* b) {
  return (!a && !b) || (a && b && *a == *b);
}

// What can change a pending pod's fate: not its status nor bookkeeping metadata.
bool pod_changed(const ObjectPtr& a, const ObjectPtr& b) {
  return !same(a->if_contains("spec"), b->if_contains("spec")) ||
         !same(meta_field(a, "labels"), meta_field(b, "labels")) ||
         !same(meta_field(a, "annotations"), meta_field(b, "annotations")) ||
         !same(meta_field(a, "deletionTimestamp"), meta_field(b, "deletionTimestamp"));
}

std::optional<int32_t> class_value(const ObjectPtr& pc) {
  const auto* v = pc ? pc->if_contains("value") : nullptr;
  if (v && v->is_int64()) return static_cast<int32_t>(v->get_int64());
  return std::nullopt;
}

}  // namespace

SchedulerService::SchedulerService(std::shared_ptr<Client> client, const Registry& registry,
                                   Settings settings, std::shared_ptr<spdlog::logger> log,
                                   InformerFactory* informers)
    : client_(std::move(client)), settings_(std::move(settings)), log_(std::move(log)) {
  if (!informers) {
    own_informers_ = std::make_unique<SharedInformerFactory>(client_);
    informers = own_informers_.get();
  }
  // What PodTopologySpread's default selector reads, and the budgets DefaultPreemption
  // weighs victims by.
  auto cached = InformerListers::spread_resources();
  cached.push_back(kPodDisruptionBudgets);
  listers_ = std::make_shared<InformerListers>(client_, std::move(cached), informers);
  settings_.scheduler.listers = listers_;
  scheduler_ = std::make_unique<Scheduler>(client_, registry, settings_.scheduler, log_);
  priority_classes_ = informers->informer(kPriorityClasses);
  namespaces_ = informers->informer(kNamespaces);
  nodes_ = informers->informer(kNodes);
  pods_ = informers->informer(kPods);

  priorities_.by_name = [this](const std::string& name) { return class_value(priority_classes_->get(name)); };
  priorities_.global_default = [this]() -> int32_t {
    for (const auto& pc : priority_classes_->list())
      if (const auto* g = pc->if_contains("globalDefault"); g && g->is_bool() && g->get_bool())
        return class_value(pc).value_or(0);
    return 0;
  };

  if (settings_.leader.enabled) {
    elector_ = std::make_unique<controller::LeaderElector>(
        client_, settings_.leader,
        controller::LeaderCallbacks{[this] {
                                      if (log_) log_->info("became the leader: scheduling");
                                      scheduler_->start(synced());
                                    },
                                    [this] {
                                      if (log_) log_->warn("lost the leader lease: scheduling stops");
                                      scheduler_->stop();
                                    }});
  }
}

SchedulerService::~SchedulerService() {
  stop();
}

void SchedulerService::start() {
  // Priorities must be known before the first pod is parsed.
  priority_classes_->wait_for_sync(std::chrono::seconds(30));
  add_handlers();
  if (elector_)
    elector_->start();
  else
    scheduler_->start(synced());
}

void SchedulerService::add_handlers() {
  if (!registrations_.empty()) return;
  Scheduler* s = scheduler_.get();
  registrations_.push_back(
      nodes_->add_handlers({[s](const ObjectPtr& o) { s->node_added(o); },
                            [s](const ObjectPtr& a, const ObjectPtr& b) { s->node_updated(a, b); },
                            [s](const ObjectPtr& o) { s->node_deleted(o); }}));
  registrations_.push_back(
      namespaces_->add_handlers({[s](const ObjectPtr& o) { s->namespace_set(o); },
                                 [s](const ObjectPtr&, const ObjectPtr& b) { s->namespace_set(b); },
                                 [s](const ObjectPtr& o) { s->namespace_deleted(o); }}));
  // Pods are parsed here, on the informer's thread, so the scheduling thread only ever
  // sees parsed pods.
  registrations_.push_back(
      pods_->add_handlers({[this, s](const ObjectPtr& o) { s->pod_added(parse_pod(o, &priorities_)); },
                           [this, s](const ObjectPtr& a, const ObjectPtr& b) {
                             s->pod_updated(parse_pod(b, &priorities_), pod_changed(a, b));
                           },
                           [this, s](const ObjectPtr& o) { s->pod_deleted(parse_pod(o, &priorities_)); }}));
}

std::function<bool()> SchedulerService::synced() const {
  return [this] { return wait_for_sync(std::chrono::milliseconds(0)); };
}

void SchedulerService::stop() {
  if (elector_) elector_->stop();
  scheduler_->stop();
  // The shared informers run on for other plugins; ours stop calling the Scheduler.
  registrations_.clear();
}

bool SchedulerService::wait_for_sync(std::chrono::milliseconds timeout) const {
  return pods_->wait_for_sync(timeout) && nodes_->wait_for_sync(timeout) &&
         namespaces_->wait_for_sync(timeout) && listers_->wait_for_sync(timeout);
}

}  // namespace ukube::scheduler
