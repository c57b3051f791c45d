#include "limit_ranger.h"

#include <spdlog/logger.h>

#include <cstdio>
#include <limits>
#include "ukube/informer_factory.h"

namespace ukube::admission {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kLiveTTL = std::chrono::seconds(30);
constexpr auto kReadyWait = std::chrono::seconds(10);
constexpr int64_t kMaxMilliValue = std::numeric_limits<int64_t>::max() / 1000;
constexpr const char* kAnnotation = "kubernetes.io/limit-ranger";

struct Observed {
  int64_t request = 0, limit = 0, enforced = 0;
};

// requestLimitEnforcedValues: milli precision unless a value would overflow it.
Observed observe(const Quantity* request, const Quantity* limit, const Quantity& enforced) {
  Quantity zero;
  const Quantity& r = request ? *request : zero;
  const Quantity& l = limit ? *limit : zero;
  Observed o{r.value(), l.value(), enforced.value()};
  if (o.request <= kMaxMilliValue && o.limit <= kMaxMilliValue && o.enforced <= kMaxMilliValue)
    o = {r.milli_value(), l.milli_value(), enforced.milli_value()};
  return o;
}

const Quantity* find(const ResourceList& list, const std::string& name) {
  auto it = list.find(name);
  return it == list.end() ? nullptr : &it->second;
}

std::string min_constraint(const std::string& type, const std::string& name, const Quantity& enforced,
                           const ResourceList& requests, const ResourceList& limits) {
  const Quantity* req = find(requests, name);
  const Quantity* lim = find(limits, name);
  Observed o = observe(req, lim, enforced);
  std::string head = "minimum " + name + " usage per " + type + " is " + enforced.to_string();
  if (!req) return head + ".  No request is specified";
  if (o.request < o.enforced) return head + ", but request is " + req->to_string();
  if (lim && o.limit < o.enforced) return head + ", but limit is " + lim->to_string();
  return {};
}

std::string max_request_constraint(const std::string& type, const std::string& name, const Quantity& enforced,
                                   const ResourceList& requests) {
  const Quantity* req = find(requests, name);
  Observed o = observe(req, nullptr, enforced);
  std::string head = "maximum " + name + " usage per " + type + " is " + enforced.to_string();
  if (!req) return head + ".  No request is specified";
  if (o.request > o.enforced) return head + ", but request is " + req->to_string();
  return {};
}

std::string max_constraint(const std::string& type, const std::string& name, const Quantity& enforced,
                           const ResourceList& requests, const ResourceList& limits) {
  const Quantity* req = find(requests, name);
  const Quantity* lim = find(limits, name);
  Observed o = observe(req, lim, enforced);
  std::string head = "maximum " + name + " usage per " + type + " is " + enforced.to_string();
  if (!lim) return head + ".  No limit is specified";
  if (o.limit > o.enforced) return head + ", but limit is " + lim->to_string();
  if (req && o.request > o.enforced) return head + ", but request is " + req->to_string();
  return {};
}

std::string ratio_constraint(const std::string& type, const std::string& name, const Quantity& enforced,
                             const ResourceList& requests, const ResourceList& limits) {
  const Quantity* req = find(requests, name);
  const Quantity* lim = find(limits, name);
  Observed o = observe(req, lim, enforced);
  std::string head = name + " max limit to request ratio per " + type + " is " + enforced.to_string();
  if (!req || o.request == 0) return head + ", but no request is specified or request is 0";
  if (!lim || o.limit == 0) return head + ", but no limit is specified or limit is 0";
  double observed = static_cast<double>(o.limit) / static_cast<double>(o.request);
  double shown = observed;
  double max_ratio = static_cast<double>(enforced.value());
  if (enforced.value() <= kMaxMilliValue) {
    observed *= 1000;
    max_ratio = static_cast<double>(enforced.milli_value());
  }
  if (observed > max_ratio) {
    char ratio[64];
    std::snprintf(ratio, sizeof ratio, "%f", shown);
    return head + ", but provided ratio is " + ratio;
  }
  return {};
}

void collect(std::vector<std::string>& errors, const std::string& error) {
  if (!error.empty()) errors.push_back(error);
}

// min, max and ratio of one item against one set of requests and limits.
void check_item(std::vector<std::string>& errors, const json::object& item, const std::string& type,
                const ResourceList& requests, const ResourceList& limits) {
  for (const auto& [name, q] : parse_resource_list(object_at(item, {"min"})))
    collect(errors, min_constraint(type, name, q, requests, limits));
  for (const auto& [name, q] : parse_resource_list(object_at(item, {"max"})))
    collect(errors, max_constraint(type, name, q, requests, limits));
  for (const auto& [name, q] : parse_resource_list(object_at(item, {"maxLimitRequestRatio"})))
    collect(errors, ratio_constraint(type, name, q, requests, limits));
}

template <class F>
void for_each_item(const json::object& limit_range, F&& f) {
  if (const auto* items = array_at(limit_range, {"spec", "limits"}))
    for (const auto& item : *items)
      if (item.is_object()) f(item.get_object(), string_at(item.get_object(), {"type"}));
}

// The defaulting that precedes admission upstream: a container's requests default to its
// limits. The kernel runs type defaulters after mutating admission, so without this a
// LimitRange defaultRequest would win over the container's own limit.
void default_requests_to_limits(json::object& pod) {
  auto* spec = pod.if_contains("spec");
  if (!spec || !spec->is_object()) return;
  for_each_container(spec->get_object(), [](json::object& c, bool) {
    const auto* limits = object_at(c, {"resources", "limits"});
    if (!limits || limits->empty()) return;
    json::object copy = *limits;
    auto& requests = child(child(c, "resources"), "requests");
    for (const auto& kv : copy)
      if (!requests.contains(kv.key())) requests[kv.key()] = kv.value();
  });
}

}  // namespace

