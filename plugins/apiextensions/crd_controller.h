#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <boost/json/fwd.hpp>

#include "ukube/client.h"
#include "ukube/controller/reconcile_loop.h"
#include "ukube/https/transport.h"
#include "ukube/informer.h"
#include "ukube/types.h"

namespace spdlog {
class logger;
}

// What upstream's apiextensions-apiserver controllers do, in one reconcile per definition:
//  - naming: accept the names that no other definition of the group holds
//    (status.acceptedNames, condition NamesAccepted);
//  - serving: register a type per served version (custom_resource_type.h) and mark the
//    definition Established;
//  - cleanup: a definition being deleted loses its instances first, then its
//    customresourcecleanup finalizer (condition Terminating), then its types.
// Every API server runs it: serving is per process.
namespace ukube::apiextensions {

class CrdController {
 public:
  CrdController(TypeRegistry& registry, std::shared_ptr<Client> client, std::shared_ptr<Informer> crds,
                std::shared_ptr<https::Transport> webhooks,
                std::shared_ptr<const boost::json::object> object_meta_schema,
                std::shared_ptr<spdlog::logger> log);
  ~CrdController();

  // Serves every stored definition at once (so a restarted server answers for custom
  // resources from its first request), then follows changes.
  void start();
  void stop();

  controller::Result sync(const std::string& name);
  bool idle() const { return loop_.idle(); }

 private:
  struct Served {
    std::string resource_version;  // of the definition last served
    std::vector<GroupVersionResource> types;
  };

  // Registers the definition's types as `crd` describes them; false (and the reason in
  // `why`) when a type is taken by something else.
  bool serve(const boost::json::object& crd, bool terminating, std::string& why);
  void unserve(const std::string& name);
  controller::Result clean_up(const boost::json::object& crd);
  // Writes status.conditions / acceptedNames / storedVersions when they changed.
  bool write_status(const boost::json::object& crd, boost::json::object status);
  boost::json::object accepted_names(const boost::json::object& crd,
                                     boost::json::object& names_condition) const;

  TypeRegistry& registry_;
  std::shared_ptr<Client> client_;
  std::shared_ptr<Informer> crds_;
  std::shared_ptr<https::Transport> webhooks_;
  std::shared_ptr<spdlog::logger> log_;
  std::shared_ptr<const boost::json::object> object_meta_schema_;
  controller::ReconcileLoop loop_;
  InformerRegistration handlers_;
  std::mutex mutex_;
  std::map<std::string, Served> served_;  // by definition name
};

}  // namespace ukube::apiextensions
