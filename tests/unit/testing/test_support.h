#pragma once

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <optional>
#include <string>

#include "ukube/errors.h"
#include "ukube/testing/fake_client.h"

// Objects and error capture shared by the test kit's own tests.
namespace ukube::testing::kit {

namespace json = boost::json;

inline const GroupVersionResource kPods{"", "v1", "pods"};
inline const GroupVersionResource kDeployments{"apps", "v1", "deployments"};
inline const GroupVersionResource kConfigMaps{"", "v1", "configmaps"};

inline json::object parse(const std::string& text) {
  return json::parse(text).as_object();
}

// A pod named `name` in `ns` with `labels` (a JSON object) and `spec` (a JSON object).
inline json::object pod(const std::string& name, const std::string& ns = "default",
                        const std::string& labels = "{}", const std::string& spec = R"({"containers":[]})") {
  return parse(R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":")" + name + R"(","namespace":")" + ns +
               R"(","labels":)" + labels + R"(},"spec":)" + spec + "}");
}

inline std::string rv_of(const json::object& o) {
  return std::string(o.at("metadata").at("resourceVersion").as_string());
}

// The ApiError `call` throws; a test failure when it throws none.
template <class F>
std::optional<ApiError> error_of(F&& call) {
  try {
    call();
  } catch (const ApiError& e) {
    return e;
  }
  ADD_FAILURE() << "expected an ApiError";
  return std::nullopt;
}

}  // namespace ukube::testing::kit
