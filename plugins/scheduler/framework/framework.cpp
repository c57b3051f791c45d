#include "framework/framework.h"

#include <algorithm>
#include <stdexcept>

#include "model/node_accounting.h"
#include "runtime/pod_writes.h"

namespace ukube::scheduler {
namespace {

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ", ") + i;
  return out;
}

bool implements(FrameworkPlugin* p, Point point) {
  switch (point) {
    case Point::QueueSort: return dynamic_cast<QueueSortPlugin*>(p);
    case Point::PreFilter: return dynamic_cast<PreFilterPlugin*>(p);
    case Point::Filter: return dynamic_cast<FilterPlugin*>(p);
    case Point::PostFilter: return dynamic_cast<PostFilterPlugin*>(p);
    case Point::PreScore: return dynamic_cast<PreScorePlugin*>(p);
    case Point::Score: return dynamic_cast<ScorePlugin*>(p);
    case Point::Reserve: return dynamic_cast<ReservePlugin*>(p);
    case Point::Permit: return dynamic_cast<PermitPlugin*>(p);
    case Point::PreBind: return dynamic_cast<PreBindPlugin*>(p);
    case Point::Bind: return dynamic_cast<BindPlugin*>(p);
    case Point::PostBind: return dynamic_cast<PostBindPlugin*>(p);
  }
  return false;
}

void apply(std::vector<PluginRef>& list, const PluginSetSpec& set) {
  for (const auto& d : set.disabled) {
    if (d == "*") {
      list.clear();
      break;
    }
    std::erase_if(list, [&](const PluginRef& r) { return r.name == d; });
  }
  for (const auto& e : set.enabled) {
    auto it = std::find_if(list.begin(), list.end(), [&](const PluginRef& r) { return r.name == e.name; });
    if (it == list.end())
      list.push_back(e);
    else if (e.weight)
      it->weight = e.weight;
  }
}

}  // namespace

Framework::Framework(const ProfileSpec& spec, const Registry& registry, Services services)
    : name_(spec.scheduler_name),
      percentage_(spec.percentage_of_nodes_to_score),
      services_(std::move(services)) {
  const std::string where = "profile " + name_ + ": ";
  std::map<std::string, FrameworkPlugin*> instances;
  auto instance = [&](const std::string& plugin) -> FrameworkPlugin* {
    if (auto it = instances.find(plugin); it != instances.end()) return it->second;
    const FrameworkPluginCreate* create = registry.find(plugin);
    if (!create)
      throw std::invalid_argument(where + "unknown plugin \"" + plugin +
                                  "\" (known plugins: " + join(registry.names()) + ")");
    static const boost::json::object kNoArgs;
    auto args = spec.args.find(plugin);
    std::unique_ptr<FrameworkPlugin> made;
    try {
      made = (*create)(args == spec.args.end() ? kNoArgs : args->second, *this);
    } catch (const std::exception& e) {
      throw std::invalid_argument(where + "plugin " + plugin + ": " + e.what());
    }
    if (!made) throw std::invalid_argument(where + "plugin " + plugin + ": its factory returned nothing");
    FrameworkPlugin* raw = made.get();
    event_interest_.add(*raw);
    owned_.push_back(std::move(made));
    instances[plugin] = raw;
    return raw;
  };
  for (const auto& [plugin, args] : spec.args)
    if (!registry.find(plugin))
      throw std::invalid_argument(where + "pluginConfig names unknown plugin \"" + plugin + "\"");

  std::vector<PluginRef> multi = default_plugins();
  apply(multi, spec.multi_point);

  for (size_t p = 0; p < kPointCount; ++p) {
    Point point = static_cast<Point>(p);
    std::vector<PluginRef> list;
    for (const auto& ref : multi)
      if (implements(instance(ref.name), point)) list.push_back(ref);
    apply(list, spec.points[p]);
    for (const auto& ref : list) {
      FrameworkPlugin* plugin = instance(ref.name);
      if (!implements(plugin, point))
        throw std::invalid_argument(where + "plugin " + ref.name + " does not implement the " +
                                    to_string(point) + " extension point");
      switch (point) {
        case Point::QueueSort:
          if (queue_sort_) throw std::invalid_argument(where + "only one queueSort plugin may be enabled");
          queue_sort_ = dynamic_cast<QueueSortPlugin*>(plugin);
          break;
        case Point::PreFilter: pre_filter_.push_back(dynamic_cast<PreFilterPlugin*>(plugin)); break;
        case Point::Filter:
          filter_.push_back(dynamic_cast<FilterPlugin*>(plugin));
          filter_names_.push_back(ref.name);
          break;
        case Point::PostFilter: post_filter_.push_back(dynamic_cast<PostFilterPlugin*>(plugin)); break;
        case Point::PreScore: pre_score_.push_back(dynamic_cast<PreScorePlugin*>(plugin)); break;
        case Point::Score:
          score_.push_back(dynamic_cast<ScorePlugin*>(plugin));
          score_names_.push_back(ref.name);
          score_weights_.push_back(ref.weight > 0 ? ref.weight : 1);
          break;
        case Point::Reserve: reserve_.push_back(dynamic_cast<ReservePlugin*>(plugin)); break;
        case Point::Permit: permit_.push_back(dynamic_cast<PermitPlugin*>(plugin)); break;
        case Point::PreBind: pre_bind_.push_back(dynamic_cast<PreBindPlugin*>(plugin)); break;
        case Point::Bind: bind_.push_back(dynamic_cast<BindPlugin*>(plugin)); break;
        case Point::PostBind: post_bind_.push_back(dynamic_cast<PostBindPlugin*>(plugin)); break;
      }
    }
  }
  if (!queue_sort_) throw std::invalid_argument(where + "no queueSort plugin is enabled");
  if (bind_.empty()) throw std::invalid_argument(where + "no bind plugin is enabled");
  if (filter_.size() > 64 || score_.size() > 64)
    throw std::invalid_argument(where + "at most 64 filter and 64 score plugins are supported");

  auto index_of = [](const auto& list, FrameworkPlugin* p) {
    for (size_t i = 0; i < list.size(); ++i)
      if (dynamic_cast<FrameworkPlugin*>(list[i]) == p) return static_cast<int>(i);
    return -1;
  };
  for (auto* p : pre_filter_) pre_filter_to_filter_.push_back(index_of(filter_, p));
  for (auto* p : pre_score_) pre_score_to_score_.push_back(index_of(score_, p));
}

