#pragma once

#include "schema/builder.h"

// Schemas of Pod and its parts, shared by every workload type that embeds a pod template.
namespace ukube::builtin::schema {

Schema pod_spec();
Schema pod_status();
Schema pod_template_spec(std::string_view description = {});
Schema container(bool ephemeral = false);
Schema volume();
Schema resource_requirements();
Schema security_context();
Schema pod_security_context();
Schema toleration();
Schema node_selector(std::string_view description = {});  // required node affinity
Schema container_status();
Schema key_to_path_items();  // items of configMap/secret volumes and projections

// PersistentVolumeClaim parts (also the volumeClaimTemplates of StatefulSets).
Schema pvc_spec();
Schema pvc_status();
Schema pvc_object(std::string_view description = {});  // metadata + spec + status, no GVK tag

}  // namespace ukube::builtin::schema
