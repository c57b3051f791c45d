// `kubectl get pods` rows for pods in the states users meet every day.
#include "core/pod_table.h"
#include "builtin_test_support.h"

namespace ukube::builtin::testing {
namespace {

using std::chrono::hours;

const auto kNow = parse_time("2024-05-01T12:00:00Z").value();

struct PodCase {
  const char* name;
  const char* pod;  // spec/status/metadata fragments; creationTimestamp is 3h before kNow
  const char* ready;
  const char* status;
  const char* restarts;
};

const std::vector<PodCase> kCases = {
    {"pending", R"({"spec":{"containers":[{"name":"a"}]},"status":{"phase":"Pending"}})", "0/1", "Pending",
     "0"},
    {"running and ready", R"({"spec":{"containers":[{"name":"a"},{"name":"b"}]},"status":{"phase":"Running",
       "containerStatuses":[{"name":"a","ready":true,"restartCount":0,"state":{"running":{}}},
                            {"name":"b","ready":false,"restartCount":0,"state":{"running":{}}}]}})",
     "1/2", "Running", "0"},
    {"image pull back-off", R"({"spec":{"containers":[{"name":"a"}]},"status":{"phase":"Pending",
       "containerStatuses":[{"name":"a","ready":false,"restartCount":0,"state":{"waiting":{"reason":"ImagePullBackOff"}}}]}})",
     "0/1", "ImagePullBackOff", "0"},
    {"crash loop with restarts", R"({"spec":{"containers":[{"name":"a"}]},"status":{"phase":"Running",
       "containerStatuses":[{"name":"a","ready":false,"restartCount":5,"state":{"waiting":{"reason":"CrashLoopBackOff"}},
         "lastState":{"terminated":{"exitCode":1,"reason":"Error","finishedAt":"2024-05-01T11:55:00Z"}}}]}})",
     "0/1", "CrashLoopBackOff", "5 (5m ago)"},
    {"completed", R"({"spec":{"containers":[{"name":"a"}]},"status":{"phase":"Succeeded",
       "containerStatuses":[{"name":"a","ready":false,"restartCount":0,"state":{"terminated":{"exitCode":0,"reason":"Completed"}}}]}})",
     "0/1", "Completed", "0"},
    {"terminated by signal", R"({"spec":{"containers":[{"name":"a"}]},"status":{"phase":"Failed",
       "containerStatuses":[{"name":"a","ready":false,"restartCount":0,"state":{"terminated":{"exitCode":137,"signal":9}}}]}})",
     "0/1", "Signal:9", "0"},
    {"exit code without reason", R"({"spec":{"containers":[{"name":"a"}]},"status":{"phase":"Failed",
       "containerStatuses":[{"name":"a","ready":false,"restartCount":0,"state":{"terminated":{"exitCode":2}}}]}})",
     "0/1", "ExitCode:2", "0"},
    {"init container running",
     R"({"spec":{"initContainers":[{"name":"i1"},{"name":"i2"}],"containers":[{"name":"a"}]},
       "status":{"phase":"Pending","initContainerStatuses":[
         {"name":"i1","ready":true,"restartCount":0,"state":{"terminated":{"exitCode":0,"reason":"Completed"}}},
         {"name":"i2","ready":false,"restartCount":0,"state":{"running":{}}}],
       "containerStatuses":[{"name":"a","ready":false,"restartCount":0,"state":{"waiting":{"reason":"PodInitializing"}}}]}})",
     "0/1", "Init:1/2", "0"},
    {"init container failing", R"({"spec":{"initContainers":[{"name":"i1"}],"containers":[{"name":"a"}]},
       "status":{"phase":"Pending","initContainerStatuses":[
         {"name":"i1","ready":false,"restartCount":3,"state":{"waiting":{"reason":"CrashLoopBackOff"}}}]}})",
     "0/1", "Init:CrashLoopBackOff", "3"},
    {"init container error", R"({"spec":{"initContainers":[{"name":"i1"}],"containers":[{"name":"a"}]},
       "status":{"phase":"Pending","initContainerStatuses":[
         {"name":"i1","ready":false,"restartCount":0,"state":{"terminated":{"exitCode":1,"reason":"Error"}}}]}})",
     "0/1", "Init:Error", "0"},
    {"sidecar counts as a container",
     R"({"spec":{"initContainers":[{"name":"proxy","restartPolicy":"Always"}],"containers":[{"name":"a"}]},
       "status":{"phase":"Running","conditions":[{"type":"Initialized","status":"True"}],
         "initContainerStatuses":[{"name":"proxy","ready":true,"started":true,"restartCount":1,"state":{"running":{}}}],
         "containerStatuses":[{"name":"a","ready":true,"restartCount":0,"state":{"running":{}}}]}})",
     "2/2", "Running", "1"},
    {"terminating",
     R"({"metadata":{"deletionTimestamp":"2024-05-01T11:59:00Z"},"spec":{"containers":[{"name":"a"}]},
       "status":{"phase":"Running","containerStatuses":[{"name":"a","ready":true,"restartCount":0,"state":{"running":{}}}]}})",
     "1/1", "Terminating", "0"},
    {"node lost",
     R"({"metadata":{"deletionTimestamp":"2024-05-01T11:59:00Z"},"spec":{"containers":[{"name":"a"}]},
       "status":{"phase":"Running","reason":"NodeLost"}})",
     "0/1", "Unknown", "0"},
    {"evicted", R"({"spec":{"containers":[{"name":"a"}]},"status":{"phase":"Failed","reason":"Evicted"}})",
     "0/1", "Evicted", "0"},
    {"scheduling gated", R"({"spec":{"containers":[{"name":"a"}]},"status":{"phase":"Pending",
       "conditions":[{"type":"PodScheduled","status":"False","reason":"SchedulingGated"}]}})",
     "0/1", "SchedulingGated", "0"},
    {"completed but one container still running", R"({"spec":{"containers":[{"name":"a"},{"name":"b"}]},
       "status":{"phase":"Running","conditions":[{"type":"Ready","status":"False"}],"containerStatuses":[
         {"name":"a","ready":false,"restartCount":0,"state":{"terminated":{"exitCode":0,"reason":"Completed"}}},
         {"name":"b","ready":true,"restartCount":0,"state":{"running":{}}}]}})",
     "1/2", "NotReady", "0"},
};