Framework::~Framework() = default;

std::vector<std::string> Framework::plugins_at(Point point) const {
  std::vector<std::string> out;
  auto names = [&](const auto& list) {
    for (auto* p : list) out.push_back(dynamic_cast<const FrameworkPlugin*>(p)->name());
  };
  switch (point) {
    case Point::QueueSort:
      if (queue_sort_) out.push_back(queue_sort_->name());
      break;
    case Point::PreFilter: names(pre_filter_); break;
    case Point::Filter: names(filter_); break;
    case Point::PostFilter: names(post_filter_); break;
    case Point::PreScore: names(pre_score_); break;
    case Point::Score: names(score_); break;
    case Point::Reserve: names(reserve_); break;
    case Point::Permit: names(permit_); break;
    case Point::PreBind: names(pre_bind_); break;
    case Point::Bind: names(bind_); break;
    case Point::PostBind: names(post_bind_); break;
  }
  return out;
}

Status Framework::run_pre_filter(CycleState& state, const PodInfo& pod, PreFilterResult& result) {
  state.skip_filter = 0;
  for (size_t i = 0; i < pre_filter_.size(); ++i) {
    PreFilterResult r;
    Status s = pre_filter_[i]->pre_filter(state, pod, r);
    if (s.is_skip()) {
      if (pre_filter_to_filter_[i] >= 0) state.skip_filter |= uint64_t{1} << pre_filter_to_filter_[i];
      continue;
    }
    if (!s.ok()) {
      if (s.code() == Code::Error) return s.with_plugin(pre_filter_[i]->name());
      // A PreFilter rejection holds for every node: preemption cannot help.
      return Status(Code::UnschedulableAndUnresolvable, s.reasons()).with_plugin(pre_filter_[i]->name());
    }
    if (!r.all_nodes) {
      if (result.all_nodes) {
        result = std::move(r);
      } else {
        std::erase_if(result.node_names, [&](const std::string& n) {
          return std::find(r.node_names.begin(), r.node_names.end(), n) == r.node_names.end();
        });
      }
      if (result.node_names.empty())
        return Status::unresolvable("node(s) didn't satisfy plugin(s) [" + pre_filter_[i]->name() + "]")
            .with_plugin(pre_filter_[i]->name());
    }
  }
  return {};
}

