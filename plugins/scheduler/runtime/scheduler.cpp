#include "runtime/scheduler.h"

#include <spdlog/logger.h>

#include <algorithm>
#include <boost/json.hpp>

#include "runtime/fit_error.h"
#include "runtime/pod_writes.h"

namespace ukube::scheduler {

struct Scheduler::Event {
  enum class Kind {
    NodeAdd,
    NodeUpdate,
    NodeDelete,
    PodAdd,
    PodUpdate,
    PodDelete,
    NsSet,
    NsDelete,
    BindFailed
  };
  Event(Kind k, ObjectPtr o = nullptr) : kind(k), object(std::move(o)) {}
  Kind kind;
  ObjectPtr object;
  ObjectPtr old_object;            // NodeUpdate
  uint32_t actions = action::All;  // NodeUpdate: what changed
  bool changed = true;
  PodInfoPtr pod;
  // BindFailed
  std::string profile;
  std::string node;
  std::shared_ptr<CycleState> state;
  Status status;
};

namespace {

std::string name_of(const ObjectPtr& o) {
  const auto* meta = o ? o->if_contains("metadata") : nullptr;
  const auto* name = meta && meta->is_object() ? meta->get_object().if_contains("name") : nullptr;
  return name && name->is_string() ? std::string(name->get_string()) : std::string();
}

// What a node update changed, in the terms plugins register for; 0 when nothing a
// pending pod could care about (heartbeats, other status).
uint32_t node_update_actions(const ObjectPtr& a, const ObjectPtr& b) {
  if (!a || !b) return action::Update;
  auto field = [](const ObjectPtr& o, const char* top, const char* key) -> const boost::json::value* {
    const auto* t = o->if_contains(top);
    return t && t->is_object() ? t->get_object().if_contains(key) : nullptr;
  };
  auto differs = [&](const char* top, const char* key) {
    const auto* x = field(a, top, key);
    const auto* y = field(b, top, key);
    return !((!x && !y) || (x && y && *x == *y));
  };
  uint32_t actions = 0;
  if (differs("metadata", "labels")) actions |= action::UpdateNodeLabel;
  if (differs("metadata", "annotations")) actions |= action::UpdateNodeAnnotation;
  // A cordon is a taint to the scheduler, as upstream counts it.
  if (differs("spec", "taints") || differs("spec", "unschedulable")) actions |= action::UpdateNodeTaint;
  if (differs("status", "allocatable")) actions |= action::UpdateNodeAllocatable;
  if (differs("status", "conditions")) actions |= action::UpdateNodeCondition;
  if (differs("status", "images")) actions |= action::UpdateOther;
  return actions;
}

bool smaller(const Resources& now, const Resources& before) {
  if (now.milli_cpu < before.milli_cpu || now.memory < before.memory ||
      now.ephemeral_storage < before.ephemeral_storage)
    return true;
  for (const auto& [name, amount] : before.scalars)
    if (now.scalar(name) < amount) return true;
  return false;
}

// What an update of a bound pod changed, for the pods waiting on it.
uint32_t assigned_pod_update_actions(const PodInfo& before, const PodInfo& now) {
  uint32_t actions = 0;
  if (before.labels.entries() != now.labels.entries()) actions |= action::UpdatePodLabel;
  if (smaller(now.requests, before.requests)) actions |= action::UpdatePodScaleDown;
  return actions ? actions : action::UpdateOther;
}

}  // namespace

Scheduler::Scheduler(std::shared_ptr<Client> client, const Registry& registry, SchedulerSettings settings,
                     std::shared_ptr<spdlog::logger> log)
    : client_(std::move(client)), settings_(std::move(settings)), log_(std::move(log)) {
  if (settings_.profiles.empty()) throw std::invalid_argument("at least one profile is needed");
  // One recorder for every profile; each reports under its own scheduler name.
  controller::RecorderSettings events;
  events.source.component = settings_.profiles.front().scheduler_name;
  events_ = std::make_unique<controller::EventRecorder>(client_, std::move(events), log_);
  const QueueSortPlugin* sort = nullptr;
  for (const auto& spec : settings_.profiles) {
    if (profiles_.count(spec.scheduler_name))
      throw std::invalid_argument("two profiles are named " + spec.scheduler_name);
    Framework::Services services;
    services.snapshot = &cache_;
    services.client = client_.get();
    services.nominated_pods = [this](const std::string& node) { return queue_->nominated_pods(node); };
    services.listers = settings_.listers.get();
    // Preemption's evictions and un-nominations.
    services.clear_nomination = [this](const std::string& uid) { queue_->unnominate(uid); };
    services.run_async = [this](std::function<void()> task) { writers_->post(std::move(task)); };
    services.events = events_.get();
    auto fw = std::make_unique<Framework>(spec, registry, std::move(services));
    // One queue serves every profile, so they must agree on its order.
    if (!sort)
      sort = fw->queue_sort();
    else if (fw->queue_sort()->name() != sort->name())
      throw std::invalid_argument("profile " + spec.scheduler_name + " uses queueSort " +
                                  fw->queue_sort()->name() + " but another profile uses " + sort->name() +
                                  "; all profiles must share one");
    profiles_[spec.scheduler_name] = std::move(fw);
  }
  queue_ = std::make_unique<SchedulingQueue>(sort, settings_.queue);
  writers_ = std::make_unique<controller::WorkerPool>(settings_.write_workers);
}

Scheduler::~Scheduler() {
  stop();
  writers_->stop(controller::WorkerPool::Queued::Run);
}

Framework* Scheduler::framework(const std::string& name) {
  auto it = profiles_.find(name);
  return it == profiles_.end() ? nullptr : it->second.get();
}

void Scheduler::post(Event event) {
  bool wake;
  {
    std::lock_guard lock(inbox_mutex_);
    // The loop only sleeps on an empty inbox, so only the first event needs to wake it.
    wake = inbox_.empty();
    inbox_.push_back(std::move(event));
  }
  if (wake) inbox_cv_.notify_one();
}

void Scheduler::node_added(ObjectPtr node) {
  post({Event::Kind::NodeAdd, std::move(node)});
}
void Scheduler::node_updated(ObjectPtr old_node, ObjectPtr node) {
  Event e{Event::Kind::NodeUpdate, std::move(node)};
  e.actions = node_update_actions(old_node, e.object);
  e.old_object = std::move(old_node);
  post(std::move(e));
}
void Scheduler::node_deleted(ObjectPtr node) {
  post({Event::Kind::NodeDelete, std::move(node)});
}
void Scheduler::pod_added(PodInfoPtr pod) {
  Event e{Event::Kind::PodAdd};
  e.pod = std::move(pod);
  post(std::move(e));
}
void Scheduler::pod_updated(PodInfoPtr pod, bool changed) {
  Event e{Event::Kind::PodUpdate};
  e.pod = std::move(pod);
  e.changed = changed;
  post(std::move(e));
}
void Scheduler::pod_deleted(PodInfoPtr pod) {
  Event e{Event::Kind::PodDelete};
  e.pod = std::move(pod);
  post(std::move(e));
}
void Scheduler::namespace_set(ObjectPtr ns) {
  post({Event::Kind::NsSet, std::move(ns)});
}
void Scheduler::namespace_deleted(ObjectPtr ns) {
  post({Event::Kind::NsDelete, std::move(ns)});
}

void Scheduler::apply(Event& e) {
  using K = Event::Kind;
  switch (e.kind) {
    case K::NodeAdd:
      cache_.add_node(e.object);
      cluster_event({EventResource::Node, action::Add},
                    {nullptr, e.object, nullptr, nullptr, node_of(e.object)});
      break;
    case K::NodeUpdate:
      cache_.update_node(e.object);
      if (e.actions)
        cluster_event({EventResource::Node, e.actions},
                      {e.old_object, e.object, nullptr, nullptr, node_of(e.object)});
      break;
    case K::NodeDelete:
      cache_.remove_node(name_of(e.object));
      cluster_event({EventResource::Node, action::Delete}, {e.object, nullptr});
      break;
    case K::PodAdd:
    case K::PodUpdate: {
      const PodInfo& pod = *e.pod;
      if (!pod.node_name.empty()) {
        queue_->remove(pod.uid);
        PodInfoPtr before = cache_.pod(pod.uid);
        if (pod.terminal) {
          // A finished pod no longer uses its node.
          if (before) {
            cache_.remove_pod(pod.uid);
            cluster_event({EventResource::AssignedPod, action::Delete},
                          {before->object, nullptr, before.get(), nullptr});
          }
          break;
        }
        // A binding of ours being confirmed is the pod's arrival for everyone else.
        const bool arrived = !before || cache_.is_assumed(pod.uid);
        if (!arrived && !e.changed && cache_.refresh_bound_pod(e.pod)) break;
        cache_.add_pod(e.pod);
        if (arrived)
          cluster_event({EventResource::AssignedPod, action::Add}, {nullptr, pod.object, nullptr, &pod});
        else if (e.changed)
          cluster_event({EventResource::AssignedPod, assigned_pod_update_actions(*before, pod)},
                        {before->object, pod.object, before.get(), &pod});
        break;
      }
      if (cache_.is_assumed(pod.uid)) break;  // its binding is being written
      if (!responsible_for(pod) || pod.terminal) break;
      if (pod.terminating) {
        queue_->remove(pod.uid);
        break;
      }
      if (e.kind == K::PodAdd || e.changed || !queue_->contains(pod.uid))
        queue_->add_or_update(e.pod);
      else
        queue_->refresh(e.pod);
      break;
    }
    case K::PodDelete:
      queue_->remove(e.pod->uid);
      if (cache_.is_assumed(e.pod->uid)) {
        // Bindings that succeeded leave their uid here; a bound keeps the set small.
        if (deleted_while_binding_.size() > 4096) deleted_while_binding_.clear();
        deleted_while_binding_.insert(e.pod->uid);
      }
      if (PodInfoPtr before = cache_.pod(e.pod->uid)) {
        cache_.remove_pod(e.pod->uid);
        cluster_event({EventResource::AssignedPod, action::Delete},
                      {before->object, nullptr, before.get(), nullptr});
      }
      break;
    case K::NsSet: {
      const auto* meta = e.object->if_contains("metadata");
      const auto* labels = meta && meta->is_object() ? meta->get_object().if_contains("labels") : nullptr;
      std::vector<Labels::Entry> entries;
      if (labels && labels->is_object())
        for (const auto& [k, v] : labels->get_object())
          entries.emplace_back(std::string(k), v.is_string() ? std::string(v.get_string()) : std::string());
      cache_.set_namespace(name_of(e.object), Labels(std::move(entries)));
      break;
    }
    case K::NsDelete: cache_.remove_namespace(name_of(e.object)); break;
    case K::BindFailed: {
      Framework* fw = framework(e.profile);
      cache_.forget(e.pod->uid);
      if (fw) fw->run_unreserve(*e.state, *e.pod, e.node);
      queue_->move_all_unschedulable();
      // Back into the queue unless the pod got bound or deleted meanwhile. (Deleted
      // after this point, its delete event takes it out of the queue again.)
      if (deleted_while_binding_.erase(e.pod->uid) == 0 && !cache_.pod(e.pod->uid))
        queue_->add_or_update(e.pod);
      break;
    }
  }
}

const NodeInfo* Scheduler::node_of(const ObjectPtr& node) const {
  return cache_.find(name_of(node));
}

void Scheduler::cluster_event(const ClusterEvent& event, const ClusterEventObjects& objects) {
  queue_->move_unschedulable_if([&](const PodInfo& pod, const std::vector<std::string>& plugins) {
    const auto it = profiles_.find(pod.scheduler_name);
    return it == profiles_.end() || it->second->event_interest().may_help(pod, plugins, event, objects);
  });
}

void Scheduler::process_events() {
  {
    std::lock_guard lock(inbox_mutex_);
    draining_.swap(inbox_);
  }
  for (auto& e : draining_) apply(e);
  draining_.clear();
}

void Scheduler::start(std::function<bool()> caches_synced) {
  if (running_.exchange(true)) return;
  caches_synced_ = std::move(caches_synced);
  thread_ = std::thread([this] { loop(); });
}

void Scheduler::stop() {
  if (!running_.exchange(false)) return;
  inbox_cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  writers_->drain();
}

void Scheduler::wait_for_writes() {
  writers_->drain();
}

void Scheduler::loop() {
  const auto began = std::chrono::steady_clock::now();
  auto next_note = began + std::chrono::seconds(10);
  while (running_ && caches_synced_ && !caches_synced_()) {
    process_events();
    if (log_ && std::chrono::steady_clock::now() >= next_note) {
      log_->warn(
          "scheduling waits for its caches to sync ({} s so far): check that the scheduler may list "
          "and watch pods, nodes and namespaces",
          std::chrono::duration_cast<std::chrono::seconds>(next_note - began).count());
      next_note += std::chrono::seconds(10);
    }
    std::unique_lock lock(inbox_mutex_);
    inbox_cv_.wait_for(lock, std::chrono::milliseconds(20), [&] { return !running_; });
  }
  while (running_) {
    process_events();
    queue_->flush();
    if (schedule_one()) continue;
    std::unique_lock lock(inbox_mutex_);
    auto wake = queue_->next_wakeup();
    auto until = std::chrono::steady_clock::now() + std::chrono::seconds(1);
    if (wake && *wake < until) until = *wake;
    inbox_cv_.wait_until(lock, until, [&] { return !inbox_.empty() || !running_; });
  }
}

bool Scheduler::schedule_one() {
  auto popped = queue_->pop();
  if (!popped) return false;
  ++attempts;
  const auto start = std::chrono::steady_clock::now();
  schedule(*popped);
  cycle_nanos += static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start).count());
  return true;
}

