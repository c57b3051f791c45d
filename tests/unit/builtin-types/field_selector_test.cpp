// Type-specific field selectors through the kernel's list.
#include "builtin_test_support.h"

namespace ukube::builtin::testing {
namespace {

std::vector<std::string> names(const ObjectList& list) {
  std::vector<std::string> out;
  for (const auto& o : list.items) out.emplace_back(o->at("metadata").at("name").as_string());
  return out;
}

TEST(FieldSelectors, Pods) {
  BuiltinKernel k;
  auto& c = k.client();
  c.create(
      kPods, "default",
      parse(R"({"metadata":{"name":"a"},"spec":{"nodeName":"n1","containers":[{"name":"a","image":"x"}]}})"));
  c.create(
      kPods, "default",
      parse(
          R"({"metadata":{"name":"b"},"spec":{"restartPolicy":"Never","containers":[{"name":"a","image":"x"}]}})"));
  auto list = [&](std::string selector) {
    ListOptions o;
    o.field_selector = std::move(selector);
    return names(c.list(kPods, "default", o));
  };
  EXPECT_EQ(list("spec.nodeName=n1"), std::vector<std::string>{"a"});
  EXPECT_EQ(list("spec.nodeName="), std::vector<std::string>{"b"});
  EXPECT_EQ(list("spec.restartPolicy=Never"), std::vector<std::string>{"b"});
  EXPECT_EQ(list("status.phase=Pending,spec.schedulerName=default-scheduler").size(), 2u);
  EXPECT_EQ(list("spec.serviceAccountName=default").size(), 2u);
  auto e = expect_api_error([&] { list("spec.nope=1"); });
  EXPECT_EQ(e.code(), 400);
}

TEST(FieldSelectors, EventsBySubject) {
  BuiltinKernel k;
  auto& c = k.client();
  c.create(
      kEvents, "default",
      parse(
          R"({"metadata":{"name":"e1"},"involvedObject":{"kind":"Pod","name":"web","namespace":"default","uid":"u1"},"reason":"Pulled","type":"Normal","source":{"component":"kubelet"}})"));
  c.create(
      kEvents, "default",
      parse(
          R"({"metadata":{"name":"e2"},"involvedObject":{"kind":"Pod","name":"api","namespace":"default","uid":"u2"},"reason":"BackOff","type":"Warning"})"));
  ListOptions o;
  o.field_selector = "involvedObject.name=web,involvedObject.namespace=default,involvedObject.uid=u1";
  EXPECT_EQ(names(c.list(kEvents, "default", o)), std::vector<std::string>{"e1"});
  o.field_selector = "type=Warning";
  EXPECT_EQ(names(c.list(kEvents, "default", o)), std::vector<std::string>{"e2"});
  o.field_selector = "source=kubelet";
  EXPECT_EQ(names(c.list(kEvents, "default", o)), std::vector<std::string>{"e1"});
}

// Upstream serves one store of Events through core/v1 and events.k8s.io/v1: each API sees
// every Event in its own shape, and selects on its own field names.
TEST(FieldSelectors, BothEventApisShareOneStore) {
  const GroupVersionResource events_v1{"events.k8s.io", "v1", "events"};
  BuiltinKernel k;
  auto& c = k.client();
  c.create(
      kEvents, "default",
      parse(
          R"({"metadata":{"name":"core"},"involvedObject":{"kind":"Pod","name":"web","namespace":"default"},"reason":"Pulled","message":"pulled","type":"Normal","count":2,"reportingComponent":"kubelet"})"));
  c.create(
      events_v1, "default",
      parse(
          R"({"metadata":{"name":"new"},"eventTime":"2026-01-02T03:04:05.000000Z","reportingController":"example.com/ctl","reportingInstance":"ctl-1","action":"Sync","reason":"Synced","regarding":{"kind":"Pod","name":"api","namespace":"default"},"note":"synced","type":"Normal"})"));

  auto as_core = c.get(kEvents, "default", "new");
  EXPECT_EQ(as_core->at("apiVersion"), "v1");
  EXPECT_EQ(as_core->at("message"), "synced");
  EXPECT_EQ(as_core->at("involvedObject").at("name"), "api");
  EXPECT_EQ(as_core->at("reportingComponent"), "example.com/ctl");
  EXPECT_FALSE(as_core->contains("note"));
  auto as_v1 = c.get(events_v1, "default", "core");
  EXPECT_EQ(as_v1->at("apiVersion"), "events.k8s.io/v1");
  EXPECT_EQ(as_v1->at("note"), "pulled");
  EXPECT_EQ(as_v1->at("regarding").at("name"), "web");
  EXPECT_EQ(as_v1->at("deprecatedCount"), 2);
  EXPECT_EQ(as_v1->at("reportingController"), "kubelet");
  EXPECT_FALSE(as_v1->contains("involvedObject"));

  EXPECT_EQ(names(c.list(kEvents, "default", {})), (std::vector<std::string>{"core", "new"}));
  ListOptions o;
  o.field_selector = "regarding.name=api";
  EXPECT_EQ(names(c.list(events_v1, "default", o)), std::vector<std::string>{"new"});
  o.field_selector = "reportingController=kubelet";
  EXPECT_EQ(names(c.list(events_v1, "default", o)), std::vector<std::string>{"core"});
  o.field_selector = "involvedObject.name=api";
  EXPECT_EQ(names(c.list(kEvents, "default", o)), std::vector<std::string>{"new"});

  // A write through either API lands on the one object. Through events.k8s.io/v1 an Event
  // is a record, as upstream: its series may change, what it says may not.
  auto counted = c.patch(events_v1, "default", "new", PatchType::JsonMerge,
                         R"({"series":{"count":2,"lastObservedTime":"2026-01-02T03:05:05.000000Z"}})");
  EXPECT_EQ(counted->at("series").at("count"), 2);
  EXPECT_EQ(c.get(kEvents, "default", "new")->at("series").at("count"), 2);
  auto immutable = expect_api_error(
      [&] { c.patch(events_v1, "default", "core", PatchType::JsonMerge, R"({"note":"pulled again"})"); });
  EXPECT_EQ(immutable.code(), 422);
  EXPECT_NE(std::string(immutable.what()).find("note: Invalid value: \"pulled again\": field is immutable"),
            std::string::npos)
      << immutable.what();
  c.patch(kEvents, "default", "core", PatchType::JsonMerge, R"({"message":"pulled again"})");
  EXPECT_EQ(c.get(events_v1, "default", "core")->at("note"), "pulled again");
  c.remove(events_v1, "default", "core");
  EXPECT_EQ(names(c.list(kEvents, "default", {})), std::vector<std::string>{"new"});
}

TEST(FieldSelectors, SecretsNodesNamespaces) {
  BuiltinKernel k;
  auto& c = k.client();
  c.create(
      kSecrets, "default",
      parse(R"({"metadata":{"name":"tls"},"type":"kubernetes.io/tls","data":{"tls.crt":"","tls.key":""}})"));
  c.create(kSecrets, "default", parse(R"({"metadata":{"name":"plain"}})"));
  ListOptions o;
  o.field_selector = "type=Opaque";
  EXPECT_EQ(names(c.list(kSecrets, "default", o)), std::vector<std::string>{"plain"});

  c.create(kNodes, "", parse(R"({"metadata":{"name":"n1"},"spec":{"unschedulable":true}})"));
  c.create(kNodes, "", parse(R"({"metadata":{"name":"n2"}})"));
  o.field_selector = "spec.unschedulable=false";
  EXPECT_EQ(names(c.list(kNodes, "", o)), std::vector<std::string>{"n2"});

  c.create(kNamespaces, "", parse(R"({"metadata":{"name":"a"}})"));
  o.field_selector = "status.phase=Active";
  EXPECT_EQ(names(c.list(kNamespaces, "", o)), (std::vector<std::string>{"a", "default"}));
}

}  // namespace
}  // namespace ukube::builtin::testing
