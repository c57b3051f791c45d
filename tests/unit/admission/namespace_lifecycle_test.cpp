// namespace-lifecycle: upstream's messages for missing and terminating namespaces and
// immortal ones, from the plugin itself and through the kernel.
#include "admission/namespace-lifecycle/namespace_lifecycle.h"
#include "admission_test_support.h"
#include "ukube/informer.h"

namespace ukube::admission::testing {
namespace {

// A namespace held Terminating by a finalizer on its content.
void terminate_with_content(AdmissionKernel& k, const std::string& ns) {
  k.create_namespace(ns);
  k.admin().create(
      kConfigMapsR, ns,
      parse(
          R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"held","finalizers":["test/hold"]}})"));
  k.admin().remove(kNamespacesR, "", ns);
  ASSERT_EQ(str(*k.admin().get(kNamespacesR, "", ns), "status.phase"), "Terminating");
}

struct Direct {
  const char* name;
  AdmissionOperation op;
  const char* ns;
  int code;  // 0: admitted
  const char* message;
};

TEST(NamespaceLifecycle, JudgesEachRequestAsUpstream) {
  AdmissionKernel k;
  terminate_with_content(k, "closing");
  auto client = k.client(UserInfo{"system:apiserver", "", {"system:masters"}, {}});
  auto informer = std::make_shared<Informer>(client, kNamespacesR);
  informer->start();
  NamespaceLifecycle plugin(client, informer);
  auto pods = k.type(kPodsR);

  const Direct cases[] = {
      {"create in an active namespace", AdmissionOperation::Create, "team-a", 0, ""},
      {"create in a missing namespace", AdmissionOperation::Create, "nowhere", 404,
       "namespaces \"nowhere\" not found"},
      {"update in a missing namespace", AdmissionOperation::Update, "nowhere", 404,
       "namespaces \"nowhere\" not found"},
      {"create in a terminating namespace", AdmissionOperation::Create, "closing", 403,
       "pods \"web\" is forbidden: unable to create new content in namespace closing because it is being "
       "terminated"},
      {"update in a terminating namespace", AdmissionOperation::Update, "closing", 0, ""},
  };
  for (const auto& c : cases) {
    json::object object = pod("web");
    AdmissionRequest r{
        c.op,    pods.get(), "", c.ns, "web", &object, c.op == AdmissionOperation::Update ? &object : nullptr,
        nullptr, false};
    if (c.code == 0) {
      EXPECT_NO_THROW(plugin.admit(r)) << c.name;
      continue;
    }
    ApiError e = error_of([&] { plugin.admit(r); });
    EXPECT_EQ(e.code(), c.code) << c.name;
    EXPECT_STREQ(e.what(), c.message) << c.name;
    if (c.code == 403) {
      EXPECT_EQ(e.reason(), "Forbidden");
      EXPECT_EQ(e.kind, "pods");
      EXPECT_EQ(e.name, "web");
      ASSERT_EQ(e.causes.size(), 1u);
      EXPECT_EQ(e.causes[0].reason, "NamespaceTerminating");
      EXPECT_EQ(e.causes[0].message, "namespace closing is being terminated");
      EXPECT_EQ(e.causes[0].field, "metadata.namespace");
    } else {
      EXPECT_EQ(e.kind, "namespaces");
      EXPECT_EQ(e.name, "nowhere");
    }
  }

  // generateName: the mutating phase names the prefix, as upstream (the name is not made yet).
  json::object generated = pod("web-x7k2p");
  generated["metadata"].as_object()["generateName"] = "web-";
  AdmissionRequest r{AdmissionOperation::Create,
                     pods.get(),
                     "",
                     "closing",
                     "web-x7k2p",
                     &generated,
                     nullptr,
                     nullptr,
                     false};
  EXPECT_EQ(std::string(error_of([&] { plugin.admit(r); }).what()).substr(0, 28),
            "pods \"web-\" is forbidden: un");

  // Deleting anything but an immortal namespace is no business of this plugin.
  auto ns_type = k.type(kNamespacesR);
  for (const char* name : {"default", "kube-system", "kube-public"}) {
    json::object old = named("v1", "Namespace", name);
    AdmissionRequest del{
        AdmissionOperation::Delete, ns_type.get(), "", "", name, nullptr, &old, nullptr, false};
    ApiError e = error_of([&] { plugin.validate(del); });
    EXPECT_EQ(e.code(), 403);
    EXPECT_EQ(std::string(e.what()),
              "namespaces \"" + std::string(name) + "\" is forbidden: this namespace may not be deleted");
  }
  json::object old = named("v1", "Namespace", "team-a");
  AdmissionRequest del{
      AdmissionOperation::Delete, ns_type.get(), "", "", "team-a", nullptr, &old, nullptr, false};
  EXPECT_NO_THROW(plugin.validate(del));
  informer->stop();
}

TEST(NamespaceLifecycle, CreatesRightAfterTheNamespaceAreAdmittedAndAccessReviewsAlwaysPass) {
  AdmissionKernel k;
  auto client = k.client(UserInfo{"system:apiserver", "", {"system:masters"}, {}});
  auto informer = std::make_shared<Informer>(client, kNamespacesR);
  informer->start();
  NamespaceLifecycle plugin(client, informer);
  // Not in the cache yet, or maybe: the live lookup answers either way.
  for (int i = 0; i < 20; ++i) {
    std::string ns = "fresh-" + std::to_string(i);
    k.create_namespace(ns);
    json::object object = pod("web");
    AdmissionRequest r{
        AdmissionOperation::Create, k.type(kPodsR).get(), "", ns, "web", &object, nullptr, nullptr, false};
    EXPECT_NO_THROW(plugin.admit(r)) << ns;
  }
  auto reviews = k.kernel().types().resolve("localsubjectaccessreviews");
  if (!reviews.empty()) {
    json::object review = named("authorization.k8s.io/v1", "LocalSubjectAccessReview", "");
    AdmissionRequest r{AdmissionOperation::Create,
                       reviews.front().get(),
                       "",
                       "nowhere",
                       "",
                       &review,
                       nullptr,
                       nullptr,
                       false};
    EXPECT_NO_THROW(plugin.admit(r));
  }
  informer->stop();
}

TEST(NamespaceLifecycle, ThroughTheKernel) {
  AdmissionKernel k;
  k.start<NamespaceLifecyclePlugin>("namespace-lifecycle");
  terminate_with_content(k, "closing");

  ApiError e = error_of([&] { k.admin().create(kPodsR, "closing", pod("web")); });
  EXPECT_EQ(e.code(), 403);
  EXPECT_STREQ(
      e.what(),
      "pods \"web\" is forbidden: unable to create new content in namespace closing because it is being "
      "terminated");
  ASSERT_EQ(e.causes.size(), 1u);
  EXPECT_EQ(e.causes[0].reason, "NamespaceTerminating");

  e = error_of([&] { k.admin().create(kPodsR, "nowhere", pod("web")); });
  EXPECT_EQ(e.code(), 404);
  EXPECT_STREQ(e.what(), "namespaces \"nowhere\" not found");

  e = error_of([&] { k.admin().remove(kNamespacesR, "", "kube-system"); });
  EXPECT_EQ(e.code(), 403);
  EXPECT_STREQ(e.what(), "namespaces \"kube-system\" is forbidden: this namespace may not be deleted");

  EXPECT_NO_THROW(k.admin().create(kPodsR, "team-a", pod("web")));
}

}  // namespace
}  // namespace ukube::admission::testing
