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

// The kernel's one path for every request, from HTTP or from an in-process plugin.

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
  void admit_and_validate(const Target& t, AdmissionOperation op, boost::json::object& object,
                          const boost::json::object* old, bool dry_run);
  // Writes `object` over `old` (stored at `revision`); nullopt when the store saw a newer version.
  std::optional<store::Bytes> write_update(const Target& t, const store::KeyValue& current,
                                           const boost::json::object& old, boost::json::object object,
                                           const WriteOptions& options);

  store::Store& store_;
  watch::WatchBus& bus_;
  TypeRegistry& types_;
  AuthChains& auth_;
};

}  // namespace ukube::pipeline
