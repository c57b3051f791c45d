#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "ukube/auth.h"
#include "ukube/client.h"
#include "ukube/pipeline.h"
#include "ukube/store.h"
#include "ukube/types.h"
#include "ukube/watch.h"

namespace ukube::pipeline {

// How often a read-modify-write of one object is tried before it answers that the object
// kept changing underneath it.
inline constexpr int kUpdateRetries = 5;

// The kernel's one path for every request, from HTTP or from an in-process plugin. The
// verbs live in request_pipeline.cpp (get, list, create, update, patch), pipeline_watch.cpp,
// pipeline_apply.cpp (server-side apply), pipeline_scale.cpp (the scale subresource),
// pipeline_delete.cpp (deletion and its propagation) and pipeline_namespaces.cpp
// (namespace lifecycle); the type-aware algorithms they use have files of their own
// (strategic_merge, server_side_apply, managed_fields, field_validation, scale).

class KernelPipeline final : public RequestPipeline {
 public:
  KernelPipeline(store::Store& store, watch::WatchBus& bus, TypeRegistry& types, AuthChains& auth);

  // The registered type, or ApiError 404 as upstream answers for an unknown resource.
  TypeInfoPtr resolve(const GroupVersionResource& gvr) const override;
  std::string key_for(const TypeInfo& type, std::string_view ns, std::string_view name) const;

  store::Bytes get(const UserInfo& user, const GroupVersionResource& gvr, std::string_view ns,
                   std::string_view name, const GetOptions& options = {},
                   std::string_view subresource = {}) override;
  RawList list(const UserInfo& user, const GroupVersionResource& gvr, std::string_view ns,
               const ListOptions& options = {}) override;
  std::unique_ptr<RawWatch> watch(const UserInfo& user, const GroupVersionResource& gvr, std::string_view ns,
                                  const ListOptions& options = {}) override;
  store::Bytes create(const UserInfo& user, const GroupVersionResource& gvr, std::string_view ns,
                      boost::json::object object, const WriteOptions& options = {}) override;
  store::Bytes create_subresource(const UserInfo& user, const GroupVersionResource& gvr, std::string_view ns,
                                  std::string_view name, std::string_view subresource,
                                  boost::json::object body, const WriteOptions& options = {}) override;
  store::Bytes update(const UserInfo& user, const GroupVersionResource& gvr, std::string_view ns,
                      std::string_view name, boost::json::object object, const WriteOptions& options = {},
                      std::string_view subresource = {}) override;
  store::Bytes patch(const UserInfo& user, const GroupVersionResource& gvr, std::string_view ns,
                     std::string_view name, PatchType type, std::string_view body,
                     const WriteOptions& options = {}, std::string_view subresource = {}) override;
  store::Bytes remove(const UserInfo& user, const GroupVersionResource& gvr, std::string_view ns,
                      std::string_view name, const DeleteOptions& options = {}) override;
  RawList delete_collection(const UserInfo& user, const GroupVersionResource& gvr, std::string_view ns,
                            const ListOptions& selection, const DeleteOptions& options = {}) override;

 private:
  // Everything one request resolved before it touches the store.
  struct Target {
    TypeInfoPtr type;
    std::string ns;
    std::string name;
    std::string subresource;
    std::string key;
    const UserInfo* user;
  };
  Target target(const UserInfo& user, const char* verb, const GroupVersionResource& gvr, std::string_view ns,
                std::string_view name, std::string_view subresource) const;
  // `check` false skips the type's defaulting and validation (admission still runs).
  void admit_and_validate(const Target& t, AdmissionOperation op, boost::json::object& object,
                          const boost::json::object* old, bool dry_run, bool check = true);
  // Who a write's fields belong to: the request's fieldManager, else the caller's name.
  static std::string manager_of(const Target& t, const WriteOptions& options);

  // `track`: record the write in managedFields as an Update (apply records its own).
  store::Bytes answer_ephemeral(Target& t, boost::json::object object, const WriteOptions& options);
  store::Bytes create_object(Target& t, boost::json::object object, const WriteOptions& options, bool track);
  // How much of the pipeline an update goes through besides admission.
  enum class UpdatePath {
    Full,       // defaulting, validation, a managedFields entry
    Untracked,  // the same but no managedFields entry (apply records its own)
    // Subresource writers (pods/binding) derive the object from a validated body and the
    // stored parent, as upstream's storage-level binding does: nothing is re-defaulted,
    // re-validated or recorded in managedFields.
    Storage,
  };
  // Stores `object` at `t.key` if the key is still at `revision` (compare-and-swap).
  store::WriteResult replace_stored(const Target& t, const boost::json::object& object, int64_t revision);
  // Writes `object` over `old` (stored at `revision`); nullopt when the store saw a newer version.
  std::optional<store::Bytes> write_update(const Target& t, const store::KeyValue& current,
                                           const boost::json::object& old, boost::json::object object,
                                           const WriteOptions& options, UpdatePath path = UpdatePath::Full);
  store::Bytes apply(Target& t, std::string_view body, const WriteOptions& options);

  // The scale subresource (pipeline_scale.cpp).
  store::Bytes get_scale(const Target& t);
  store::Bytes write_scale(const Target& t, boost::json::object scale, const WriteOptions& options);
  store::Bytes patch_scale(const Target& t, PatchType type, std::string_view body,
                           const WriteOptions& options);

  // Namespace lifecycle (pipeline_namespaces.cpp).
  TypeInfoPtr namespace_type() const;  // null unless core/v1 namespaces is registered
  bool is_namespace(const TypeInfo& type) const;
  // 404 when the target's namespace does not exist, 403 when it is being terminated.
  void check_namespace_open(const Target& t);
  // Marks the namespace Terminating; it goes once spec.finalizers and metadata.finalizers
  // are empty (the namespace controller deletes the content, then finalizes it).
  store::Bytes delete_namespace(const Target& t, const DeleteOptions& options);
  // A new namespace carries the namespace controller's finalizer, "kubernetes".
  static void require_namespace_finalizer(boost::json::object& ns);
  static bool has_spec_finalizers(const boost::json::object& ns);

  // Deletion (pipeline_delete.cpp); propagation to dependents is the garbage collector's.
  store::Bytes delete_object(const Target& t, const DeleteOptions& options);

  store::Store& store_;
  watch::WatchBus& bus_;
  TypeRegistry& types_;
  AuthChains& auth_;
};

}  // namespace ukube::pipeline
