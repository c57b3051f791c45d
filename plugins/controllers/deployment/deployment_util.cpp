#include "deployment_util.h"

#include <algorithm>
#include <charconv>
#include <stdexcept>

#include <boost/json.hpp>

#include "ukube/machinery/int_or_string.h"
#include "ukube/machinery/json.h"

namespace ukube::controllers::deployment {
namespace json = boost::json;
namespace {

// Keys sorted at every level, so two equal templates render alike whatever their order.
void render_canonical(const json::value& v, std::string& out) {
  if (v.is_object()) {
    const auto& o = v.get_object();
    std::vector<std::string_view> keys;
    keys.reserve(o.size());
    for (const auto& kv : o) keys.push_back(kv.key());
    std::sort(keys.begin(), keys.end());
    out += '{';
    bool first = true;
    for (auto key : keys) {
      if (!first) out += ',';
      first = false;
      out += json::serialize(json::value(key));
      out += ':';
      render_canonical(o.at(key), out);
    }
    out += '}';
  } else if (v.is_array()) {
    out += '[';
    bool first = true;
    for (const auto& e : v.get_array()) {
      if (!first) out += ',';
      first = false;
      render_canonical(e, out);
    }
    out += ']';
  } else {
    out += json::serialize(v);
  }
}

json::object without_hash_label(const json::object& pod_template) {
  json::object copy = pod_template;
  if (auto* meta = copy.if_contains("metadata"); meta && meta->is_object())
    if (auto* labels = meta->get_object().if_contains("labels"); labels && labels->is_object()) {
      labels->get_object().erase(kPodTemplateHashLabel);
      if (labels->get_object().empty()) meta->get_object().erase("labels");
    }
  return copy;
}

}  // namespace

uint32_t fnv32a(std::string_view bytes, uint32_t seed) {
  uint32_t h = seed;
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 16777619u;
  }
  return h;
}

std::string safe_encode(std::string_view text) {
  static constexpr std::string_view kAlphanums = "bcdfghjklmnpqrstvwxz2456789";
  std::string out(text.size(), ' ');
  for (size_t i = 0; i < text.size(); ++i)
    out[i] = kAlphanums[static_cast<unsigned char>(text[i]) % kAlphanums.size()];
  return out;
}

std::string encode_hash(uint32_t hash) {
  return safe_encode(std::to_string(hash));
}

std::string pod_template_hash(const json::object& pod_template, std::optional<int64_t> collision_count) {
  std::string rendered;
  render_canonical(pod_template, rendered);
  uint32_t h = fnv32a(rendered);
  if (collision_count) {
    const auto c = static_cast<uint32_t>(*collision_count);
    std::string bytes(8, '\0');
    for (int i = 0; i < 4; ++i) bytes[i] = static_cast<char>((c >> (8 * i)) & 0xff);
    h = fnv32a(bytes, h);
  }
  return encode_hash(h);
}

Fenceposts resolve_fenceposts(const json::value* surge, const json::value* unavailable, int64_t desired) {
  Fenceposts f{machinery::scaled_value(surge, desired, true),
               machinery::scaled_value(unavailable, desired, false)};
  if (f.surge == 0 && f.unavailable == 0) f.unavailable = 1;
  return f;
}

int64_t replicas_of(const json::object& object) {
  return machinery::int_or(object, {"spec", "replicas"}, 1);
}

bool is_rolling_update(const json::object& deployment) {
  return machinery::string_at(deployment, {"spec", "strategy", "type"}, "RollingUpdate") == "RollingUpdate";
}

namespace {
Fenceposts fenceposts_of(const json::object& d) {
  static const json::value kQuarter = "25%";
  const json::object* ru = machinery::object_at(d, {"spec", "strategy", "rollingUpdate"});
  const json::value* surge = ru ? ru->if_contains("maxSurge") : nullptr;
  const json::value* unavailable = ru ? ru->if_contains("maxUnavailable") : nullptr;
  return resolve_fenceposts(surge ? surge : &kQuarter, unavailable ? unavailable : &kQuarter, replicas_of(d));
}
}  // namespace

int64_t max_surge(const json::object& deployment) {
  if (!is_rolling_update(deployment)) return 0;
  return fenceposts_of(deployment).surge;
}

int64_t max_unavailable(const json::object& deployment) {
  const int64_t desired = replicas_of(deployment);
  if (!is_rolling_update(deployment) || desired == 0) return 0;
  return std::min(fenceposts_of(deployment).unavailable, desired);
}

int64_t sum_spec_replicas(const std::vector<ObjectPtr>& sets) {
  int64_t total = 0;
  for (const auto& rs : sets)
    if (rs) total += machinery::int_or(*rs, {"spec", "replicas"}, 0);
  return total;
}

int64_t sum_status(const std::vector<ObjectPtr>& sets, const char* field) {
  int64_t total = 0;
  for (const auto& rs : sets)
    if (rs) total += machinery::int_or(*rs, {"status", field}, 0);
  return total;
}

int64_t new_rs_new_replicas(const json::object& d, const std::vector<ObjectPtr>& all_rs,
                            const json::object& new_rs) {
  const int64_t desired = replicas_of(d);
  const int64_t current_new = machinery::int_or(new_rs, {"spec", "replicas"}, 0);
  if (!is_rolling_update(d)) return desired;
  const int64_t current_total = sum_spec_replicas(all_rs);
  const int64_t max_total = desired + max_surge(d);
  if (current_total >= max_total) return current_new;
  const int64_t up = std::min(max_total - current_total, desired - current_new);
  return current_new + up;
}

bool equal_ignore_hash(const json::object* a, const json::object* b) {
  if (!a || !b) return a == b;
  return without_hash_label(*a) == without_hash_label(*b);
}

int64_t revision_of(const json::object& rs) {
  const std::string text = machinery::string_at(rs, {"metadata", "annotations", kRevisionAnnotation});
  int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size()) return 0;
  return v;
}

void sort_by_creation(std::vector<ObjectPtr>& sets) {
  std::stable_sort(sets.begin(), sets.end(), [](const ObjectPtr& a, const ObjectPtr& b) {
    const std::string ta = machinery::meta_string(*a, "creationTimestamp");
    const std::string tb = machinery::meta_string(*b, "creationTimestamp");
    if (ta != tb) return ta < tb;
    return machinery::name_of(*a) < machinery::name_of(*b);
  });
}

}  // namespace ukube::controllers::deployment
