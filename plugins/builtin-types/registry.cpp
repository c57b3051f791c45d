#include "registry.h"

#include "families.h"

namespace ukube::builtin {

TypeInfo make_type(std::string group, std::string version, std::string kind, std::string plural,
                   bool namespaced, std::vector<std::string> short_names,
                   std::vector<std::string> categories) {
  TypeInfo t;
  t.group = std::move(group);
  t.version = std::move(version);
  t.kind = std::move(kind);
  t.plural = std::move(plural);
  t.namespaced = namespaced;
  t.short_names = std::move(short_names);
  t.categories = std::move(categories);
  return t;
}

std::vector<TypeInfo> builtin_types() {
  std::vector<TypeInfo> out;
  for (auto make : {namespaces_type,
                    pods_type,
                    nodes_type,
                    services_type,
                    endpoints_type,
                    configmaps_type,
                    secrets_type,
                    serviceaccounts_type,
                    events_type,
                    limitranges_type,
                    resourcequotas_type,
                    persistentvolumes_type,
                    persistentvolumeclaims_type,
                    replicationcontrollers_type,
                    podtemplates_type,
                    deployments_type,
                    replicasets_type,
                    daemonsets_type,
                    statefulsets_type,
                    controllerrevisions_type,
                    jobs_type,
                    cronjobs_type,
                    horizontalpodautoscalers_v1_type,
                    horizontalpodautoscalers_v2_type,
                    leases_type,
                    endpointslices_type,
                    servicecidrs_type,
                    ipaddresses_type,
                    networkpolicies_type,
                    events_v1_type,
                    priorityclasses_type,
                    poddisruptionbudgets_type,
                    storageclasses_type,
                    csidrivers_type,
                    csinodes_type,
                    volumeattachments_type,
                    roles_type,
                    rolebindings_type,
                    clusterroles_type,
                    clusterrolebindings_type,
                    apiservices_type,
                    mutatingwebhookconfigurations_type,
                    validatingwebhookconfigurations_type})
    out.push_back(make());
  return out;
}

std::vector<GroupVersionResource> register_builtin_types(TypeRegistry& registry) {
  std::vector<GroupVersionResource> added;
  try {
    for (auto& t : builtin_types()) {
      GroupVersionResource gvr = t.gvr();
      registry.add(std::move(t));
      added.push_back(std::move(gvr));
    }
  } catch (...) {
    unregister_builtin_types(registry, added);
    throw;
  }
  return added;
}

void unregister_builtin_types(TypeRegistry& registry, const std::vector<GroupVersionResource>& added) {
  for (const auto& gvr : added) registry.remove(gvr);
}

}  // namespace ukube::builtin
