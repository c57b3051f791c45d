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