size_t Scheduler::feasible_to_find(const Framework& fw, size_t all) const {
  constexpr size_t kMinFeasible = 100;
  if (all < kMinFeasible) return all;
  int32_t pct = fw.percentage_of_nodes_to_score() >= 0 ? fw.percentage_of_nodes_to_score()
                                                       : settings_.percentage_of_nodes_to_score;
  if (pct >= 100) return all;
  if (pct <= 0) {
    // Large clusters score a smaller share, down to 5%.
    pct = 50 - static_cast<int32_t>(all / 125);
    if (pct < 5) pct = 5;
  }
  size_t n = all * static_cast<size_t>(pct) / 100;
  return std::max(n, kMinFeasible);
}

void Scheduler::find_feasible(Framework& fw, const CycleState& state, const PodInfo& pod,
                              const PreFilterResult& pre) {
  feasible_.clear();
  const auto& nodes = cache_.nodes();
  if (statuses_.size() < nodes.size()) statuses_.resize(nodes.size());
  for (int32_t i : touched_)
    if (i < static_cast<int32_t>(statuses_.size())) statuses_[i] = Status();
  touched_.clear();
  const bool nominations = !queue_->nominated_pods_empty();
  auto check = [&](const NodeInfo& node) {
    Status s =
        nominations ? fw.run_filters_with_nominated(state, pod, node) : fw.run_filters(state, pod, node);
    if (s.ok()) {
      feasible_.push_back(&node);
    } else {
      statuses_[node.index] = std::move(s);
      touched_.push_back(node.index);
    }
  };
  if (!pre.all_nodes) {
    for (const auto& name : pre.node_names)
      if (const NodeInfo* n = cache_.find(name)) check(*n);
    return;
  }
  const size_t all = nodes.size();
  if (all == 0) return;
  const size_t want = feasible_to_find(fw, all);
  size_t processed = 0;
  for (; processed < all && feasible_.size() < want; ++processed)
    check(*nodes[(next_start_ + processed) % all]);
  // The next pod starts where this one stopped, so every node gets its turn.
  next_start_ = (next_start_ + processed) % all;
}

