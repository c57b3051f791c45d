#pragma once

#include <string>
#include <vector>

#include "ukube/types.h"

// One function per built-in resource, each defined in the file of its API group or type
// family. builtin_types() collects them all.
namespace ukube::builtin {

// core/v1
TypeInfo namespaces_type();
TypeInfo pods_type();
TypeInfo nodes_type();
TypeInfo services_type();
TypeInfo endpoints_type();
TypeInfo configmaps_type();
TypeInfo secrets_type();
TypeInfo serviceaccounts_type();
TypeInfo events_type();
TypeInfo limitranges_type();
TypeInfo resourcequotas_type();
TypeInfo persistentvolumes_type();
TypeInfo persistentvolumeclaims_type();
TypeInfo replicationcontrollers_type();
TypeInfo podtemplates_type();
// apps/v1
TypeInfo deployments_type();
TypeInfo replicasets_type();
TypeInfo daemonsets_type();
TypeInfo statefulsets_type();
TypeInfo controllerrevisions_type();
// batch/v1
TypeInfo jobs_type();
TypeInfo cronjobs_type();
// autoscaling/v1 and v2: one resource, stored as v2
TypeInfo horizontalpodautoscalers_v1_type();
TypeInfo horizontalpodautoscalers_v2_type();
// other groups
TypeInfo leases_type();                // coordination.k8s.io/v1
TypeInfo endpointslices_type();        // discovery.k8s.io/v1
TypeInfo servicecidrs_type();          // networking.k8s.io/v1
TypeInfo ipaddresses_type();           // networking.k8s.io/v1
TypeInfo networkpolicies_type();       // networking.k8s.io/v1
TypeInfo events_v1_type();             // events.k8s.io/v1
TypeInfo priorityclasses_type();       // scheduling.k8s.io/v1
TypeInfo poddisruptionbudgets_type();  // policy/v1
TypeInfo storageclasses_type();        // storage.k8s.io/v1
TypeInfo csidrivers_type();
TypeInfo csinodes_type();
TypeInfo volumeattachments_type();
TypeInfo roles_type();  // rbac.authorization.k8s.io/v1
TypeInfo rolebindings_type();
TypeInfo clusterroles_type();
TypeInfo clusterrolebindings_type();
TypeInfo apiservices_type();  // apiregistration.k8s.io/v1
// admissionregistration.k8s.io/v1
TypeInfo mutatingwebhookconfigurations_type();
TypeInfo validatingwebhookconfigurations_type();

// The identity part every type starts from.
TypeInfo make_type(std::string group, std::string version, std::string kind, std::string plural,
                   bool namespaced, std::vector<std::string> short_names = {},
                   std::vector<std::string> categories = {});

}  // namespace ukube::builtin
