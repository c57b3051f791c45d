#include "revisions.h"

#include <algorithm>

#include <boost/json.hpp>

#include "stateful_pod.h"
#include "ukube/machinery/json.h"
#include "ukube/machinery/owners.h"
#include "ukube/types.h"

namespace ukube::controllers::statefulset {
namespace json = boost::json;

namespace {

// Keys sorted, so that equal data hash equally whatever order the store kept.
void render_canonical(const json::value& v, std::string& out) {
  if (v.is_object()) {
    std::vector<std::string_view> keys;
    for (const auto& kv : v.get_object()) keys.push_back(kv.key());
    std::sort(keys.begin(), keys.end());
    out += '{';
    for (size_t i = 0; i < keys.size(); ++i) {
      if (i) out += ',';
      out += json::serialize(json::value(keys[i]));
      out += ':';
      render_canonical(v.get_object().at(keys[i]), out);
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

uint32_t fnv32a(std::string_view bytes, uint32_t h = 2166136261u) {
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 16777619u;
  }
  return h;
}

}  // namespace

json::object revision_data(const json::object& set) {
  json::object tpl = machinery::object_or_empty(machinery::object_at(set, {"spec", "template"}));
  tpl["$patch"] = "replace";
  return json::object{{"spec", json::object{{"template", std::move(tpl)}}}};
}

std::string revision_hash(const json::object& data, int64_t collision_count) {
  std::string rendered;
  render_canonical(data, rendered);
  uint32_t h = fnv32a(rendered);
  if (collision_count > 0) h = fnv32a(std::to_string(collision_count), h);
  // Upstream's SafeEncodeString: no vowels, so no words, and no look-alike characters.
  static constexpr std::string_view kAlphanums = "bcdfghjklmnpqrstvwxz2456789";
  std::string out = std::to_string(h);
  for (auto& c : out) c = kAlphanums[static_cast<unsigned char>(c) % kAlphanums.size()];
  return out;
}

json::object new_revision(const json::object& set, const json::object& data, int64_t number,
                          int64_t collision_count) {
  const std::string hash = revision_hash(data, collision_count);
  json::object rev;
  rev["apiVersion"] = "apps/v1";
  rev["kind"] = "ControllerRevision";
  json::object& meta = rev["metadata"].emplace_object();
  meta["name"] = machinery::name_of(set) + "-" + hash;
  meta["namespace"] = machinery::namespace_of(set);
  json::object labels =
      machinery::object_or_empty(machinery::object_at(set, {"spec", "template", "metadata", "labels"}));
  labels[kRevisionLabel] = hash;
  meta["labels"] = std::move(labels);
  meta["ownerReferences"] = json::array{machinery::controller_ref(set, kStatefulSetKind)};
  rev["data"] = data;
  rev["revision"] = number;
  return rev;
}

json::object revision_template(const json::object& revision) {
  json::object tpl = machinery::object_or_empty(machinery::object_at(revision, {"data", "spec", "template"}));
  tpl.erase("$patch");
  return tpl;
}

int64_t revision_number(const json::object& revision) {
  return machinery::int_or(revision, {"revision"}, 0);
}

bool same_data(const json::object& revision, const json::object& data) {
  const auto* stored = revision.if_contains("data");
  if (!stored) return false;
  std::string a, b;
  render_canonical(*stored, a);
  render_canonical(data, b);
  return a == b;
}

}  // namespace ukube::controllers::statefulset
