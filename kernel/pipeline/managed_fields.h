#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "kernel/pipeline/field_set.h"
#include "kernel/pipeline/schema_view.h"

// metadata.managedFields: which manager owns which fields of an object, recorded on
// every write so that server-side apply can remove what an applier stopped applying and
// refuse (409) to silently take fields another manager set.
namespace ukube::pipeline {

struct ManagedFieldsEntry {
  std::string manager;
  std::string operation;  // "Apply" or "Update"
  std::string api_version;
  std::string time;
  std::string subresource;
  FieldSet fields;

  // Upstream tells managers apart by name, operation, subresource and, for updates only,
  // API version (an applier keeps one entry whatever version it applies through).
  bool same_manager(const ManagedFieldsEntry& other) const;
};

// The entries of `object`; malformed entries are skipped. Null when the object has no
// managedFields member at all (as opposed to an empty list).
std::vector<ManagedFieldsEntry> read_managed_fields(const boost::json::object& object);
bool has_managed_fields(const boost::json::object& object);

// Stores `entries` in upstream's order (Apply before Update, then by time, manager and
// version), dropping entries that own nothing; removes the member when none remain.
void write_managed_fields(boost::json::object& object, std::vector<ManagedFieldsEntry> entries);

// Fields no manager owns because the server sets them: apiVersion, kind, and the name,
// namespace, uid, resourceVersion, generation, timestamps and managedFields of metadata.
void drop_server_fields(FieldSet& set);
// The same on FieldsV1 as fields_v1_of prints it.
void drop_server_fields(boost::json::object& fields_v1);

struct UpdateManager {
  std::string manager;
  std::string api_version;
  std::string subresource;
  std::string now;  // RFC 3339
};

// Records a write that is not an apply. `object` is the new state as the client sent it:
// its managedFields, when present and not empty, replace the stored ones ([{}] drops
// tracking altogether, as upstream documents); otherwise `old`'s are carried over. The
// writer then owns what it set or changed and every other manager loses those fields.
void track_update(const boost::json::object* old, boost::json::object& object, SchemaView schema,
                  const UpdateManager& writer);

}  // namespace ukube::pipeline
