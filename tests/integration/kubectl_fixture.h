#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <iostream>
#include <memory>
#include <string>

#include "tests/integration/kubectl_harness.h"

// What the kubectl test fixtures share: a node, one kubectl pointed at it, and the ways
// they run it. `Base` is ::testing::Test, or TestWithParam<...> for tests run per kubectl.
namespace ukube::testing {

// What a test running kubelets starts with before its own plugins: kubelets authorised by
// the Node authorizer and NodeRestriction, pods bound by the scheduler.
inline const std::string kNodeSidePlugins =
    "  - uri: ukube.authorizer.v1.node\n"
    "  - uri: ukube.admission.v1.node-restriction\n"
    "  - uri: ukube.scheduler.v1.default\n";

// What the tests running real workloads (the process and runc runtimes) add to those: service
// accounts and the controllers behind Deployments.
inline const std::string kWorkloadPlugins = kNodeSidePlugins +
                                            "  - uri: ukube.authenticator.v1.serviceaccount\n"
                                            "  - uri: ukube.admission.v1.service-account\n"
                                            "  - uri: ukube.controller.v1.serviceaccount\n"
                                            "  - uri: ukube.controller.v1.root-ca-cert-publisher\n"
                                            "  - uri: ukube.controller.v1.replicaset\n"
                                            "  - uri: ukube.controller.v1.deployment\n"
                                            "  - uri: ukube.controller.v1.garbagecollector\n";

template <class Base = ::testing::Test>
class KubectlFixture : public Base {
 protected:
  // Starts a node with `extra_plugins` beside the base set, with kubectl `binary`.
  void start_node(const std::string& binary, const std::string& extra_plugins = "") {
    node_ = std::make_unique<Node>(extra_plugins);
    ASSERT_TRUE(node_->ready()) << "the daemon did not write its admin kubeconfig:\n" << node_->log();
    kubectl_ = std::make_unique<Kubectl>(binary, *node_);
  }
  // The newest kubectl the project supports, or whatever `kubectl` is on PATH.
  static std::string newest_kubectl() {
    std::string binary = kubectl_binary("1.33");
    return binary.empty() ? "kubectl" : binary;
  }
  void TearDown() override {
    if (this->HasFailure() && node_) std::cerr << "daemon log:\n" << node_->log() << "\n";
  }

  // Runs kubectl and expects success; returns its output.
  std::string ok(const std::string& args, const std::string& stdin_text = "") {
    CommandResult r = (*kubectl_)(args, stdin_text);
    EXPECT_EQ(r.exit_code, 0) << "kubectl " << args << "\n" << r.out;
    return r.out;
  }
  // Runs kubectl and expects it to fail.
  CommandResult refused(const std::string& args, const std::string& stdin_text = "") {
    CommandResult r = (*kubectl_)(args, stdin_text);
    EXPECT_NE(r.exit_code, 0) << "kubectl " << args << " should have failed\n" << r.out;
    return r;
  }
  // `kubectl get <what>` through a jsonpath.
  std::string get(const std::string& what, const std::string& jsonpath) {
    return (*kubectl_)("get " + what + " -o jsonpath=" + shell_quote("{" + jsonpath + "}")).out;
  }
  // Polls `kubectl get` until the jsonpath reads `want`.
  bool reads(const std::string& what, const std::string& jsonpath, const std::string& want) {
    return eventually([&] { return get(what, jsonpath) == want; }, std::chrono::seconds(30));
  }

  std::unique_ptr<Node> node_;
  std::unique_ptr<Kubectl> kubectl_;
};

}  // namespace ukube::testing
