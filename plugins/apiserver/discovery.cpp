#include "discovery.h"

#include <openssl/evp.h>
#include <algorithm>
#include <boost/json.hpp>
#include <set>

#include "ukube/base64.h"
#include "ukube/machinery/versions.h"

namespace ukube::apiserver {
namespace {

namespace json = boost::json;

// Upstream's group order, which kubectl follows when a short name is ambiguous; other
// groups (CRDs) come after, alphabetically.
const std::vector<std::string> kGroupOrder = {"apiregistration.k8s.io",
                                              "apps",
                                              "events.k8s.io",
                                              "authentication.k8s.io",
                                              "authorization.k8s.io",
                                              "autoscaling",
                                              "batch",
                                              "certificates.k8s.io",
                                              "networking.k8s.io",
                                              "policy",
                                              "rbac.authorization.k8s.io",
                                              "storage.k8s.io",
                                              "admissionregistration.k8s.io",
                                              "apiextensions.k8s.io",
                                              "scheduling.k8s.io",
                                              "coordination.k8s.io",
                                              "node.k8s.io",
                                              "discovery.k8s.io",
                                              "flowcontrol.apiserver.k8s.io",
                                              "resource.k8s.io",
                                              "metrics.k8s.io"};

size_t group_rank(const std::string& group) {
  if (group.empty()) return 0;
  auto it = std::find(kGroupOrder.begin(), kGroupOrder.end(), group);
  return it == kGroupOrder.end() ? kGroupOrder.size() + 1 : static_cast<size_t>(it - kGroupOrder.begin()) + 1;
}

// v<major>[alpha|beta<minor>]; stage 2 = GA, 1 = beta, 0 = alpha.
json::array strings(const std::vector<std::string>& v) {
  json::array out;
  for (const auto& s : v) out.emplace_back(s);
  return out;
}

struct Subresource {
  std::string name;
  std::string group, version, kind;  // group/version empty: the parent's
  std::vector<std::string> verbs;
};

// What upstream serves for each well-known subresource; anything else is reported with
// the parent's kind, writable if the type has a writer for it.
Subresource describe_subresource(const TypeInfo& t, const std::string& name) {
  Subresource s{name, "", "", t.kind, {"get"}};
  if (name == "status" || name == "ephemeralcontainers" || name == "resize" || name == "approval") {
    s.verbs = {"get", "patch", "update"};
  } else if (name == "scale") {
    s = {name, "autoscaling", "v1", "Scale", {"get", "patch", "update"}};
  } else if (name == "log") {
    s.verbs = {"get"};
  } else if (name == "exec" || name == "attach" || name == "portforward") {
    s.kind = name == "exec"     ? "PodExecOptions"
             : name == "attach" ? "PodAttachOptions"
                                : "PodPortForwardOptions";
    s.verbs = {"create", "get"};
  } else if (name == "proxy") {
    s.kind = t.kind + "ProxyOptions";
    s.verbs = {"create", "delete", "get", "patch", "update"};
  } else if (name == "binding") {
    s.kind = "Binding";
    s.verbs = {"create"};
  } else if (name == "eviction") {
    s = {name, "policy", "v1", "Eviction", {"create"}};
  } else if (name == "token") {
    s = {name, "authentication.k8s.io", "v1", "TokenRequest", {"create"}};
  } else if (name == "finalize") {
    s.verbs = {"update"};
  } else if (t.subresource_writers.contains(name)) {
    s.verbs = {"create"};
  }
  if (auto answer = t.subresource_answers.find(name); answer != t.subresource_answers.end()) {
    const auto& kind = answer->second.body_kind;
    s = {name, kind.group, kind.version, kind.kind, {"create"}};
  }
  return s;
}

std::vector<Subresource> subresources(const TypeInfo& t) {
  std::set<std::string> names(t.extra_subresources.begin(), t.extra_subresources.end());
  for (const auto& [name, writer] : t.subresource_writers) names.insert(name);
  for (const auto& [name, answer] : t.subresource_answers) names.insert(name);
  if (t.status_subresource) names.insert("status");
  if (t.scale) names.insert("scale");
  std::vector<Subresource> out;
  for (const auto& n : names) out.push_back(describe_subresource(t, n));
  return out;
}

}  // namespace

std::string storage_version_hash(const TypeInfo& type) {
  const GroupVersionKind gvk = type.storage_gvk();
  const std::string stored = gvk.group + "/" + gvk.version + "/" + gvk.kind;
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(stored.data(), stored.size(), digest, &size, EVP_sha256(), nullptr);
  return base64_encode(std::string_view(reinterpret_cast<const char*>(digest), 8));
}

namespace {

json::object legacy_resource(const TypeInfo& t) {
  json::object r{{"name", t.plural},
                 {"singularName", t.singular},
                 {"namespaced", t.namespaced},
                 {"kind", t.kind},
                 {"verbs", strings(t.verbs)}};
  if (!t.short_names.empty()) r["shortNames"] = strings(t.short_names);
  if (!t.categories.empty()) r["categories"] = strings(t.categories);
  if (!t.ephemeral_create && !t.computed_read) r["storageVersionHash"] = storage_version_hash(t);
  return r;
}

json::object legacy_subresource(const TypeInfo& t, const Subresource& s) {
  json::object r{{"name", t.plural + "/" + s.name}, {"singularName", ""}, {"namespaced", t.namespaced}};
  if (!s.group.empty() || !s.version.empty()) {
    r["group"] = s.group;
    r["version"] = s.version;
  }
  r["kind"] = s.kind;
  r["verbs"] = strings(s.verbs);
  return r;
}

std::string resource_list(const std::string& group_version, const std::vector<TypeInfoPtr>& types) {
  json::array resources;
  for (const auto& t : types) {
    resources.push_back(legacy_resource(*t));
    for (const auto& s : subresources(*t)) resources.push_back(legacy_subresource(*t, s));
  }
  return json::serialize(json::object{{"kind", "APIResourceList"},
                                      {"apiVersion", "v1"},
                                      {"groupVersion", group_version},
                                      {"resources", std::move(resources)}});
}

json::object group_version(const std::string& group, const std::string& version) {
  return {{"groupVersion", group + "/" + version}, {"version", version}};
}

json::object legacy_group(const GroupVersions& g) {
  json::array versions;
  for (const auto& v : g.versions) versions.push_back(group_version(g.group, v));
  return {{"name", g.group},
          {"versions", std::move(versions)},
          {"preferredVersion", group_version(g.group, g.versions.front())}};
}

json::object response_kind(const std::string& group, const std::string& version, const std::string& kind) {
  return {{"group", group}, {"version", version}, {"kind", kind}};
}

json::object aggregated_resource(const TypeInfo& t) {
  json::object r{{"resource", t.plural},
                 {"responseKind", response_kind(t.group, t.version, t.kind)},
                 {"scope", t.namespaced ? "Namespaced" : "Cluster"},
                 {"singularResource", t.singular},
                 {"verbs", strings(t.verbs)}};
  if (!t.short_names.empty()) r["shortNames"] = strings(t.short_names);
  if (!t.categories.empty()) r["categories"] = strings(t.categories);
  json::array subs;
  for (const auto& s : subresources(t)) {
    bool own = s.group.empty() && s.version.empty();
    subs.push_back(json::object{
        {"subresource", s.name},
        {"responseKind", response_kind(own ? t.group : s.group, own ? t.version : s.version, s.kind)},
        {"verbs", strings(s.verbs)}});
  }
  if (!subs.empty()) r["subresources"] = std::move(subs);
  return r;
}

json::object aggregated_group(const GroupVersions& g) {
  json::array versions;
  for (const auto& v : g.versions) {
    json::array resources;
    auto it = g.types.find(v);
    if (it != g.types.end())
      for (const auto& t : it->second) resources.push_back(aggregated_resource(*t));
    versions.push_back(
        json::object{{"version", v}, {"resources", std::move(resources)}, {"freshness", "Current"}});
  }
  json::object meta{{"creationTimestamp", nullptr}};
  if (!g.group.empty()) meta["name"] = g.group;
  return {{"metadata", std::move(meta)}, {"versions", std::move(versions)}};
}

std::string aggregated_list(const std::vector<const GroupVersions*>& groups, const char* api_version) {
  json::array items;
  for (const auto* g : groups) items.push_back(aggregated_group(*g));
  return json::serialize(json::object{{"kind", "APIGroupDiscoveryList"},
                                      {"apiVersion", api_version},
                                      {"metadata", json::object{}},
                                      {"items", std::move(items)}});
}

}  // namespace

DiscoveryDocs build_discovery(const std::vector<TypeInfoPtr>& types, uint64_t generation,
                              const std::string& server_address) {
  DiscoveryDocs d;
  d.generation = generation;
  std::map<std::string, GroupVersions> by_group;
  for (const auto& t : types) {
    auto& g = by_group[t->group];
    g.group = t->group;
    g.types[t->version].push_back(t);
  }
  for (auto& [name, g] : by_group) {
    for (auto& [version, list] : g.types) {
      g.versions.push_back(version);
      std::sort(list.begin(), list.end(), [](const auto& a, const auto& b) { return a->plural < b->plural; });
    }
    std::sort(g.versions.begin(), g.versions.end(),
              [](const std::string& a, const std::string& b) { return machinery::version_preferred(a, b); });
    d.groups.push_back(std::move(g));
  }
  std::stable_sort(d.groups.begin(), d.groups.end(),
                   [](const auto& a, const auto& b) { return group_rank(a.group) < group_rank(b.group); });

  std::vector<const GroupVersions*> core, named;
  json::array groups;
  for (const auto& g : d.groups) {
    if (g.group.empty()) {
      core.push_back(&g);
      for (const auto& v : g.versions) d.resource_lists[v] = resource_list(v, g.types.at(v));
      continue;
    }
    named.push_back(&g);
    json::object legacy = legacy_group(g);
    json::object doc{{"kind", "APIGroup"}, {"apiVersion", "v1"}};
    for (const auto& [k, v] : legacy) doc[k] = v;
    d.group_docs[g.group] = json::serialize(doc);
    groups.push_back(std::move(legacy));
    for (const auto& v : g.versions)
      d.resource_lists[g.group + "/" + v] = resource_list(g.group + "/" + v, g.types.at(v));
  }
  // The core group is always there, as on every real server, even before its types are registered.
  if (!d.resource_lists.contains("v1")) d.resource_lists["v1"] = resource_list("v1", {});

  json::array core_versions;
  if (core.empty()) {
    core_versions.emplace_back("v1");
  } else {
    for (const auto& v : core.front()->versions) core_versions.emplace_back(v);
  }
  d.api_versions = json::serialize(json::object{
      {"kind", "APIVersions"},
      {"versions", std::move(core_versions)},
      {"serverAddressByClientCIDRs",
       json::array{json::object{{"clientCIDR", "0.0.0.0/0"}, {"serverAddress", server_address}}}}});
  d.group_list = json::serialize(
      json::object{{"kind", "APIGroupList"}, {"apiVersion", "v1"}, {"groups", std::move(groups)}});
  d.api_aggregated_v2 = aggregated_list(core, "apidiscovery.k8s.io/v2");
  d.api_aggregated_v2beta1 = aggregated_list(core, "apidiscovery.k8s.io/v2beta1");
  d.apis_aggregated_v2 = aggregated_list(named, "apidiscovery.k8s.io/v2");
  d.apis_aggregated_v2beta1 = aggregated_list(named, "apidiscovery.k8s.io/v2beta1");
  return d;
}

std::shared_ptr<const DiscoveryDocs> Discovery::docs() const {
  // Read before listing: a change racing with the build leaves an older generation
  // behind, so the next request rebuilds.
  uint64_t generation = types_.generation();
  std::lock_guard lock(mu_);
  if (!cached_ || cached_->generation != generation) {
    cached_ =
        std::make_shared<const DiscoveryDocs>(build_discovery(types_.all(), generation, server_address_));
  }
  return cached_;
}

}  // namespace ukube::apiserver
