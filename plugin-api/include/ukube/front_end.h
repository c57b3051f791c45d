#pragma once

#include <string>
#include <vector>

#include "ukube/export.h"

namespace ukube {

// What a plugin serving the Kubernetes API tells the others, as an optional capability of
// its Plugin (ctx.all_of<ApiFrontEnd>()): where clients reach it. The default/kubernetes
// Service's endpoints point there, so it is the port really bound, known once the front
// end's init() has run.
class UKUBE_API ApiFrontEnd {
 public:
  virtual ~ApiFrontEnd();
  // "host:port" ("[::1]:6443" for IPv6), the host as the front end listens on it
  // (0.0.0.0 or :: when on every address).
  virtual std::string serving_address() const = 0;
  // Names clients inside the cluster reach the front end by (the kubernetes Service's
  // address, kubernetes.default.svc, ...): its serving certificate covers them once this
  // returns, reissued if it did not.
  virtual void add_serving_names(const std::vector<std::string>& names) = 0;
};

}  // namespace ukube
