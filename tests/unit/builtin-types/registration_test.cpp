// Every built-in type is registered with upstream's identity: group, version, kind,
// plural, scope, short names, categories and subresources.
#include <algorithm>

#include "builtin_test_support.h"
#include "families.h"

namespace ukube::builtin::testing {
namespace {

struct Identity {
  const char* group;
  const char* kind;
  const char* plural;
  bool namespaced;
  std::vector<std::string> short_names;
  bool in_all;
  bool status;
  bool scale;
};

const std::vector<Identity> kExpected = {
    {"", "Namespace", "namespaces", false, {"ns"}, false, true, false},
    {"", "Pod", "pods", true, {"po"}, true, true, false},
    {"", "Node", "nodes", false, {"no"}, false, true, false},
    {"", "Service", "services", true, {"svc"}, true, true, false},
    {"", "Endpoints", "endpoints", true, {"ep"}, false, false, false},
    {"", "ConfigMap", "configmaps", true, {"cm"}, false, false, false},
    {"", "Secret", "secrets", true, {}, false, false, false},
    {"", "ServiceAccount", "serviceaccounts", true, {"sa"}, false, false, false},
    {"", "Event", "events", true, {"ev"}, false, false, false},
    {"", "LimitRange", "limitranges", true, {"limits"}, false, false, false},
    {"", "ResourceQuota", "resourcequotas", true, {"quota"}, false, true, false},
    {"", "PersistentVolume", "persistentvolumes", false, {"pv"}, false, true, false},
    {"", "PersistentVolumeClaim", "persistentvolumeclaims", true, {"pvc"}, false, true, false},
    {"", "ReplicationController", "replicationcontrollers", true, {"rc"}, true, true, true},
    {"", "PodTemplate", "podtemplates", true, {}, false, false, false},
    {"apps", "Deployment", "deployments", true, {"deploy"}, true, true, true},
    {"apps", "ReplicaSet", "replicasets", true, {"rs"}, true, true, true},
    {"apps", "DaemonSet", "daemonsets", true, {"ds"}, true, true, false},
    {"apps", "StatefulSet", "statefulsets", true, {"sts"}, true, true, true},
    {"apps", "ControllerRevision", "controllerrevisions", true, {}, false, false, false},
    {"batch", "Job", "jobs", true, {}, true, true, false},
    {"batch", "CronJob", "cronjobs", true, {"cj"}, true, true, false},
    {"autoscaling", "HorizontalPodAutoscaler", "horizontalpodautoscalers", true, {"hpa"}, true, true, false},
    {"coordination.k8s.io", "Lease", "leases", true, {}, false, false, false},
    {"discovery.k8s.io", "EndpointSlice", "endpointslices", true, {}, false, false, false},
    {"networking.k8s.io", "ServiceCIDR", "servicecidrs", false, {}, false, true, false},
    {"networking.k8s.io", "IPAddress", "ipaddresses", false, {"ip"}, false, false, false},
    {"networking.k8s.io", "NetworkPolicy", "networkpolicies", true, {"netpol"}, false, false, false},
    {"events.k8s.io", "Event", "events", true, {"ev"}, false, false, false},
    {"scheduling.k8s.io", "PriorityClass", "priorityclasses", false, {"pc"}, false, false, false},
    {"policy", "PodDisruptionBudget", "poddisruptionbudgets", true, {"pdb"}, false, true, false},
    {"storage.k8s.io", "StorageClass", "storageclasses", false, {"sc"}, false, false, false},
    {"storage.k8s.io", "CSIDriver", "csidrivers", false, {}, false, false, false},
    {"storage.k8s.io", "CSINode", "csinodes", false, {}, false, false, false},
    {"storage.k8s.io", "VolumeAttachment", "volumeattachments", false, {}, false, true, false},
    {"rbac.authorization.k8s.io", "Role", "roles", true, {}, false, false, false},
    {"rbac.authorization.k8s.io", "RoleBinding", "rolebindings", true, {}, false, false, false},
    {"rbac.authorization.k8s.io", "ClusterRole", "clusterroles", false, {}, false, false, false},
    {"rbac.authorization.k8s.io",
     "ClusterRoleBinding",
     "clusterrolebindings",
     false,
     {},
     false,
     false,
     false},
    {"apiregistration.k8s.io", "APIService", "apiservices", false, {}, false, true, false},
    {"admissionregistration.k8s.io",
     "MutatingWebhookConfiguration",
     "mutatingwebhookconfigurations",
     false,
     {},
     false,
     false,
     false},
    {"admissionregistration.k8s.io",
     "ValidatingWebhookConfiguration",
     "validatingwebhookconfigurations",
     false,
     {},
     false,
     false,
     false},
};

TEST(Registration, EveryTypeHasUpstreamIdentity) {
  BuiltinKernel k;
  EXPECT_EQ(builtin_types().size(), kExpected.size() + 1);  // autoscaling/v2 beside v1
  for (const auto& want : kExpected) {
    SCOPED_TRACE(want.plural);
    auto t = k.type({want.group, "v1", want.plural});
    ASSERT_TRUE(t);
    EXPECT_EQ(t->kind, want.kind);
    EXPECT_EQ(t->namespaced, want.namespaced);
    EXPECT_EQ(t->short_names, want.short_names);
    bool in_all = std::find(t->categories.begin(), t->categories.end(), "all") != t->categories.end();
    EXPECT_EQ(in_all, want.in_all);
    EXPECT_EQ(t->status_subresource, want.status);
    EXPECT_EQ(t->scale.has_value(), want.scale);
    EXPECT_FALSE(t->printer_columns.empty());
    EXPECT_TRUE(t->table_row);
    EXPECT_TRUE(t->schema);
  }
}

TEST(Registration, ShortNamesResolve) {
  BuiltinKernel k;
  auto one = [&](std::string_view name) {
    auto found = k.types().resolve(name);
    return found.size() == 1 ? found[0]->plural : "<" + std::to_string(found.size()) + " matches>";
  };
  EXPECT_EQ(one("po"), "pods");
  EXPECT_EQ(one("deploy"), "deployments");
  EXPECT_EQ(one("sts"), "statefulsets");
  EXPECT_EQ(one("cj"), "cronjobs");
  EXPECT_EQ(one("deployments.apps"), "deployments");
  EXPECT_EQ(k.types().resolve("ev").size(), 2u);  // core and events.k8s.io, as upstream
}

TEST(Registration, ScaleAndSubresources) {
  BuiltinKernel k;
  auto deploy = k.type(kDeployments);
  ASSERT_TRUE(deploy->scale);
  EXPECT_EQ(deploy->scale->spec_replicas_path, "spec.replicas");
  EXPECT_EQ(deploy->scale->status_replicas_path, "status.replicas");
  EXPECT_EQ(deploy->scale->label_selector_path, "spec.selector");
  auto pods = k.type(kPods);
  EXPECT_TRUE(pods->subresource_writers.count("binding"));
  for (const char* sub : {"binding", "log", "exec", "attach", "portforward"})
    EXPECT_NE(std::find(pods->extra_subresources.begin(), pods->extra_subresources.end(), sub),
              pods->extra_subresources.end())
        << sub;
  auto ns = k.type(kNamespaces);
  EXPECT_EQ(std::count(ns->verbs.begin(), ns->verbs.end(), "deletecollection"), 0);
}

TEST(Registration, ConflictRollsBack) {
  ukube::testing::TestKernel kernel;  // still has its own configmaps stand-in
  size_t before = kernel.types().all().size();
  EXPECT_THROW(register_builtin_types(kernel.types()), std::invalid_argument);
  EXPECT_EQ(kernel.types().all().size(), before);
}

TEST(Registration, ColumnsMatchRowWidth) {
  // A minimal object of each type renders one cell per column.
  for (const auto& t : builtin_types()) {
    SCOPED_TRACE(t.plural);
    json::object o{{"apiVersion", t.api_version()},
                   {"kind", t.kind},
                   {"metadata", {{"name", "x"}, {"creationTimestamp", ago(std::chrono::hours(3))}}}};
    json::array row = t.table_row(o);
    EXPECT_EQ(row.size(), t.printer_columns.size());
    for (const auto& c : t.printer_columns) {
      EXPECT_FALSE(c.description.empty()) << c.name;
      EXPECT_TRUE(c.type == "string" || c.type == "integer" || c.type == "boolean" || c.type == "date" ||
                  c.type == "number")
          << c.name;
    }
  }
}

}  // namespace
}  // namespace ukube::builtin::testing
