#include "schema/meta.h"

#include <boost/json.hpp>

namespace ukube::builtin::schema {

Schema object_meta() {
  Schema owner = atomic_struct(object({
      {"apiVersion", string("API version of the owner."), 5, kAlways},
      {"kind", string("Kind of the owner."), 1, kAlways},
      {"name", string("Name of the owner."), 3, kAlways},
      {"uid", string("UID of the owner."), 4, kAlways},
      {"controller", boolean("Whether the owner is the managing controller."), 6, kPointer},
      {"blockOwnerDeletion", boolean("Whether foreground deletion of the owner waits for this object."), 7,
       kPointer},
  }));
  Schema managed = object({
      {"manager", string("Who manages these fields."), 1},
      {"operation", string("Apply or Update."), 2},
      {"apiVersion", string("Version of the fields' schema."), 3},
      {"time", date_time("When the entry last changed."), 4, kPointer},
      {"fieldsType", string("Format of fieldsV1; always FieldsV1."), 6},
      {"fieldsV1", preserve("The owned fields, as a trie."), 7, kPointer},
      {"subresource", string("Subresource the fields were written through."), 8},
  });
  return object(
      {
          {"name", string("Unique name within the namespace; required on create unless generateName is set."),
           1},
          {"generateName", string("Prefix from which the server generates a unique name."), 2},
          {"namespace", string("Namespace the object lives in; empty for cluster-scoped objects."), 3},
          {"selfLink", string("Deprecated; never set."), 4},
          {"uid", string("Unique identity assigned by the server."), 5},
          {"resourceVersion", string("Opaque version used for optimistic concurrency and watches."), 6},
          {"generation", int64("Sequence number of desired-state changes."), 7},
          {"creationTimestamp", date_time("When the server created the object."), 8},
          {"deletionTimestamp", date_time("When deletion was requested; set by the server."), 9, kPointer},
          {"deletionGracePeriodSeconds", int64("Grace period the deletion allows."), 10, kPointer},
          {"labels", string_map("Key/value pairs used to select and group objects."), 11},
          {"annotations", string_map("Arbitrary non-identifying metadata."), 12},
          {"ownerReferences", map_list(std::move(owner), {"uid"}, "Objects this one depends on."), 13},
          {"finalizers", set_list(string(), "Conditions that must clear before the object is deleted.", true),
           14},
          {"managedFields", atomic_list(std::move(managed), "Field ownership for server-side apply."), 17},
      },
      "Standard object metadata.");
}

Schema label_selector(std::string_view d) {
  Schema requirement = object({
      {"key", string("Label key the requirement applies to."), 1, kAlways},
      {"operator", string("In, NotIn, Exists or DoesNotExist."), 2, kAlways},
      {"values", atomic_list(string(), "Values for In and NotIn; empty otherwise."), 3},
  });
  return atomic_struct(object(
      {{"matchLabels", string_map("Labels that must all match exactly."), 1},
       {"matchExpressions", atomic_list(std::move(requirement), "Requirements that must all hold."), 2}},
      d.empty() ? "A label query over a set of objects." : d));
}

Schema object_reference(std::string_view d) {
  return atomic_struct(
      object({{"kind", string(), 1},
              {"namespace", string(), 2},
              {"name", string(), 3},
              {"uid", string(), 4},
              {"apiVersion", string(), 5},
              {"resourceVersion", string(), 6},
              {"fieldPath", string("Points at a part of the object, e.g. spec.containers{name}."), 7}},
             d.empty() ? "A reference to another object." : d));
}

Schema local_object_reference(std::string_view d) {
  return atomic_struct(object({{"name", string("Name of the referent in the same namespace."), 1}}, d));
}

Schema typed_local_object_reference(std::string_view d) {
  return atomic_struct(object(
      {{"apiGroup", string(), 1, kPointer}, {"kind", string(), 2, kAlways}, {"name", string(), 3, kAlways}},
      d));
}

Schema condition(Props extra, ConditionTags tags) {
  Go text = tags.meta ? kAlways : Go::omitempty;
  Schema c = object({
      {"type", string("Type of the condition."), 1, kAlways},
      {"status", string("True, False or Unknown."), 2, kAlways},
      {"observedGeneration", int64("Generation the condition was computed from."), tags.observed_generation},
      {"lastTransitionTime", date_time("When the status last changed."), tags.last_transition_time, text},
      {"reason", string("Machine-readable reason for the last transition."), tags.reason, text},
      {"message", string("Human-readable details."), tags.message, text},
  });
  add_properties(c, extra);
  return c;
}

Schema conditions(Props extra, std::string_view d, ConditionTags tags) {
  return map_list(condition(extra, tags), {"type"},
                  d.empty() ? "Latest observations of the object's state." : d);
}

Schema micro_time(std::string_view d) {
  Schema s = date_time(d);
  // Same JSON shape as Time but with microseconds, which the protobuf decoder has to keep.
  s["x-ukube-micro-time"] = true;
  return s;
}

}  // namespace ukube::builtin::schema
