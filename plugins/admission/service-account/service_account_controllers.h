#pragma once

#include <filesystem>
#include <memory>
#include <mutex>
#include <string>

#include "ukube/admission/plugin_support.h"
#include "ukube/controller/reconcile_loop.h"
#include "ukube/informer.h"

// The two controllers of upstream's controller manager the service-account plugin runs:
// each syncs one namespace at a time from a work queue fed by informers.
namespace ukube::admission {

// Keeps a "default" ServiceAccount in every active namespace (upstream's
// serviceaccounts-controller): a new or changed namespace is synced, and so is the
// namespace of a deleted "default" account.
class DefaultServiceAccountController {
 public:
  DefaultServiceAccountController(std::shared_ptr<Client> client, std::shared_ptr<Informer> namespaces,
                                  std::shared_ptr<Informer> accounts, std::shared_ptr<spdlog::logger> log);
  InformerHandlers namespace_handlers();
  InformerHandlers account_handlers();
  void start() { loop_.start(); }
  void stop() { loop_.stop(); }
  bool idle() const { return loop_.idle(); }

  // Creates the namespace's "default" account unless the cache shows it or the namespace
  // is gone or terminating; true when there is nothing left to do.
  bool sync(const std::string& ns);
  // The same without trusting the caches (admission asks when its lookup missed): creates
  // the account and accepts AlreadyExists; a missing or terminating namespace is left be.
  void ensure(const std::string& ns);

 private:
  std::shared_ptr<Client> client_;
  std::shared_ptr<Informer> namespaces_, accounts_;
  std::shared_ptr<spdlog::logger> log_;
  controller::ReconcileLoop loop_;
};

// Publishes the cluster CA as ConfigMap kube-root-ca.crt in every active namespace
// (upstream's root-ca-cert-publisher), and puts it back when it is changed or deleted.
class RootCAPublisher {
 public:
  RootCAPublisher(std::shared_ptr<Client> client, std::shared_ptr<Informer> namespaces,
                  std::shared_ptr<Informer> configmaps, std::filesystem::path ca_file,
                  std::shared_ptr<spdlog::logger> log);
  InformerHandlers namespace_handlers();
  InformerHandlers configmap_handlers();
  void start() { loop_.start(); }
  void stop() { loop_.stop(); }
  bool idle() const { return loop_.idle(); }

  bool sync(const std::string& ns);
  // The CA PEM, read from disk; empty while the file does not exist yet.
  std::string ca_pem();

 private:
  std::shared_ptr<Client> client_;
  std::shared_ptr<Informer> namespaces_, configmaps_;
  std::filesystem::path ca_file_;
  std::shared_ptr<spdlog::logger> log_;
  std::mutex mutex_;
  std::string ca_;
  controller::ReconcileLoop loop_;
};

// The description upstream's publisher annotates the ConfigMap with.
extern const char* const kRootCADescription;

}  // namespace ukube::admission
