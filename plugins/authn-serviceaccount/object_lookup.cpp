#include "object_lookup.h"

#include <ctime>
#include <stdexcept>

#include <boost/json.hpp>

#include "ukube/machinery/json.h"

namespace ukube::authn::sa {
namespace json = boost::json;
namespace {

// Enough for every object a cluster of this size binds tokens to; past it the cache
// starts over rather than tracking recency on the hot path.
constexpr size_t kMaxCached = 16384;

bool digits(std::string_view s) {
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

}  // namespace

std::optional<int64_t> parse_utc_timestamp(std::string_view t) {
  // YYYY-MM-DDTHH:MM:SS[.fraction]Z
  if (t.size() < 20 || t[4] != '-' || t[7] != '-' || (t[10] != 'T' && t[10] != 't') || t[13] != ':' ||
      t[16] != ':' || (t.back() != 'Z' && t.back() != 'z'))
    return std::nullopt;
  auto num = [&](size_t at, size_t len) -> std::optional<int> {
    std::string_view s = t.substr(at, len);
    if (!digits(s)) return std::nullopt;
    return std::stoi(std::string(s));
  };
  auto y = num(0, 4), mo = num(5, 2), d = num(8, 2), h = num(11, 2), mi = num(14, 2), s = num(17, 2);
  if (!y || !mo || !d || !h || !mi || !s || *mo < 1 || *mo > 12 || *d < 1 || *d > 31 || *h > 23 || *mi > 59 ||
      *s > 60)
    return std::nullopt;
  if (t.size() > 20 && (t[19] != '.' || !digits(t.substr(20, t.size() - 21)))) return std::nullopt;
  std::tm tm{};
  tm.tm_year = *y - 1900;
  tm.tm_mon = *mo - 1;
  tm.tm_mday = *d;
  tm.tm_hour = *h;
  tm.tm_min = *mi;
  tm.tm_sec = *s;
  return static_cast<int64_t>(timegm(&tm));
}

LiveObject live_object_of(const std::string& encoded) {
  LiveObject out;
  boost::system::error_code ec;
  json::value v = json::parse(encoded, ec);
  if (ec || !v.is_object()) return out;  // an unreadable object has no uid, so matches no claim
  const auto& o = v.get_object();
  out.uid = machinery::string_at(o, {"metadata", "uid"});
  if (auto when = machinery::string_at(o, {"metadata", "deletionTimestamp"}); !when.empty()) {
    // Unreadable: being deleted all the same, as of the epoch.
    out.deletion = parse_utc_timestamp(when).value_or(0);
  }
  out.service_account = machinery::string_at(o, {"spec", "serviceAccountName"});
  out.node_name = machinery::string_at(o, {"spec", "nodeName"});
  return out;
}

StoreLookup::StoreLookup(store::Store& store, const TypeRegistry& types) : store_(store) {
  const GroupVersionResource gvrs[4] = {
      {"", "v1", "serviceaccounts"}, {"", "v1", "pods"}, {"", "v1", "secrets"}, {"", "v1", "nodes"}};
  for (int i = 0; i < 4; ++i) {
    auto type = types.find(gvrs[i]);
    if (!type)
      throw std::runtime_error("the type registry has no " + gvrs[i].to_string() +
                               ": enable ukube.types.v1.builtin before this plugin");
    prefixes_[i] = type->key_prefix();
  }
}

std::optional<LiveObject> StoreLookup::find(ObjectKind kind, std::string_view ns, std::string_view name) {
  std::string key = prefixes_[static_cast<int>(kind)];
  if (kind != ObjectKind::Node) key.append(ns).push_back('/');
  key.append(name);
  auto kv = store_.get(key);
  if (!kv) return std::nullopt;
  {
    std::shared_lock lock(mutex_);
    if (auto it = cache_.find(key); it != cache_.end() && it->second.mod_revision == kv->mod_revision)
      return it->second.object;
  }
  LiveObject object = live_object_of(*kv->value);
  std::unique_lock lock(mutex_);
  if (cache_.size() >= kMaxCached) cache_.clear();
  cache_[key] = Cached{kv->mod_revision, object};
  return object;
}

}  // namespace ukube::authn::sa
