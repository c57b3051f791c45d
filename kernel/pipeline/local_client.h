#pragma once

#include <memory>

#include "kernel/pipeline/request_pipeline.h"
#include "ukube/client.h"

namespace ukube::pipeline {

// The in-process Client: straight into the pipeline under one identity, no HTTP. It
// authorizes like any other caller, so plugins get exactly the rights RBAC gives them.
class LocalClient final : public Client {
 public:
  // What reads hand back. Caches (shared informers) take objects without
  // metadata.managedFields, as upstream's scheduler and controller manager strip them: close
  // to half of a pod's fields, which no controller reads. An update sent without them keeps
  // the stored ones.
  enum class Reads { Whole, WithoutManagedFields };
  LocalClient(RequestPipeline& pipeline, UserInfo user, Reads reads = Reads::Whole);

  ObjectPtr get(const GroupVersionResource& gvr, std::string_view ns, std::string_view name,
                const GetOptions& options, std::string_view subresource) override;
  ObjectList list(const GroupVersionResource& gvr, std::string_view ns, const ListOptions& options) override;
  std::unique_ptr<WatchStream> watch(const GroupVersionResource& gvr, std::string_view ns,
                                     const ListOptions& options) override;
  ObjectPtr create(const GroupVersionResource& gvr, std::string_view ns, const boost::json::object& object,
                   const WriteOptions& options, std::string_view subresource, std::string_view name) override;
  ObjectPtr update(const GroupVersionResource& gvr, std::string_view ns, const boost::json::object& object,
                   const WriteOptions& options, std::string_view subresource) override;
  ObjectPtr patch(const GroupVersionResource& gvr, std::string_view ns, std::string_view name, PatchType type,
                  std::string_view patch, const WriteOptions& options, std::string_view subresource) override;
  ObjectPtr remove(const GroupVersionResource& gvr, std::string_view ns, std::string_view name,
                   const DeleteOptions& options) override;

 private:
  ObjectPtr decode(const store::Bytes& bytes) const;

  RequestPipeline& pipeline_;
  UserInfo user_;
  Reads reads_;
};

}  // namespace ukube::pipeline
