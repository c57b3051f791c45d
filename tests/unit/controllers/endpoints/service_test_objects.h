#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <boost/json.hpp>

#include "tests/support/eventually.h"
#include "ukube/informer_factory.h"
#include "ukube/machinery/json.h"
#include "ukube/machinery/resources.h"
#include "ukube/machinery/service_endpoints.h"
#include "ukube/testing/fake_client.h"

// Services, pods and nodes as the endpoints and EndpointSlice controllers' tests build them
// (both test folders include this header), and a way to wait for an informer's cache.
namespace ukube::endpoints_test {

namespace json = boost::json;
using namespace std::chrono_literals;

using ukube::testing::eventually;

// A pod of namespace "default" with an IP, Running, on node n1, with one container.
class TestPod {
 public:
  TestPod(const std::string& name, const std::string& ip) {
    o_ = json::object{
        {"apiVersion", "v1"},
        {"kind", "Pod"},
        {"metadata", json::object{{"name", name},
                                  {"namespace", "default"},
                                  {"uid", "uid-" + name},
                                  {"labels", json::object{{"app", "web"}}}}},
        {"spec", json::object{{"nodeName", "n1"},
                              {"containers", json::array{json::object{{"name", "c"}, {"image", "nginx"}}}}}},
        {"status", json::object{{"phase", "Running"}}}};
    if (!ip.empty()) status()["podIP"] = ip;
  }
  TestPod& labels(json::object labels) {
    meta()["labels"] = std::move(labels);
    return *this;
  }
  TestPod& node(const std::string& node) {
    spec()["nodeName"] = node;
    return *this;
  }
  TestPod& ips(const std::vector<std::string>& ips) {
    json::array list;
    for (const auto& ip : ips) list.push_back(json::object{{"ip", ip}});
    status()["podIPs"] = std::move(list);
    if (!ips.empty()) status()["podIP"] = ips.front();
    return *this;
  }
  // Ready condition True since `since`.
  TestPod& ready(const std::string& since = "2024-05-01T10:00:00Z") {
    conditions().push_back(
        json::object{{"type", "Ready"}, {"status", "True"}, {"lastTransitionTime", since}});
    return *this;
  }
  TestPod& not_ready(const std::string& since = "2024-05-01T10:00:00Z") {
    conditions().push_back(
        json::object{{"type", "Ready"}, {"status", "False"}, {"lastTransitionTime", since}});
    return *this;
  }
  TestPod& phase(const std::string& phase) {
    status()["phase"] = phase;
    return *this;
  }
  TestPod& terminating() {
    meta()["deletionTimestamp"] = "2024-05-01T11:00:00Z";
    return *this;
  }
  // A port of the first container.
  TestPod& port(const std::string& name, int64_t number, const std::string& protocol = "TCP") {
    auto& containers = machinery::child_array(spec(), "containers");
    machinery::child_array(containers[0].as_object(), "ports")
        .push_back(json::object{{"name", name}, {"containerPort", number}, {"protocol", protocol}});
    return *this;
  }
  // A sidecar (an init container that keeps running) with a named port.
  TestPod& sidecar_port(const std::string& name, int64_t number) {
    machinery::child_array(spec(), "initContainers")
        .push_back(json::object{
            {"name", "sidecar"},
            {"image", "proxy"},
            {"restartPolicy", "Always"},
            {"ports",
             json::array{json::object{{"name", name}, {"containerPort", number}, {"protocol", "TCP"}}}}});
    return *this;
  }
  TestPod& hostname(const std::string& hostname, const std::string& subdomain) {
    spec()["hostname"] = hostname;
    spec()["subdomain"] = subdomain;
    return *this;
  }
  TestPod& resource_version(const std::string& rv) {
    meta()["resourceVersion"] = rv;
    return *this;
  }
  const json::object& object() const { return o_; }
  ObjectPtr ptr() const { return std::make_shared<const json::object>(o_); }