const NodeInfo* Scheduler::select_host(const std::vector<int64_t>& totals) {
  const NodeInfo* best = nullptr;
  int64_t best_score = 0;
  uint32_t ties = 0;
  for (size_t i = 0; i < feasible_.size(); ++i) {
    if (!best || totals[i] > best_score) {
      best = feasible_[i];
      best_score = totals[i];
      ties = 1;
    } else if (totals[i] == best_score) {
      // Reservoir sampling: each tied node is picked with equal chance.
      if (rng_() % ++ties == 0) best = feasible_[i];
    }
  }
  return best;
}

void Scheduler::schedule(const SchedulingQueue::Popped& popped) {
  const PodInfoPtr& pod = popped.pod;
  Framework* fw = framework(pod->scheduler_name);
  if (!fw || pod->terminating) {
    queue_->done(pod->uid);
    return;
  }
  cache_.refresh();
  auto state = std::make_shared<CycleState>();
  PreFilterResult pre;
  Status s = fw->run_pre_filter(*state, *pod, pre);
  if (!s.ok()) {
    Diagnosis d;
    d.num_nodes = cache_.nodes().size();
    d.pre_filter_message = s.message();
    fail(popped, *fw, s, fit_error_message(d), "");
    return;
  }
  find_feasible(*fw, *state, *pod, pre);
  if (feasible_.empty()) {
    Diagnosis d;
    d.num_nodes = cache_.nodes().size();
    d.statuses = &statuses_;
    std::string nominated;
    if (fw->has_post_filter()) {
      PostFilterResult result;
      Status post = fw->run_post_filter(*state, *pod, statuses_, result);
      if (!post.reasons().empty()) d.post_filter_message = post.message();
      nominated = result.nominated_node;
    }
    fail(popped, *fw, Status::unschedulable("no fit"), fit_error_message(d), nominated);
    return;
  }

  const NodeInfo* host = feasible_.front();
  if (feasible_.size() > 1) {
    s = fw->run_pre_score(*state, *pod, feasible_);
    if (s.ok()) s = fw->run_score(*state, *pod, feasible_, totals_);
    if (!s.ok()) {
      fail(popped, *fw, s, "running " + s.plugin() + ": " + s.message(), "");
      return;
    }
    host = select_host(totals_);
  }
  const std::string node = host->name;

  cache_.assume(pod, node);
  s = fw->run_reserve(*state, *pod, node);
  if (s.ok()) s = fw->run_permit(*state, *pod, node);
  if (!s.ok() && !s.is_wait()) {
    fw->run_unreserve(*state, *pod, node);
    cache_.forget(pod->uid);
    fail(popped, *fw, s, "running " + s.plugin() + " plugin: " + s.message(), "");
    return;
  }
  queue_->done(pod->uid);
  bind_async(*fw, std::move(state), cache_.pod(pod->uid), s.is_wait(), has_pod_scheduled_false(*pod));
}

