#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "ukube/admission/plugin_support.h"
#include "ukube/informer.h"

// ukube.admission.v1.namespace-lifecycle: upstream's NamespaceLifecycle plugin.
//  - Nothing is created in a namespace that is being terminated (403, cause
//    NamespaceTerminating) and no request but a delete touches a namespace that does
//    not exist (404 `namespaces "X" not found`).
//  - default, kube-system and kube-public may not be deleted.
// The namespaces come from an informer; a namespace it does not know (yet), or one that
// was deleted in the last 30 seconds (the informer may not show it Terminating yet), is
// looked up live, as upstream does.
namespace ukube::admission {

class NamespaceLifecycle final : public AdmissionPlugin {
 public:
  NamespaceLifecycle(std::shared_ptr<Client> client, std::shared_ptr<Informer> namespaces);

  void admit(AdmissionRequest& request) override;
  void validate(const AdmissionRequest& request) override;

  static const std::set<std::string>& immortal_namespaces();

 private:
  // The namespace as the informer or the store has it; throws 404 when there is none.
  ObjectPtr lookup(const AdmissionRequest& request);
  bool recently_deleted(const std::string& ns);

  std::shared_ptr<Client> client_;
  std::shared_ptr<Informer> namespaces_;
  std::mutex mutex_;
  std::map<std::string, std::chrono::steady_clock::time_point> deleted_;  // force live lookups until
};

class NamespaceLifecyclePlugin final : public AdmissionPluginShell {
 public:
  ~NamespaceLifecyclePlugin() override;
  void init(InitContext& ctx) override;
  void start() override;

 private:
  void stop_workers() override;           // nothing: it only reads a shared informer
  std::shared_ptr<Informer> namespaces_;  // shared with other plugins
};

}  // namespace ukube::admission
