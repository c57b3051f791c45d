// Answers turned into outcomes: denials, patches, malformed answers and failure policies,
// with a fake transport standing in for the network.
#include "admission/webhook/dispatcher.h"
#include "ukube/base64.h"
#include "ukube/errors.h"
#include "webhook_test_support.h"

namespace ukube::webhook::testing {
namespace {

class DispatcherTest : public ::testing::Test {
 protected:
  json::object object =
      parse(R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cm","namespace":"default"}})");
  UserInfo user{"alice", "", {"devs"}, {}};

  AdmissionRequest create_request() {
    AdmissionRequest r;
    r.operation = AdmissionOperation::Create;
    r.type = &configmaps();
    r.namespace_ = "default";
    r.name = "cm";
    r.object = &object;
    r.user = &user;
    return r;
  }
  Dispatcher with(std::shared_ptr<FakeTransport> t) {
    return Dispatcher(t, [](const std::string&) { return Labels{}; });
  }

  // Runs `f`, returning the ApiError it throws.
  template <class F>
  ApiError rejection(F&& f) {
    try {
      f();
    } catch (const ApiError& e) {
      return e;
    }
    ADD_FAILURE() << "expected a rejection";
    return ApiError(0, "", "");
  }
};

TEST_F(DispatcherTest, AllowedRequestPassesAndIsPostedToTheUrlWithTimeout) {
  auto t = std::make_shared<FakeTransport>([](const HttpCall&, const json::object& review) {
    return answer(review, {{"allowed", true}});
  });
  Webhook hook = any_hook("ok.example.com", false, "https://hooks.local:8443/validate");
  hook.timeout_seconds = 7;
  hook.ca_bundle = "PEM";
  AdmissionRequest r = create_request();
  with(t).validate(r, {hook});
  ASSERT_EQ(t->calls.size(), 1u);
  EXPECT_EQ(t->calls[0].url, "https://hooks.local:8443/validate?timeout=7s");
  EXPECT_EQ(t->calls[0].timeout, std::chrono::seconds(7));
  EXPECT_EQ(t->calls[0].ca_bundle, "PEM");
  EXPECT_EQ(json::parse(t->calls[0].body).at("request").at("userInfo").at("username"), "alice");
}

TEST_F(DispatcherTest, DenialUsesUpstreamsMessageAndCode) {
  auto t = std::make_shared<FakeTransport>([](const HttpCall&, const json::object& review) {
    return answer(review, {{"allowed", false}, {"status", {{"message", "deny=true is not welcome"}}}});
  });
  AdmissionRequest r = create_request();
  ApiError e = rejection([&] { with(t).validate(r, {any_hook("deny.example.com", false)}); });
  EXPECT_EQ(e.code(), 400);  // no code from the webhook: upstream's 400
  EXPECT_EQ(e.reason(), "");
  EXPECT_STREQ(e.what(),
               R"(admission webhook "deny.example.com" denied the request: deny=true is not welcome)");

  auto coded = std::make_shared<FakeTransport>([](const HttpCall&, const json::object& review) {
    return answer(review, {{"allowed", false}, {"status", {{"code", 403}, {"reason", "Forbidden"}}}});
  });
  e = rejection([&] { with(coded).validate(r, {any_hook("deny.example.com", false)}); });
  EXPECT_EQ(e.code(), 403);
  EXPECT_EQ(e.reason(), "Forbidden");
  EXPECT_STREQ(e.what(), R"(admission webhook "deny.example.com" denied the request: Forbidden)");

  auto bare = std::make_shared<FakeTransport>([](const HttpCall&, const json::object& review) {
    return answer(review, {{"allowed", false}, {"status", {{"code", 200}}}});
  });
  e = rejection([&] { with(bare).validate(r, {any_hook("deny.example.com", false)}); });
  EXPECT_EQ(e.code(), 400);
  EXPECT_STREQ(e.what(), R"(admission webhook "deny.example.com" denied the request without explanation)");
}

TEST_F(DispatcherTest, MutatingPatchesApplyInOrder) {
  auto t = std::make_shared<FakeTransport>([](const HttpCall& call, const json::object& review) {
    // Each webhook sees the object as the previous one left it.
    const auto& seen = review.at("request").at("object").as_object();
    std::string patch = call.url.find("first") != std::string::npos
                            ? R"([{"op":"add","path":"/metadata/labels","value":{"first":"yes"}}])"
                            : R"([{"op":"add","path":"/metadata/labels/second","value":")" +
                                  std::string(seen.at("metadata").at("labels").at("first").as_string()) +
                                  "\"}]";
    return answer(review, {{"allowed", true}, {"patchType", "JSONPatch"}, {"patch", base64_encode(patch)}});
  });
  AdmissionRequest r = create_request();
  with(t).admit(r, {any_hook("a.example.com", true, "https://h/first"),
                    any_hook("b.example.com", true, "https://h/second")});
  EXPECT_EQ(object.at("metadata").at("labels"), parse(R"({"first":"yes","second":"yes"})"));
}

TEST_F(DispatcherTest, APatchThatCannotApplyIsAnInternalErrorAndLeavesTheObject) {
  auto t = std::make_shared<FakeTransport>([](const HttpCall&, const json::object& review) {
    std::string patch = R"([{"op":"replace","path":"/spec/missing","value":1}])";
    return answer(review, {{"allowed", true}, {"patchType", "JSONPatch"}, {"patch", base64_encode(patch)}});
  });
  json::object before = object;
  AdmissionRequest r = create_request();
  ApiError e = rejection([&] { with(t).admit(r, {any_hook("bad.example.com", true)}); });
  EXPECT_EQ(e.code(), 500);
  EXPECT_EQ(e.reason(), "InternalError");
  EXPECT_EQ(object, before);
}

TEST_F(DispatcherTest, PatchOnDeleteIsRefused) {
  auto t = std::make_shared<FakeTransport>([](const HttpCall&, const json::object& review) {
    return answer(review, {{"allowed", true},
                           {"patchType", "JSONPatch"},
                           {"patch", base64_encode(R"([{"op":"add","path":"/x","value":1}])")}});
  });
  AdmissionRequest r = create_request();
  r.operation = AdmissionOperation::Delete;
  r.object = nullptr;
  r.old_object = &object;
  ApiError e = rejection([&] { with(t).admit(r, {any_hook("m.example.com", true)}); });
  EXPECT_STREQ(
      e.what(),
      "Internal error occurred: admission webhook \"m.example.com\" attempted to modify the object, which "
      "is not supported for this operation");
}

TEST_F(DispatcherTest, UnreachableWebhookFailsClosedWithUpstreamsMessage) {
  auto t = std::make_shared<FakeTransport>([](const HttpCall&, const json::object&) {
    return HttpResult{false, 0, "", "dial tcp 127.0.0.1:1: connect: connection refused"};
  });
  AdmissionRequest r = create_request();
  ApiError e = rejection([&] { with(t).validate(r, {any_hook("down.example.com", false)}); });
  EXPECT_EQ(e.code(), 500);
  EXPECT_EQ(e.reason(), "InternalError");
  EXPECT_STREQ(
      e.what(),
      "Internal error occurred: failed calling webhook \"down.example.com\": failed to call webhook: Post "
      "\"https://127.0.0.1:1/hook?timeout=10s\": dial tcp 127.0.0.1:1: connect: connection refused");
  ASSERT_EQ(e.causes.size(), 1u);
}

TEST_F(DispatcherTest, IgnorePolicyAdmitsOnEveryKindOfCallFailure) {
  const std::vector<FakeTransport::Answer> failures = {
      [](const HttpCall&, const json::object&) {
        return HttpResult{false, 0, "", "context deadline exceeded"};
      },
      [](const HttpCall&, const json::object&) {
        return HttpResult{true, 500, "boom", ""};
      },
      [](const HttpCall&, const json::object&) {
        return HttpResult{true, 200, "<html>", ""};
      },
      [](const HttpCall&, const json::object& review) {
        json::object r{{"uid", "wrong"}, {"allowed", false}};
        (void)review;
        return HttpResult{
            true, 200,
            json::serialize(json::object{
                {"apiVersion", "admission.k8s.io/v1"}, {"kind", "AdmissionReview"}, {"response", r}}),
            ""};
      },
  };
  for (size_t i = 0; i < failures.size(); ++i) {
    auto t = std::make_shared<FakeTransport>(failures[i]);
    Webhook open = any_hook("open.example.com", true);
    open.fail_open = true;
    AdmissionRequest r = create_request();
    EXPECT_NO_THROW(with(t).admit(r, {open})) << "failure " << i;
    Webhook closed = any_hook("closed.example.com", true);
    ApiError e = rejection([&] { with(t).admit(r, {closed}); });
    EXPECT_EQ(e.code(), 500) << "failure " << i;
    EXPECT_EQ(std::string(e.what()).rfind(
                  "Internal error occurred: failed calling webhook \"closed.example.com\": ", 0),
              0u)
        << e.what();
  }
}

TEST_F(DispatcherTest, CallFailureWording) {
  auto timeout = std::make_shared<FakeTransport>([](const HttpCall&, const json::object&) {
    return HttpResult{false, 0, "", "context deadline exceeded"};
  });
  AdmissionRequest r = create_request();
  EXPECT_STREQ(
      rejection([&] { with(timeout).validate(r, {any_hook("slow.example.com", false)}); }).what(),
      "Internal error occurred: failed calling webhook \"slow.example.com\": failed to call webhook: Post "
      "\"https://127.0.0.1:1/hook?timeout=10s\": context deadline exceeded");
  auto error_page = std::make_shared<FakeTransport>([](const HttpCall&, const json::object&) {
    return HttpResult{true, 404, "", ""};
  });
  EXPECT_STREQ(
      rejection([&] { with(error_page).validate(r, {any_hook("gone.example.com", false)}); }).what(),
      "Internal error occurred: failed calling webhook \"gone.example.com\": failed to call webhook: the "
      "server responded with the status code 404 but did not return more information");
  auto uid = std::make_shared<FakeTransport>([](const HttpCall&, const json::object&) {
    return HttpResult{
        true, 200,
        R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","response":{"uid":"x","allowed":true}})",
        ""};
  });
  std::string what = rejection([&] { with(uid).validate(r, {any_hook("uid.example.com", false)}); }).what();
  EXPECT_NE(
      what.find("failed calling webhook \"uid.example.com\": received invalid webhook response: expected "
                "response.uid="),
      std::string::npos)
      << what;
}

TEST_F(DispatcherTest, ServiceReferencesAreCallFailuresThatSayWhy) {
  auto t = std::make_shared<FakeTransport>([](const HttpCall&, const json::object&) -> HttpResult {
    ADD_FAILURE() << "a service reference must not be posted to";
    return {};
  });
  Webhook hook = any_hook("svc.example.com", false);
  hook.url.clear();
  hook.service = ServiceReference{"hooks", "validator", "/check", 8443};
  AdmissionRequest r = create_request();
  std::string what = rejection([&] { with(t).validate(r, {hook}); }).what();
  EXPECT_NE(
      what.find(
          "failed calling webhook \"svc.example.com\": failed to call webhook: Post "
          "\"https://validator.hooks.svc:8443/check?timeout=10s\": clientConfig.service cannot be reached"),
      std::string::npos)
      << what;
  EXPECT_NE(what.find("set clientConfig.url instead"), std::string::npos);
  hook.fail_open = true;
  EXPECT_NO_THROW(with(t).validate(r, {hook}));
}

TEST_F(DispatcherTest, DryRunNeedsWebhooksWithoutSideEffects) {
  auto t = std::make_shared<FakeTransport>([](const HttpCall&, const json::object& review) {
    EXPECT_EQ(review.at("request").at("dryRun"), true);
    return answer(review, {{"allowed", true}});
  });
  AdmissionRequest r = create_request();
  r.dry_run = true;
  Webhook risky = any_hook("risky.example.com", false);
  risky.side_effects = "Some";
  risky.fail_open = true;  // not a call failure: the policy does not apply
  ApiError e = rejection([&] { with(t).validate(r, {risky}); });
  EXPECT_EQ(e.code(), 400);
  EXPECT_STREQ(e.what(), R"(admission webhook "risky.example.com" does not support dry run)");
  EXPECT_TRUE(t->calls.empty());
  Webhook safe = any_hook("safe.example.com", false);
  safe.side_effects = "NoneOnDryRun";
  EXPECT_NO_THROW(with(t).validate(r, {safe}));
  EXPECT_EQ(t->calls.size(), 1u);
}

TEST_F(DispatcherTest, OnlyMatchingWebhooksAreCalled) {
  auto t = std::make_shared<FakeTransport>([](const HttpCall&, const json::object& review) {
    return answer(review, {{"allowed", false}});
  });
  Webhook secrets_only = any_hook("secrets.example.com", false);
  secrets_only.rules = {Rule{{"CREATE"}, {""}, {"v1"}, {"secrets"}}};
  Webhook labelled_only = any_hook("labelled.example.com", false);
  labelled_only.object_selector = parse_selector(parse(R"({"matchLabels":{"deny":"true"}})"));
  AdmissionRequest r = create_request();
  EXPECT_NO_THROW(with(t).validate(r, {secrets_only, labelled_only}));
  EXPECT_TRUE(t->calls.empty());
  object["metadata"].as_object()["labels"] = json::object{{"deny", "true"}};
  EXPECT_THROW(with(t).validate(r, {secrets_only, labelled_only}), ApiError);
  EXPECT_EQ(t->calls.size(), 1u);
}

TEST_F(DispatcherTest, UnknownReviewVersionsAndBadCaBundlesAreCallFailures) {
  auto t = std::make_shared<FakeTransport>([](const HttpCall&, const json::object& review) {
    return answer(review, {{"allowed", true}});
  });
  AdmissionRequest r = create_request();
  Webhook old = any_hook("old.example.com", false);
  old.review_versions = {"v1beta1"};
  EXPECT_NE(std::string(rejection([&] { with(t).validate(r, {old}); }).what())
                .find("webhook does not accept known AdmissionReview versions"),
            std::string::npos);
  json::object config = parse(R"({"metadata":{"name":"c"},"webhooks":[{"name":"ca.example.com",
      "clientConfig":{"url":"https://h/x","caBundle":"%%%"},"rules":[{"operations":["*"],"apiGroups":["*"],
      "apiVersions":["*"],"resources":["*"]}],"sideEffects":"None","admissionReviewVersions":["v1"]}]})");
  std::vector<Webhook> hooks = parse_configuration(config, false);
  ASSERT_EQ(hooks.size(), 1u);
  EXPECT_NE(std::string(rejection([&] { with(t).validate(r, hooks); }).what()).find("caBundle"),
            std::string::npos);
  EXPECT_TRUE(t->calls.empty());
}