void Scheduler::bind_async(Framework& fw, std::shared_ptr<CycleState> state, PodInfoPtr assumed, bool waiting,
                           bool was_unschedulable) {
  writers_->post(
      [this, &fw, state = std::move(state), assumed = std::move(assumed), waiting, was_unschedulable] {
        const std::string& node = assumed->node_name;
        Status s = waiting ? fw.wait_on_permit(*assumed) : Status();
        if (s.ok()) s = fw.run_pre_bind(*state, *assumed, node);
        if (s.ok()) s = fw.run_bind(*state, *assumed, node);
        if (s.ok()) {
          fw.run_post_bind(*state, *assumed, node);
          ++bound;
          if (was_unschedulable) write_scheduled_status(*client_, *assumed);
          if (settings_.scheduled_events)
            fw.record_event(*assumed, "Normal", "Scheduled",
                            "Successfully assigned " + assumed->key() + " to " + node);
          return;
        }
        ++failures;
        if (log_) log_->info("binding {} to {} failed: {}", assumed->key(), node, s.message());
        fw.record_event(*assumed, "Warning", "FailedScheduling", "Binding rejected: " + s.message());
        Event e{Event::Kind::BindFailed};
        auto original = std::make_shared<PodInfo>(*assumed);
        original->node_name.clear();
        e.pod = std::move(original);
        e.profile = fw.scheduler_name();
        e.node = node;
        e.state = state;
        e.status = s;
        post(std::move(e));
      });
}