Status Framework::run_filters(const CycleState& state, const PodInfo& pod, const NodeInfo& node) {
  for (size_t i = 0; i < filter_.size(); ++i) {
    if (state.skip_filter & (uint64_t{1} << i)) continue;
    Status s = filter_[i]->filter(state, pod, node);
    if (!s.ok()) return s.with_plugin(filter_names_[i]);
  }
  return {};
}

Status Framework::run_post_filter(CycleState& state, const PodInfo& pod, const NodeStatuses& statuses,
                                  PostFilterResult& result) {
  Status last = Status::unschedulable("no postFilter plugin");
  for (auto* p : post_filter_) {
    Status s = p->post_filter(state, pod, statuses, result);
    if (s.ok() || s.code() == Code::Error) return s.with_plugin(p->name());
    last = std::move(s);
    last.with_plugin(p->name());
  }
  return last;
}

Status Framework::run_pre_score(CycleState& state, const PodInfo& pod,
                                std::span<const NodeInfo* const> nodes) {
  state.skip_score = 0;
  for (size_t i = 0; i < pre_score_.size(); ++i) {
    Status s = pre_score_[i]->pre_score(state, pod, nodes);
    if (s.is_skip()) {
      if (pre_score_to_score_[i] >= 0) state.skip_score |= uint64_t{1} << pre_score_to_score_[i];
      continue;
    }
    if (!s.ok()) return s.with_plugin(pre_score_[i]->name());
  }
  return {};
}

Status Framework::run_score(const CycleState& state, const PodInfo& pod,
                            std::span<const NodeInfo* const> nodes, std::vector<int64_t>& totals) {
  totals.assign(nodes.size(), 0);
  scratch_.resize(nodes.size());
  for (size_t i = 0; i < score_.size(); ++i) {
    if (state.skip_score & (uint64_t{1} << i)) continue;
    ScorePlugin* plugin = score_[i];
    for (size_t n = 0; n < nodes.size(); ++n) {
      scratch_[n].node = nodes[n];
      scratch_[n].score = 0;
      Status s = plugin->score(state, pod, *nodes[n], scratch_[n].score);
      if (!s.ok()) return s.with_plugin(score_names_[i]);
    }
    Status s = plugin->normalize(state, pod, std::span<NodeScore>(scratch_.data(), nodes.size()));
    if (!s.ok()) return s.with_plugin(score_names_[i]);
    const int64_t weight = score_weights_[i];
    for (size_t n = 0; n < nodes.size(); ++n) totals[n] += scratch_[n].score * weight;
  }
  return {};
}

Status Framework::run_reserve(CycleState& state, const PodInfo& pod, const std::string& node) {
  for (auto* p : reserve_) {
    Status s = p->reserve(state, pod, node);
    if (!s.ok()) return s.with_plugin(p->name());
  }
  return {};
}

void Framework::run_unreserve(CycleState& state, const PodInfo& pod, const std::string& node) {
  for (auto it = reserve_.rbegin(); it != reserve_.rend(); ++it) (*it)->unreserve(state, pod, node);
}

Status Framework::run_permit(CycleState& state, const PodInfo& pod, const std::string& node) {
  std::vector<std::string> waiting_on;
  std::chrono::milliseconds longest{0};
  for (auto* p : permit_) {
    std::chrono::milliseconds timeout{0};
    Status s = p->permit(state, pod, node, timeout);
    if (s.is_wait()) {
      waiting_on.push_back(p->name());
      longest = std::max(longest, std::min(timeout, std::chrono::milliseconds(15 * 60 * 1000)));
      continue;
    }
    if (!s.ok()) {
      if (s.code() == Code::Error) return s.with_plugin(p->name());
      return Status(Code::Unschedulable, s.reasons()).with_plugin(p->name());
    }
  }
  if (waiting_on.empty()) return {};
  auto w = std::make_shared<Waiting>();
  w->pending = std::move(waiting_on);
  w->deadline = std::chrono::steady_clock::now() + longest;
  std::lock_guard lock(waiting_mutex_);
  waiting_[pod.uid] = std::move(w);
  return Status::wait();
}

