#pragma once

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <functional>
#include <string>
#include <vector>

#include "admission/webhook/dispatcher.h"
#include "admission/webhook/webhook_config.h"
#include "ukube/types.h"

// Builders shared by the admission webhook unit tests.
namespace ukube::webhook::testing {

namespace json = boost::json;

inline json::object parse(const std::string& text) {
  return json::parse(text).as_object();
}

inline TypeInfo type(std::string group, std::string version, std::string kind, std::string plural,
                     bool namespaced) {
  TypeInfo t;
  t.group = std::move(group);
  t.version = std::move(version);
  t.kind = std::move(kind);
  t.plural = std::move(plural);
  t.namespaced = namespaced;
  return t;
}

inline const TypeInfo& configmaps() {
  static const TypeInfo t = type("", "v1", "ConfigMap", "configmaps", true);
  return t;
}
inline const TypeInfo& pods() {
  static const TypeInfo t = type("", "v1", "Pod", "pods", true);
  return t;
}
inline const TypeInfo& namespaces() {
  static const TypeInfo t = type("", "v1", "Namespace", "namespaces", false);
  return t;
}
inline const TypeInfo& nodes() {
  static const TypeInfo t = type("", "v1", "Node", "nodes", false);
  return t;
}
inline const TypeInfo& deployments() {
  static const TypeInfo t = type("apps", "v1", "Deployment", "deployments", true);
  return t;
}

// A webhook that matches every operation on every resource, reached at `url`.
inline Webhook any_hook(std::string name, bool mutating, std::string url = "https://127.0.0.1:1/hook") {
  Webhook w;
  w.name = std::move(name);
  w.mutating = mutating;
  w.url = std::move(url);
  w.rules = {Rule{{"*"}, {"*"}, {"*"}, {"*/*"}, "*"}};
  w.side_effects = "None";
  w.review_versions = {"v1"};
  return w;
}

// Answers every POST from a function of the request body, and records what was sent.
class FakeTransport : public Transport {
 public:
  using Answer = std::function<HttpResult(const HttpCall&, const json::object& review)>;
  explicit FakeTransport(Answer answer) : answer_(std::move(answer)) {}
  HttpResult post(const HttpCall& call) override {
    calls.push_back(call);
    return answer_(call, json::parse(call.body).as_object());
  }
  std::vector<HttpCall> calls;

 private:
  Answer answer_;
};

// A well-formed AdmissionReview answer to `review`, with `response` members merged in.
inline HttpResult answer(const json::object& review, json::object response) {
  response["uid"] = review.at("request").at("uid");
  json::object doc{
      {"apiVersion", "admission.k8s.io/v1"}, {"kind", "AdmissionReview"}, {"response", response}};
  return HttpResult{true, 200, json::serialize(doc), ""};
}

}  // namespace ukube::webhook::testing