TEST(ParseConfiguration, ReadsEveryWebhookWithDefaults) {
  json::object config = parse(R"({"metadata":{"name":"policy"},"webhooks":[
      {"name":"a.example.com","clientConfig":{"url":"https://h:1/a","caBundle":"UEVN"},
       "rules":[{"operations":["CREATE"],"apiGroups":[""],"apiVersions":["v1"],"resources":["pods/status"],"scope":"Namespaced"}],
       "failurePolicy":"Ignore","timeoutSeconds":3,"sideEffects":"None","admissionReviewVersions":["v1"],
       "objectSelector":{"matchLabels":{"x":"y"}}},
      {"name":"b.example.com","clientConfig":{"service":{"namespace":"ns","name":"svc"}},"sideEffects":"None",
       "admissionReviewVersions":["v1"]}]})");
  std::vector<Webhook> hooks = parse_configuration(config, true);
  ASSERT_EQ(hooks.size(), 2u);
  EXPECT_EQ(hooks[0].configuration, "policy");
  EXPECT_TRUE(hooks[0].mutating);
  EXPECT_EQ(hooks[0].ca_bundle, "PEM");
  EXPECT_TRUE(hooks[0].fail_open);
  EXPECT_EQ(hooks[0].timeout_seconds, 3);
  ASSERT_EQ(hooks[0].rules.size(), 1u);
  EXPECT_EQ(hooks[0].rules[0].resources, std::vector<std::string>{"pods/status"});
  EXPECT_EQ(hooks[0].rules[0].scope, "Namespaced");
  EXPECT_EQ(hooks[0].object_selector, parse_selector(parse(R"({"matchLabels":{"x":"y"}})")));
  EXPECT_FALSE(hooks[1].fail_open);  // Fail by default
  EXPECT_EQ(hooks[1].timeout_seconds, 10);
  ASSERT_TRUE(hooks[1].service);
  EXPECT_EQ(hooks[1].service->port, 443);
  EXPECT_EQ(call_url(hooks[1]), "https://svc.ns.svc:443?timeout=10s");
}

}  // namespace
}  // namespace ukube::webhook::testing