LimitRanger::LimitRanger(std::shared_ptr<Client> client, std::shared_ptr<Informer> limit_ranges)
    : client_(std::move(client)), informer_(std::move(limit_ranges)) {}

json::object LimitRanger::with_defaults(const json::object& limit_range) {
  json::object out = limit_range;
  auto* spec = out.if_contains("spec");
  auto* items = spec && spec->is_object() ? spec->get_object().if_contains("limits") : nullptr;
  if (!items || !items->is_array()) return out;
  for (auto& v : items->get_array()) {
    if (!v.is_object() || string_at(v.get_object(), {"type"}) != "Container") continue;
    auto& item = v.get_object();
    auto fill = [&](const char* from, const char* to) {
      const auto* source = object_at(item, {from});
      if (!source || source->empty()) return;
      json::object copy = *source;
      auto& target = child(item, to);
      for (const auto& kv : copy)
        if (!target.contains(kv.key())) target[kv.key()] = kv.value();
    };
    fill("max", "default");
    fill("default", "defaultRequest");
    fill("min", "defaultRequest");
  }
  return out;
}

bool LimitRanger::apply_defaults(const json::object& limit_range, json::object& pod) {
  ResourceList default_requests, default_limits;
  for_each_item(limit_range, [&](const json::object& item, const std::string& type) {
    if (type != "Container") return;
    for (const auto& [name, q] : parse_resource_list(object_at(item, {"defaultRequest"})))
      default_requests[name] = q;
    for (const auto& [name, q] : parse_resource_list(object_at(item, {"default"}))) default_limits[name] = q;
  });
  if (default_requests.empty() && default_limits.empty()) return false;
  std::vector<std::string> notes;
  auto* spec = pod.if_contains("spec");
  if (!spec || !spec->is_object()) return false;
  for_each_container(spec->get_object(), [&](json::object& c, bool init) {
    std::vector<std::string> set_requests, set_limits;
    auto fill = [&](const ResourceList& defaults, const char* field, std::vector<std::string>& set) {
      if (defaults.empty()) return;
      auto& resources = child(c, "resources");
      const auto* existing = object_at(resources, {field});
      json::object list = existing ? *existing : json::object{};
      for (const auto& [name, q] : defaults)
        if (!list.contains(name)) {
          list[name] = q.to_string();
          set.push_back(name);
        }
      if (!set.empty()) resources[field] = std::move(list);
      if (resources.empty()) c.erase("resources");
    };
    fill(default_limits, "limits", set_limits);
    fill(default_requests, "requests", set_requests);
    std::string who = std::string(init ? " init container " : " container ") + string_at(c, {"name"});
    auto join = [](const std::vector<std::string>& names) {
      std::string out;
      for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
      return out;
    };
    if (!set_requests.empty()) notes.push_back(join(set_requests) + " request for" + who);
    if (!set_limits.empty()) notes.push_back(join(set_limits) + " limit for" + who);
  });
  if (notes.empty()) return false;
  std::string value = "LimitRanger plugin set: ";
  for (size_t i = 0; i < notes.size(); ++i) value += (i ? "; " : "") + notes[i];
  child(child(pod, "metadata"), "annotations")[kAnnotation] = value;
  return true;
}

std::string LimitRanger::pod_errors(const json::object& limit_range, const json::object& pod) {
  std::vector<std::string> errors;
  const json::object empty;
  const json::object* spec = object_at(pod, {"spec"});
  if (!spec) spec = &empty;
  for_each_item(limit_range, [&](const json::object& item, const std::string& type) {
    if (type == "Container") {
      // Containers first, then init containers, as upstream.
      for (const char* list : {"containers", "initContainers"})
        if (const auto* containers = array_at(*spec, {list}))
          for (const auto& c : *containers)
            if (c.is_object())
              check_item(errors, item, type, container_requests(c.get_object()),
                         container_limits(c.get_object()));
    }
    if (type == "Pod") check_item(errors, item, type, pod_requests(*spec, false), pod_limits(*spec, false));
  });
  return aggregate(errors);
}

