#pragma once

#include "ukube/admission/plugin_support.h"

// ukube.admission.v1.default-toleration-seconds: upstream's DefaultTolerationSeconds. A pod
// (created or updated) that does not already tolerate them gets NoExecute tolerations of
// node.kubernetes.io/not-ready and node.kubernetes.io/unreachable for 300 seconds. A
// toleration with an empty key (all taints) or empty effect (all effects) counts.
namespace ukube::admission {

class DefaultTolerationSeconds final : public AdmissionPlugin {
 public:
  explicit DefaultTolerationSeconds(int64_t seconds = 300) : seconds_(seconds) {}
  void admit(AdmissionRequest& request) override;

 private:
  int64_t seconds_;
};

class DefaultTolerationSecondsPlugin final : public AdmissionPluginShell {
 public:
  ~DefaultTolerationSecondsPlugin() override;
  void init(InitContext& ctx) override;
};

}  // namespace ukube::admission