TEST(PodTable, StatusReadyRestarts) {
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.name);
    json::object pod = parse(c.pod);
    auto& meta = pod["metadata"];
    if (!meta.is_object()) meta = json::object{};
    meta.as_object()["name"] = "p";
    meta.as_object()["creationTimestamp"] = "2024-05-01T09:00:00Z";
    json::array row = pod_row(pod, kNow);
    ASSERT_EQ(row.size(), 9u);
    EXPECT_EQ(row[0], "p");
    EXPECT_EQ(row[1], c.ready);
    EXPECT_EQ(row[2], c.status);
    EXPECT_EQ(row[3], c.restarts);
    EXPECT_EQ(row[4], "3h");
  }
}

TEST(PodTable, WideColumns) {
  json::object pod = parse(R"({"metadata":{"name":"p","creationTimestamp":"2024-05-01T11:59:15Z"},
      "spec":{"nodeName":"node-1","containers":[{"name":"a"}],"readinessGates":[{"conditionType":"example.com/lb"},{"conditionType":"example.com/dns"}]},
      "status":{"phase":"Running","podIP":"10.0.0.5","podIPs":[{"ip":"10.0.0.5"},{"ip":"fd00::5"}],
        "conditions":[{"type":"example.com/lb","status":"True"}]}})");
  json::array row = pod_row(pod, kNow);
  EXPECT_EQ(row[4], "45s");
  EXPECT_EQ(row[5], "10.0.0.5");
  EXPECT_EQ(row[6], "node-1");
  EXPECT_EQ(row[7], "<none>");
  EXPECT_EQ(row[8], "1/2");

  json::object bare = parse(R"({"metadata":{"name":"q"}})");
  json::array empty = pod_row(bare, kNow);
  EXPECT_EQ(json::serialize(empty), R"(["q","0/0","","0","<unknown>","<none>","<none>","<none>","<none>"])");
}

TEST(PodTable, ThroughTheRegisteredType) {
  BuiltinKernel k;
  auto pods = k.type(kPods);
  ASSERT_EQ(pods->printer_columns.size(), 9u);
  std::vector<std::string> names, wide;
  for (const auto& c : pods->printer_columns) (c.priority ? wide : names).push_back(c.name);
  EXPECT_EQ(names, (std::vector<std::string>{"Name", "Ready", "Status", "Restarts", "Age"}));
  EXPECT_EQ(wide, (std::vector<std::string>{"IP", "Node", "Nominated Node", "Readiness Gates"}));
  EXPECT_EQ(pods->printer_columns[0].format, "name");
  auto created = k.client().create(
      kPods, "default",
      parse(R"({"metadata":{"name":"p"},"spec":{"containers":[{"name":"a","image":"x"}]}})"));
  json::array row = pods->table_row(*created);
  EXPECT_EQ(row[2], "Pending");
}

}  // namespace
}  // namespace ukube::builtin::testing
