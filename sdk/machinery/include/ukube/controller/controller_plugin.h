#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "ukube/client.h"
#include "ukube/controller/event_recorder.h"
#include "ukube/controller/shared_leadership.h"
#include "ukube/informer_factory.h"
#include "ukube/machinery/export.h"
#include "ukube/plugin.h"

namespace spdlog {
class logger;
}

// The plugin shape of every controller of upstream's kube-controller-manager: it acts as
// its own service account, writes Events as its component, and runs only while this
// process holds the kube-controller-manager Lease (when leader election is on; a single
// server runs at once). A controller plugin supplies its name and a factory for its
// working parts; the base does the rest.
namespace ukube::controller {

// What a running controller is given.
struct ControllerDeps {
  std::shared_ptr<Client> client;  // as system:serviceaccount:kube-system:<service account>
  InformerFactory* informers = nullptr;
  std::shared_ptr<spdlog::logger> log;
  EventRecorder* events = nullptr;  // source component: the service account's name
};

// A controller's working parts while it runs: made when it starts (or starts leading)
// and destroyed after stop(), so handlers and worker threads never outlive the lease.
class UKUBE_MACHINERY_API RunningController {
 public:
  virtual ~RunningController();
  // Registers informer handlers and starts the reconcile loops; returns promptly.
  virtual void start() = 0;
  // Drops the handlers and stops the loops; returns when no reconcile is under way.
  virtual void stop() = 0;
};

// The two settings every controller's config message carries: `workers`, the reconciles
// run at once (upstream's --concurrent-<x>-syncs; 0 means the controller's default), and
// `leader_elect`, to run only while this server holds the kube-controller-manager Lease.
struct ControllerSettings {
  unsigned workers = 1;
  bool leader_elect = false;
};

template <class Config>
ControllerSettings controller_settings(const Config& config, unsigned default_workers) {
  return {config.workers() > 0 ? static_cast<unsigned>(config.workers()) : default_workers,
          config.leader_elect()};
}

struct ControllerIdentity {
  std::string name;             // upstream's controller name, as --controllers spells it: "replicaset"
  std::string service_account;  // its service account in kube-system: "replicaset-controller"
};

class UKUBE_MACHINERY_API ControllerPlugin : public Plugin {
 public:
  ~ControllerPlugin() override;
  void init(InitContext& ctx) final;
  void start() final;
  void stop() final;

  // The working parts while running; null while standing by (tests reach through this).
  RunningController* running() const;
  const ControllerSettings& settings() const { return settings_; }

 protected:
  explicit ControllerPlugin(ControllerIdentity identity);

  // Reads the plugin's config into settings_ (controller_settings()) and anything of its
  // own; called by init() before anything else.
  virtual void configure(InitContext& ctx) {}
  virtual std::unique_ptr<RunningController> make_running(const ControllerDeps& deps) = 0;

  const ControllerIdentity& identity() const { return identity_; }
  ControllerSettings settings_;

 private:
  void run_controller();
  void halt_controller();

  ControllerIdentity identity_;
  ControllerDeps deps_;
  std::shared_ptr<Client> lease_client_;
  std::unique_ptr<EventRecorder> events_;
  mutable std::mutex mutex_;
  std::unique_ptr<RunningController> running_;
  LeadershipMembership membership_;
};

}  // namespace ukube::controller