 private:
  json::object& meta() { return machinery::child(o_, "metadata"); }
  json::object& spec() { return machinery::child(o_, "spec"); }
  json::object& status() { return machinery::child(o_, "status"); }
  json::array& conditions() { return machinery::child_array(status(), "conditions"); }
  json::object o_;
};

// A ClusterIP Service "web" of namespace "default" selecting app=web, with port 80 → 8080
// unless told otherwise, created at 2024-05-01T09:00:00Z.
class TestService {
 public:
  explicit TestService(const std::string& name = "web") {
    o_ = json::object{
        {"apiVersion", "v1"},
        {"kind", "Service"},
        {"metadata", json::object{{"name", name},
                                  {"namespace", "default"},
                                  {"uid", "svc-uid-" + name},
                                  {"creationTimestamp", "2024-05-01T09:00:00Z"}}},
        {"spec",
         json::object{
             {"type", "ClusterIP"},
             {"clusterIP", "10.43.0.10"},
             {"ipFamilies", json::array{"IPv4"}},
             {"selector", json::object{{"app", "web"}}},
             {"ports", json::array{json::object{
                           {"name", "http"}, {"port", 80}, {"protocol", "TCP"}, {"targetPort", 8080}}}}}}};
  }
  TestService& selector(json::object selector) {
    spec()["selector"] = std::move(selector);
    return *this;
  }
  TestService& no_selector() {
    spec().erase("selector");
    return *this;
  }
  TestService& ports(json::array ports) {
    spec()["ports"] = std::move(ports);
    return *this;
  }
  TestService& no_ports() {
    spec().erase("ports");
    return *this;
  }
  TestService& target_port(json::value target) {
    machinery::child_array(spec(), "ports")[0].as_object()["targetPort"] = std::move(target);
    return *this;
  }
  TestService& headless() {
    spec()["clusterIP"] = "None";
    return *this;
  }
  TestService& ipv6() {
    spec()["clusterIP"] = "fd00:43::10";
    spec()["ipFamilies"] = json::array{"IPv6"};
    return *this;
  }
  TestService& publish_not_ready() {
    spec()["publishNotReadyAddresses"] = true;
    return *this;
  }
  TestService& labels(json::object labels) {
    meta()["labels"] = std::move(labels);
    return *this;
  }
  TestService& uid(const std::string& uid) {
    meta()["uid"] = uid;
    return *this;
  }
  TestService& external_name() {
    spec()["type"] = "ExternalName";
    spec()["externalName"] = "example.com";
    return *this;
  }
  const json::object& object() const { return o_; }
  ObjectPtr ptr() const { return std::make_shared<const json::object>(o_); }
  std::string key() const { return "default/" + machinery::name_of(o_); }

 private:
  json::object& meta() { return machinery::child(o_, "metadata"); }
  json::object& spec() { return machinery::child(o_, "spec"); }
  json::object o_;
};

inline json::object test_node(const std::string& name, const std::string& zone = "") {
  json::object labels;
  if (!zone.empty()) labels[machinery::kTopologyZoneLabel] = zone;
  return json::object{{"apiVersion", "v1"},
                      {"kind", "Node"},
                      {"metadata", json::object{{"name", name}, {"labels", std::move(labels)}}}};
}

// Waits until the factory's informer for `gvr` shows object `key` as the client stores it
// (or, when the client has none, shows none either).
inline bool cache_caught_up(SharedInformerFactory& informers, testing::FakeClient& client,
                            const GroupVersionResource& gvr, const std::string& key) {
  auto informer = informers.informer(gvr);
  const auto slash = key.find('/');
  const std::string ns = slash == std::string::npos ? "" : key.substr(0, slash);
  const std::string name = slash == std::string::npos ? key : key.substr(slash + 1);
  return eventually([&] {
    ObjectPtr stored;
    try {
      stored = client.objects().get(gvr, ns, name);
    } catch (const std::exception&) {
    }
    ObjectPtr cached = informer->get(key);
    if (!stored || !cached) return !stored && !cached;
    return machinery::meta_string(*stored, "resourceVersion") ==
           machinery::meta_string(*cached, "resourceVersion");
  });
}

// Waits until the informer for `gvr` holds exactly the objects of namespace default (of
// no namespace for nodes) the client stores, at the same versions.
inline bool cache_matches(SharedInformerFactory& informers, testing::FakeClient& client,
                          const GroupVersionResource& gvr) {
  auto informer = informers.informer(gvr);
  const std::string ns = gvr == machinery::kNodes ? "" : "default";
  return eventually([&] {
    auto stored = client.objects().list(gvr, ns).items;
    size_t cached_count = 0;
    for (const auto& o : informer->list())
      if (machinery::namespace_of(*o) == ns) ++cached_count;
    if (cached_count != stored.size()) return false;
    for (const auto& o : stored) {
      ObjectPtr cached = informer->get(object_key(*o));
      if (!cached ||
          machinery::meta_string(*cached, "resourceVersion") != machinery::meta_string(*o, "resourceVersion"))
        return false;
    }
    return true;
  });
}

}  // namespace ukube::endpoints_test
