#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "dispatcher.h"
#include "ukube/auth.h"
#include "ukube/informer.h"
#include "ukube/plugin.h"

namespace spdlog {
class logger;
}

// ukube.admission.v1.webhook: upstream's MutatingAdmissionWebhook and
// ValidatingAdmissionWebhook admission plugins. The configurations come from informers,
// so a created, changed or deleted configuration applies to the next requests without a
// restart. Until the informers have listed once (start()), no webhook is known.
namespace ukube::webhook {

// Every webhook currently configured, ordered by configuration name, then position.
struct HookSet {
  std::vector<Webhook> mutating;
  std::vector<Webhook> validating;
};

// The admission chain's view of the plugin: swaps in new hook sets, dispatches requests.
class WebhookAdmission final : public AdmissionPlugin {
 public:
  explicit WebhookAdmission(Dispatcher dispatcher);
  void set_hooks(std::shared_ptr<const HookSet> hooks);
  std::shared_ptr<const HookSet> hooks() const;

  void admit(AdmissionRequest& request) override;
  void validate(const AdmissionRequest& request) override;

 private:
  Dispatcher dispatcher_;
  mutable std::mutex mutex_;
  std::shared_ptr<const HookSet> hooks_ = std::make_shared<HookSet>();
};

class WebhookPlugin final : public Plugin {
 public:
  ~WebhookPlugin() override;
  void init(InitContext& ctx) override;
  void start() override;
  void stop() override;

  const WebhookAdmission& admission() const { return *admission_; }

 private:
  void rebuild();

  AuthChains* auth_ = nullptr;
  std::string uri_;
  std::shared_ptr<spdlog::logger> log_;
  // Shared with other plugins; read as the kernel's loopback identity, as upstream's API
  // server reads its own configuration.
  std::shared_ptr<Informer> mutating_;
  std::shared_ptr<Informer> validating_;
  std::shared_ptr<Informer> namespaces_;
  std::vector<InformerRegistration> registrations_;
  std::shared_ptr<WebhookAdmission> admission_;
  std::mutex rebuild_mutex_;
};

}  // namespace ukube::webhook
