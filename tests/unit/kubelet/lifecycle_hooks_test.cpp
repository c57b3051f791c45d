#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "inert_driver.h"
#include "kubelet/lifecycle_hooks.h"

namespace ukube::kubelet {
namespace {
namespace json = boost::json;

json::object hooked_container(const std::string& lifecycle_json) {
  json::object c =
      json::parse(R"({"name": "c", "image": "i", "ports": [{"name": "http", "containerPort": 8080}]})")
          .as_object();
  c["lifecycle"] = json::parse(lifecycle_json);
  return c;
}

// Answers every exec with one result and remembers the command and timeout.
class ScriptedExec : public InertDriver {
 public:
  explicit ScriptedExec(runtime::ExecSyncResult result) : result_(std::move(result)) {}
  runtime::ExecSyncResult exec_sync(const std::string& id, const std::vector<std::string>& cmd,
                                    std::chrono::seconds timeout) override {
    last_id = id;
    last_command = cmd;
    last_timeout = timeout;
    return result_;
  }
  std::string last_id;
  std::vector<std::string> last_command;
  std::chrono::seconds last_timeout{-1};

 private:
  runtime::ExecSyncResult result_;
};

TEST(LifecycleHooks, ReadsEachHandlerKind) {
  auto c = hooked_container(R"({"postStart": {"exec": {"command": ["sh", "-c", "true"]}},
                              "preStop": {"httpGet": {"path": "/quit", "port": "http"}}})");
  auto post = hook_of(c, HookKind::PostStart);
  ASSERT_TRUE(post);
  EXPECT_EQ(post->action, HookSpec::Action::Exec);
  EXPECT_EQ(post->handler.command, (std::vector<std::string>{"sh", "-c", "true"}));
  auto pre = hook_of(c, HookKind::PreStop);
  ASSERT_TRUE(pre);
  EXPECT_EQ(pre->action, HookSpec::Action::HttpGet);
  EXPECT_EQ(pre->handler.path, "/quit");
  EXPECT_EQ(pre->handler.port, 8080);  // the named port, resolved

  auto sleeper = hook_of(hooked_container(R"({"preStop": {"sleep": {"seconds": 7}}})"), HookKind::PreStop);
  ASSERT_TRUE(sleeper);
  EXPECT_EQ(sleeper->action, HookSpec::Action::Sleep);
  EXPECT_EQ(sleeper->sleep, std::chrono::seconds(7));
  EXPECT_FALSE(hook_of(hooked_container(R"({"preStop": {"sleep": {"seconds": 7}}})"), HookKind::PostStart));
  EXPECT_FALSE(hook_of(json::object{{"name", "c"}}, HookKind::PreStop));
}

TEST(LifecycleHooks, AFailingExecHookIsWordedAsUpstream) {
  ScriptedExec driver({"out\n", "bad\n", 3});
  auto hook = hook_of(hooked_container(R"({"postStart": {"exec": {"command": ["sh", "-c", "exit 3"]}}})"),
                      HookKind::PostStart);
  ASSERT_TRUE(hook);
  auto failure =
      run_hook(*hook, {&driver, "cid", "10.0.0.1"}, {"c", "web_default(u1)"}, std::chrono::seconds(9));
  ASSERT_TRUE(failure);
  EXPECT_EQ(
      *failure,
      "Exec lifecycle hook ([sh -c exit 3]) for Container \"c\" in Pod \"web_default(u1)\" failed - error: "
      "command 'sh -c exit 3' exited with 3: bad\n, message: \"out\\nbad\\n\"");
  EXPECT_EQ(driver.last_id, "cid");
  EXPECT_EQ(driver.last_timeout, std::chrono::seconds(9));  // the hook gets what the caller has left
}

TEST(LifecycleHooks, ASucceedingExecAndAShortSleepReportNoFailure) {
  ScriptedExec driver({"", "", 0});
  auto exec = hook_of(hooked_container(R"({"preStop": {"exec": {"command": ["true"]}}})"), HookKind::PreStop);
  EXPECT_FALSE(run_hook(*exec, {&driver, "cid", ""}, {"c", "p"}, std::chrono::seconds(1)));
  // A sleep longer than the time left is cut to it (here none at all).
  auto sleep = hook_of(hooked_container(R"({"preStop": {"sleep": {"seconds": 3600}}})"), HookKind::PreStop);
  EXPECT_FALSE(run_hook(*sleep, {&driver, "cid", ""}, {"c", "p"}, std::chrono::seconds(0)));
}

}  // namespace
}  // namespace ukube::kubelet