Status Framework::wait_on_permit(const PodInfo& pod) {
  std::shared_ptr<Waiting> w;
  {
    std::lock_guard lock(waiting_mutex_);
    auto it = waiting_.find(pod.uid);
    if (it == waiting_.end()) return {};
    w = it->second;
  }
  Status result;
  {
    std::unique_lock lock(w->mutex);
    bool decided = w->cv.wait_until(lock, w->deadline, [&] { return w->rejected || w->pending.empty(); });
    if (w->rejected)
      result = Status(Code::Unschedulable, w->message).with_plugin(w->rejected_by);
    else if (!decided)
      result = Status(Code::Unschedulable, "rejected due to timeout after waiting at permit")
                   .with_plugin(w->pending.front());
  }
  std::lock_guard lock(waiting_mutex_);
  waiting_.erase(pod.uid);
  return result;
}

void Framework::allow(const std::string& uid, const std::string& plugin) {
  std::shared_ptr<Waiting> w;
  {
    std::lock_guard lock(waiting_mutex_);
    auto it = waiting_.find(uid);
    if (it == waiting_.end()) return;
    w = it->second;
  }
  std::lock_guard lock(w->mutex);
  std::erase(w->pending, plugin);
  w->cv.notify_all();
}

void Framework::reject(const std::string& uid, const std::string& plugin, const std::string& message) {
  std::shared_ptr<Waiting> w;
  {
    std::lock_guard lock(waiting_mutex_);
    auto it = waiting_.find(uid);
    if (it == waiting_.end()) return;
    w = it->second;
  }
  std::lock_guard lock(w->mutex);
  w->rejected = true;
  w->rejected_by = plugin;
  w->message = message;
  w->cv.notify_all();
}

Status Framework::run_pre_bind(CycleState& state, const PodInfo& pod, const std::string& node) {
  for (auto* p : pre_bind_) {
    Status s = p->pre_bind(state, pod, node);
    if (!s.ok()) return s.with_plugin(p->name());
  }
  return {};
}

Status Framework::run_bind(CycleState& state, const PodInfo& pod, const std::string& node) {
  for (auto* p : bind_) {
    Status s = p->bind(state, pod, node);
    if (s.is_skip()) continue;
    return s.ok() ? s : s.with_plugin(p->name());
  }
  return Status::error("no bind plugin bound the pod");
}

void Framework::run_post_bind(CycleState& state, const PodInfo& pod, const std::string& node) {
  for (auto* p : post_bind_) p->post_bind(state, pod, node);
}

Status Framework::run_remove_pod(CycleState& state, const PodInfo& pod, const PodInfo& removed,
                                 const NodeInfo& node) {
  for (auto* p : pre_filter_)
    if (auto* ext = p->extensions()) {
      Status s = ext->remove_pod(state, pod, removed, node);
      if (!s.ok()) return s.with_plugin(p->name());
    }
  return {};
}

Status Framework::run_filters_with_nominated(const CycleState& state, const PodInfo& pod,
                                             const NodeInfo& node) {
  auto nominated = nominated_pods(node.name);
  std::erase_if(nominated,
                [&](const PodInfoPtr& p) { return p->uid == pod.uid || p->priority < pod.priority; });
  if (nominated.empty()) return run_filters(state, pod, node);
  NodeInfo with = node;
  CycleState s = state;
  for (const auto& p : nominated) {
    add_pod(with, p);
    run_add_pod(s, pod, *p, with);
  }
  Status st = run_filters(s, pod, with);
  if (!st.ok()) return st;
  return run_filters(state, pod, node);
}

Status Framework::run_add_pod(CycleState& state, const PodInfo& pod, const PodInfo& added,
                              const NodeInfo& node) {
  for (auto* p : pre_filter_)
    if (auto* ext = p->extensions()) {
      Status s = ext->add_pod(state, pod, added, node);
      if (!s.ok()) return s.with_plugin(p->name());
    }
  return {};
}

std::vector<PodInfoPtr> Framework::nominated_pods(const std::string& node) const {
  return services_.nominated_pods ? services_.nominated_pods(node) : std::vector<PodInfoPtr>{};
}

void Framework::clear_nomination(const std::string& uid) {
  if (services_.clear_nomination) services_.clear_nomination(uid);
}

void Framework::record_event(const PodInfo& pod, const std::string& type, const std::string& reason,
                             const std::string& message) {
  if (services_.events) write_pod_event(*services_.events, pod, name_, type, reason, message);
}

void Framework::run_async(std::function<void()> task) {
  if (services_.run_async)
    services_.run_async(std::move(task));
  else
    task();
}

}  // namespace ukube::scheduler
