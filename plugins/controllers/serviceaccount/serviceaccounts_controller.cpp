#include "serviceaccounts_controller.h"

#include <spdlog/logger.h>

#include <boost/json.hpp>

#include "ukube/errors.h"
#include "ukube/informer_factory.h"
#include "ukube/machinery/json.h"
#include "ukube/machinery/resources.h"

namespace ukube::controllers::serviceaccount {
namespace json = boost::json;
using controller::Result;

namespace {}  // namespace

ServiceAccountsController::ServiceAccountsController(const controller::ControllerDeps& deps, unsigned workers)
    : client_(deps.client),
      log_(deps.log),
      namespaces_(deps.informers->informer(machinery::kNamespaces)),
      accounts_(deps.informers->informer(machinery::kServiceAccounts)) {
  controller::LoopSettings settings;
  settings.name = "serviceaccount";
  settings.workers = workers;
  loop_ = std::make_unique<controller::ReconcileLoop>(
      settings, [this](const std::string& ns) { return sync(ns); }, log_);
}

ServiceAccountsController::~ServiceAccountsController() {
  stop();
}

void ServiceAccountsController::start() {
  if (!handlers_.empty()) return;
  auto by_namespace = [this](const ObjectPtr& ns) { loop_->add(machinery::name_of(*ns)); };
  handlers_.push_back(namespaces_->add_handlers(
      {by_namespace, [by_namespace](const ObjectPtr&, const ObjectPtr& ns) { by_namespace(ns); }, nullptr}));
  handlers_.push_back(accounts_->add_handlers({nullptr, nullptr, [this](const ObjectPtr& sa) {
                                                 if (machinery::name_of(*sa) == kDefaultAccount)
                                                   loop_->add(machinery::namespace_of(*sa));
                                               }}));
  loop_->start();
}

void ServiceAccountsController::stop() {
  handlers_.clear();
  loop_->stop();
}

Result ServiceAccountsController::sync(const std::string& ns) {
  if (!namespaces_->has_synced() || !accounts_->has_synced())
    return Result::requeue_after(std::chrono::milliseconds(100));
  ObjectPtr namespace_object = namespaces_->get(ns);
  if (!namespace_object || !machinery::is_namespace_active(*namespace_object)) return Result::done();
  if (accounts_->get(ns + "/" + kDefaultAccount)) return Result::done();
  json::object account{
      {"apiVersion", "v1"}, {"kind", "ServiceAccount"}, {"metadata", {{"name", kDefaultAccount}}}};
  try {
    WriteOptions options;
    options.return_object = false;
    client_->create(machinery::kServiceAccounts, ns, account, options);
    if (log_) log_->info("created service account {}/{}", ns, kDefaultAccount);
  } catch (const ApiError& e) {
    // Made meanwhile, or the namespace went or is going: nothing to retry.
    if (is_already_exists(e) || is_not_found(e) || is_namespace_terminating(e)) return Result::done();
    throw;
  }
  return Result::done();
}

}  // namespace ukube::controllers::serviceaccount