std::string LimitRanger::claim_errors(const json::object& limit_range, const json::object& claim) {
  std::vector<std::string> errors;
  ResourceList requests = parse_resource_list(object_at(claim, {"spec", "resources", "requests"}));
  for_each_item(limit_range, [&](const json::object& item, const std::string& type) {
    if (type != "PersistentVolumeClaim") return;
    // A claim's limits are not the user's request: only its requests are held to min and max.
    for (const auto& [name, q] : parse_resource_list(object_at(item, {"min"})))
      collect(errors, min_constraint(type, name, q, requests, {}));
    for (const auto& [name, q] : parse_resource_list(object_at(item, {"max"})))
      collect(errors, max_request_constraint(type, name, q, requests));
  });
  return aggregate(errors);
}

void LimitRanger::forget(const std::string& ns) {
  std::lock_guard lock(mutex_);
  live_.erase(ns);
}

bool LimitRanger::supports(const AdmissionRequest& r) const {
  if (!r.type || !r.object || !r.subresource.empty() || !r.type->group.empty()) return false;
  // Containers cannot change after create: pods are judged once.
  if (r.type->plural == "pods") return r.operation == AdmissionOperation::Create;
  if (r.type->plural == "persistentvolumeclaims")
    return r.operation == AdmissionOperation::Create || r.operation == AdmissionOperation::Update;
  return false;
}

std::vector<json::object> LimitRanger::limit_ranges(const AdmissionRequest& r, bool mutating) {
  if (!informer_->wait_for_sync(kReadyWait)) throw forbidden(r, "not yet ready to handle request", mutating);
  std::vector<ObjectPtr> items = informer_->by_index("namespace", r.namespace_);
  if (items.empty()) {
    // The cache may lag behind a LimitRange created moments ago: look once, remember a while.
    std::lock_guard lock(mutex_);
    auto it = live_.find(r.namespace_);
    if (it == live_.end() || it->second.expiry < Clock::now()) {
      Live entry{Clock::now() + kLiveTTL, {}};
      try {
        entry.items = client_->list(kLimitRanges, r.namespace_).items;
      } catch (const ApiError& e) {
        throw forbidden(r, e.what(), mutating);
      }
      it = live_.insert_or_assign(r.namespace_, std::move(entry)).first;
    }
    items = it->second.items;
  }
  std::vector<json::object> out;
  for (const auto& item : items) out.push_back(with_defaults(*item));
  return out;
}

void LimitRanger::admit(AdmissionRequest& r) {
  if (!supports(r) || r.type->plural != "pods") return;
  if (r.old_object && has_deletion_timestamp(*r.old_object)) return;
  auto ranges = limit_ranges(r, true);
  if (ranges.empty()) return;
  default_requests_to_limits(*r.object);
  for (const auto& range : ranges) apply_defaults(range, *r.object);
}

void LimitRanger::validate(const AdmissionRequest& r) {
  if (!supports(r)) return;
  if (r.old_object && has_deletion_timestamp(*r.old_object)) return;
  for (const auto& range : limit_ranges(r, false)) {
    std::string error =
        r.type->plural == "pods" ? pod_errors(range, *r.object) : claim_errors(range, *r.object);
    if (!error.empty()) throw forbidden(r, error, false);
  }
}

LimitRangerPlugin::~LimitRangerPlugin() {
  stop();
}

void LimitRangerPlugin::init(InitContext& ctx) {
  log_ = ctx.logger();
  if (!ctx.types().find(kLimitRanges))
    throw std::runtime_error(
        "limitranges are not a registered type; enable ukube.types.v1.builtin in the config");
  auto client = ctx.client(apiserver_identity());
  informer_ = ctx.informers().informer(kLimitRanges);
  index_ = informer_->add_indexer(
      "namespace", [](const json::object& o) { return std::vector<std::string>{namespace_of(o)}; });
  auto ranger = std::make_shared<LimitRanger>(client, informer_);
  std::weak_ptr<LimitRanger> weak = ranger;
  auto forget = [weak](const ObjectPtr& o) {
    if (auto r = weak.lock()) r->forget(namespace_of(*o));
  };
  handlers_ = informer_->add_handlers(
      {forget, [forget](const ObjectPtr&, const ObjectPtr& o) { forget(o); }, forget});
  join_chain(ctx, ranger);
}

void LimitRangerPlugin::start() {
  if (!informer_->wait_for_sync(kReadyWait) && log_)
    log_->warn("limit ranges not listed yet; requests wait for them");
}

void LimitRangerPlugin::stop_workers() {
  // The shared informers run on for other plugins; ours stop calling us.
  handlers_.reset();
}

}  // namespace ukube::admission
