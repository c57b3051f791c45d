#include "schema/meta.h"

#include <boost/json.hpp>

namespace ukube::builtin::schema {

Schema object_meta() {
  Schema owner = atomic_struct(object({
      {"apiVersion", string("API version of the owner.")},
      {"kind", string("Kind of the owner.")},
      {"name", string("Name of the owner.")},
      {"uid", string("UID of the owner.")},
      {"controller", boolean("Whether the owner is the managing controller.")},
      {"blockOwnerDeletion", boolean("Whether foreground deletion of the owner waits for this object.")},
  }));
  Schema managed = object({
      {"manager", string("Who manages these fields.")},
      {"operation", string("Apply or Update.")},
      {"apiVersion", string("Version of the fields' schema.")},
      {"time", date_time("When the entry last changed.")},
      {"fieldsType", string("Format of fieldsV1; always FieldsV1.")},
      {"fieldsV1", preserve("The owned fields, as a trie.")},
      {"subresource", string("Subresource the fields were written through.")},
  });
  return object(
      {
          {"name",
           string("Unique name within the namespace; required on create unless generateName is set.")},
          {"generateName", string("Prefix from which the server generates a unique name.")},
          {"namespace", string("Namespace the object lives in; empty for cluster-scoped objects.")},
          {"selfLink", string("Deprecated; never set.")},
          {"uid", string("Unique identity assigned by the server.")},
          {"resourceVersion", string("Opaque version used for optimistic concurrency and watches.")},
          {"generation", int64("Sequence number of desired-state changes.")},
          {"creationTimestamp", date_time("When the server created the object.")},
          {"deletionTimestamp", date_time("When deletion was requested; set by the server.")},
          {"deletionGracePeriodSeconds", int64("Grace period the deletion allows.")},
          {"labels", string_map("Key/value pairs used to select and group objects.")},
          {"annotations", string_map("Arbitrary non-identifying metadata.")},
          {"ownerReferences", map_list(std::move(owner), {"uid"}, "Objects this one depends on.")},
          {"finalizers",
           set_list(string(), "Conditions that must clear before the object is deleted.", true)},
          {"managedFields", atomic_list(std::move(managed), "Field ownership for server-side apply.")},
      },
      "Standard object metadata.");
}

Schema label_selector(std::string_view d) {
  Schema requirement = object({
      {"key", string("Label key the requirement applies to.")},
      {"operator", string("In, NotIn, Exists or DoesNotExist.")},
      {"values", atomic_list(string(), "Values for In and NotIn; empty otherwise.")},
  });
  return atomic_struct(
      object({{"matchLabels", string_map("Labels that must all match exactly.")},
              {"matchExpressions", atomic_list(std::move(requirement), "Requirements that must all hold.")}},
             d.empty() ? "A label query over a set of objects." : d));
}

Schema object_reference(std::string_view d) {
  return atomic_struct(
      object({{"kind", string()},
              {"namespace", string()},
              {"name", string()},
              {"uid", string()},
              {"apiVersion", string()},
              {"resourceVersion", string()},
              {"fieldPath", string("Points at a part of the object, e.g. spec.containers{name}.")}},
             d.empty() ? "A reference to another object." : d));
}

Schema local_object_reference(std::string_view d) {
  return atomic_struct(object({{"name", string("Name of the referent in the same namespace.")}}, d));
}

Schema typed_local_object_reference(std::string_view d) {
  return atomic_struct(object({{"apiGroup", string()}, {"kind", string()}, {"name", string()}}, d));
}

Schema condition(Props extra) {
  Schema c = object({
      {"type", string("Type of the condition.")},
      {"status", string("True, False or Unknown.")},
      {"observedGeneration", int64("Generation the condition was computed from.")},
      {"lastTransitionTime", date_time("When the status last changed.")},
      {"reason", string("Machine-readable reason for the last transition.")},
      {"message", string("Human-readable details.")},
  });
  auto& props = c["properties"].as_object();
  for (const auto& p : extra) props[p.name] = p.schema;
  return c;
}

Schema conditions(Props extra, std::string_view d) {
  return map_list(condition(extra), {"type"}, d.empty() ? "Latest observations of the object's state." : d);
}

Schema micro_time(std::string_view d) {
  Schema s = date_time(d);
  s["format"] = "date-time";
  return s;
}

}  // namespace ukube::builtin::schema