std::vector<std::string> Scheduler::rejecting_plugins(const Status& status) const {
  if (!status.plugin().empty()) return {status.plugin()};
  // No node fitted: every plugin that turned a node down.
  std::vector<std::string> names;
  for (int32_t i : touched_) {
    const std::string& name = statuses_[i].plugin();
    if (!name.empty() && std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
  }
  return names;
}

void Scheduler::fail(const SchedulingQueue::Popped& popped, Framework& fw, const Status& status,
                     std::string message, const std::string& nominated) {
  ++failures;
  if (status.code() == Code::Error)
    queue_->requeue_backoff(popped);
  else
    queue_->requeue_unschedulable(popped, rejecting_plugins(status));
  PodInfoPtr pod = popped.pod;
  if (!nominated.empty()) queue_->nominate(pod, nominated);
  if (log_) log_->debug("unable to schedule {}: {}", pod->key(), message);
  FailureWrite w;
  w.reason = status.code() == Code::Error ? "SchedulerError" : "Unschedulable";
  w.message = std::move(message);
  w.nominated_node = nominated;
  writers_->post([this, pod, w, &fw] {
    try {
      if (write_unschedulable_status(*client_, *pod, w))
        fw.record_event(*pod, "Warning", "FailedScheduling", w.message);
    } catch (const std::exception& e) {
      if (log_) log_->warn("cannot record the scheduling failure of {}: {}", pod->key(), e.what());
    }
  });
}

}  // namespace ukube::scheduler
