#pragma once

#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "quota_evaluators.h"
#include "ukube/admission/plugin_support.h"
#include "ukube/controller/reconcile_loop.h"
#include "ukube/informer.h"
#include "ukube/informer_factory.h"
#include "ukube/machinery/resource_list.h"

// ukube.admission.v1.resource-quota: upstream's ResourceQuota admission plugin and the
// resource quota controller that keeps each quota's status.
//
// Admission (validating phase, last in upstream's order) charges every create (and the
// updates of services and claims that grow them) to the namespace's quotas whose
// status.hard tracks it: a request that would take status.used past status.hard is refused
// with upstream's `exceeded quota: ...`, a pod missing a request the quota requires with
// `failed quota: ...`; otherwise status.used is raised before the object is stored
// (compare-and-swap on the quota's resourceVersion, retried on conflict). A quota whose
// status the controller has not written yet constrains nothing, as upstream.
//
// The reconciler recomputes status.hard (= spec.hard) and status.used from the objects
// themselves when a quota is created or changed, when an object is deleted or its usage
// changes (a pod that finishes stops using cpu and memory), and every resync period, so
// usage falls after deletes and a charge whose object was never stored wears off.
//
// Admission and reconciler work on one namespace at a time (a lock per namespace), and an
// admitted object is remembered until the informers show it (or a short while passes), so
// a recount never misses an object admitted but not yet seen, nor counts it twice.
namespace ukube::admission {

// What admission has charged and the caches may not show yet, by namespace.
class QuotaLedger {
 public:
  struct Charge {
    std::string uid;
    std::string resource;                        // plural.group
    std::shared_ptr<const json::object> object;  // as admitted: counted in its stead
    std::chrono::steady_clock::time_point at;
  };
  explicit QuotaLedger(std::chrono::milliseconds ttl) : ttl_(ttl) {}

  std::mutex& namespace_lock(const std::string& ns);
  void charge(const std::string& ns, Charge c);
  // The charges of `ns` not yet observed and younger than the time to live.
  std::vector<Charge> pending(const std::string& ns);
  // The object with this uid is in a cache now: its charge is counted from there.
  void observed(const std::string& uid);
  std::chrono::milliseconds ttl() const { return ttl_; }

 private:
  std::chrono::milliseconds ttl_;
  std::mutex mutex_;
  std::map<std::string, std::unique_ptr<std::mutex>> locks_;
  std::map<std::string, std::vector<Charge>> pending_;
};

class QuotaReconciler;

class ResourceQuotaAdmission final : public AdmissionPlugin {
 public:
  ResourceQuotaAdmission(std::shared_ptr<Client> client, std::shared_ptr<Informer> quotas,
                         std::shared_ptr<QuotaLedger> ledger,
                         std::function<void(const std::string&)> recount);
  void validate(const AdmissionRequest& request) override;

 private:
  std::shared_ptr<Client> client_;
  std::shared_ptr<Informer> quotas_;
  std::shared_ptr<QuotaLedger> ledger_;
  std::function<void(const std::string&)> recount_;
};

class QuotaReconciler {
 public:
  struct Options {
    std::chrono::milliseconds resync{std::chrono::minutes(5)};  // upstream's --resource-quota-sync-period
  };
  // Reads through the process's shared informers: quotas, and the resources quotas
  // commonly count, each with a "namespace" index; any other resource gets its informer
  // the first time a quota counts it, as upstream's quota controller watches every
  // resource it counts.
  QuotaReconciler(std::shared_ptr<Client> client, TypeRegistry& types, InformerFactory& informers,
                  std::shared_ptr<QuotaLedger> ledger, std::shared_ptr<spdlog::logger> log, Options options);
  ~QuotaReconciler();

  InformerHandlers quota_handlers();
  InformerHandlers object_handlers(const std::string& resource);
  // Handlers are registered here and removed by stop(); indices live as long as this.
  void start();
  void stop();
  const std::shared_ptr<Informer>& quotas() const { return quotas_.informer; }
  std::vector<const Informer*> caches();
  bool idle() const { return loop_.idle(); }
  void recount(const std::string& ns) { loop_.add(ns); }
  // A recount `delay` from now, unless one is already due within a second of that.
  void recount_later(const std::string& ns, std::chrono::milliseconds delay);

  // Brings every quota of `ns` up to date; false when it has to be tried again.
  bool sync(const std::string& ns);
  // What the quota's status should read: status.hard = spec.hard, status.used counted.
  ResourceList count_usage(const std::string& ns, const json::object& quota);

 private:
  bool has_quotas(const std::string& ns) const;
  // A shared informer with this reconciler's namespace index and, once started, handlers.
  struct Cache {
    std::shared_ptr<Informer> informer;
    InformerRegistration index;
    InformerRegistration handlers;
  };
  Cache make_cache(const GroupVersionResource& gvr);
  // The cache of a resource, made on first use; null if it could not list.
  std::shared_ptr<Informer> informer_for(const TypeInfo& type);

  std::shared_ptr<Client> client_;
  TypeRegistry& types_;
  InformerFactory& factory_;
  Cache quotas_;
  std::mutex informers_mutex_;
  std::map<std::string, Cache> informers_;  // by resource (plural.group)
  bool handling_ = false;                   // between start() and stop(), under informers_mutex_
  std::mutex later_mutex_;
  std::map<std::string, std::chrono::steady_clock::time_point> later_;  // delayed recounts due
  std::shared_ptr<QuotaLedger> ledger_;
  std::shared_ptr<spdlog::logger> log_;
  Options options_;
  controller::ReconcileLoop loop_;
  std::mutex resync_mutex_;
  std::condition_variable resync_cv_;
  bool stopping_ = false;
  std::thread resync_;
};

class ResourceQuotaPlugin final : public AdmissionPluginShell {
 public:
  ~ResourceQuotaPlugin() override;
  void init(InitContext& ctx) override;
  void start() override;

  QuotaReconciler& reconciler() { return *reconciler_; }

 private:
  void stop_workers() override;
  std::shared_ptr<QuotaReconciler> reconciler_;
};

}  // namespace ukube::admission
