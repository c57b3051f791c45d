// The CronJob controller and the pod garbage collector in the real daemon (fake runtime and
// kubelet), observed with real kubectl: a manual run with `kubectl create job --from`, a
// scheduled Job with its name, annotation and status, and the pods of a deleted node.
#include <gtest/gtest.h>

#include <ctime>
#include <string>

#include "tests/integration/kubectl_fixture.h"

namespace ukube::testing {
namespace {

std::string cronjob_plugins() {
  return "  - uri: ukube.authorizer.v1.node\n"
         "  - uri: ukube.admission.v1.node-restriction\n"
         "  - uri: ukube.scheduler.v1.default\n"
         "  - uri: ukube.controller.v1.cronjob\n"
         "  - uri: ukube.controller.v1.garbagecollector\n"
         "  - uri: ukube.controller.v1.podgc\n"
         // Short passes and quarantine so the test need not wait upstream's 20 s and 40 s.
         "    config: {gc_check_period_ms: 300, quarantine_ms: 1000}\n"
         "  - uri: ukube.runtime.v1.fake\n"
         "  - uri: ukube.kubelet.v1.kubelet\n"
         "    config: {node_name: cj-node, port: 0}\n";
}

// Seconds since the epoch of a metav1.Time ("2024-05-01T10:00:00Z"); -1 when unreadable.
long long epoch_seconds(const std::string& rfc3339) {
  std::tm tm{};
  if (sscanf(rfc3339.c_str(), "%d-%d-%dT%d:%d:%dZ", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
             &tm.tm_min, &tm.tm_sec) != 6)
    return -1;
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return static_cast<long long>(timegm(&tm));
}

const char* kEveryMinute = R"(apiVersion: batch/v1
kind: CronJob
metadata:
  name: hello
spec:
  schedule: "*/1 * * * *"
  timeZone: UTC
  jobTemplate:
    metadata:
      labels: {app: hello}
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers:
          - name: c
            image: done
)";

class CronJobKubectl : public KubectlFixture<> {
 protected:
  void SetUp() override { start_node(newest_kubectl(), cronjob_plugins()); }
};

TEST_F(CronJobKubectl, AManualRunAndTheScheduledJobWithItsNameAnnotationAndStatus) {
  ok("create -f -", kEveryMinute);
  const std::string uid = get("cronjob hello", ".metadata.uid");
  ASSERT_FALSE(uid.empty());

  // kubectl makes the Job itself; the CronJob controls it but did not schedule it.
  ok("create job manual --from=cronjob/hello");
  EXPECT_EQ(get("job manual", ".metadata.ownerReferences[0].kind") + "/" +
                get("job manual", ".metadata.ownerReferences[0].name") + "/" +
                get("job manual", ".metadata.ownerReferences[0].controller"),
            "CronJob/hello/true");
  EXPECT_EQ(get("job manual", ".metadata.ownerReferences[0].uid"), uid);
  EXPECT_EQ(get("job manual", ".metadata.annotations.cronjob\\.kubernetes\\.io/instantiate"), "manual");
  EXPECT_EQ(get("job manual", ".spec.template.spec.containers[0].image"), "done");
  EXPECT_TRUE(eventually(
      [&] {
        return ok("describe cronjob hello")
                   .find("Saw a job that the controller did not create or forgot: manual") !=
               std::string::npos;
      },
      std::chrono::seconds(30)))
      << ok("describe cronjob hello");
  EXPECT_EQ(get("cronjob hello", ".status.active"), "");  // not adopted

  // The next minute's Job: at most a minute away, plus the controller's 100 ms.
  ASSERT_TRUE(eventually([&] { return !get("cronjob hello", ".status.lastScheduleTime").empty(); },
                         std::chrono::seconds(75)))
      << ok("get cronjob hello -o yaml");
  const std::string last = get("cronjob hello", ".status.lastScheduleTime");
  const long long seconds = epoch_seconds(last);
  ASSERT_GT(seconds, 0) << last;
  EXPECT_EQ(seconds % 60, 0) << last;
  const std::string job = "hello-" + std::to_string(seconds / 60);
  EXPECT_EQ(get("cronjob hello", ".status.active[0].name"), job) << ok("get cronjob hello -o yaml");
  EXPECT_EQ(get("cronjob hello", ".status.active[0].kind"), "Job");
  EXPECT_EQ(get("job " + job, ".metadata.annotations.batch\\.kubernetes\\.io/cronjob-scheduled-timestamp"),
            last);
  EXPECT_EQ(get("job " + job, ".metadata.ownerReferences[0].uid"), uid);
  EXPECT_EQ(get("job " + job, ".metadata.labels.app"), "hello");
  const std::string table = ok("get cronjob hello");
  for (const char* column : {"*/1 * * * *", "UTC", "False"})
    EXPECT_NE(table.find(column), std::string::npos) << column << " missing from\n" << table;
  EXPECT_TRUE(
      eventually([&] { return ok("describe cronjob hello").find("Created job " + job) != std::string::npos; },
                 std::chrono::seconds(30)))
      << ok("describe cronjob hello");
  EXPECT_NE(ok("get jobs").find(job), std::string::npos);
}

TEST_F(CronJobKubectl, PodGCDeletesThePodsOfADeletedNode) {
  ASSERT_TRUE(reads("node cj-node", R"(.status.conditions[?(@.type=="Ready")].status)", "True"));
  // A node no kubelet runs, and a pod bound to it that a finalizer keeps for inspection.
  ok("create -f -", "apiVersion: v1\nkind: Node\nmetadata:\n  name: doomed\n");
  ok("create -f -",
     "apiVersion: v1\nkind: Pod\nmetadata:\n  name: stranded\n  finalizers: [ukube.test/hold]\nspec:\n"
     "  nodeName: doomed\n  containers:\n  - name: c\n    image: nginx\n");
  // A pod the kubelet runs.
  ok("create -f -",
     "apiVersion: v1\nkind: Pod\nmetadata:\n  name: runner\nspec:\n  nodeName: cj-node\n  containers:\n"
     "  - name: c\n    image: nginx\n");
  ASSERT_TRUE(reads("pod runner", ".status.phase", "Running"));
  EXPECT_EQ(get("pod stranded", ".status.phase"), "Pending");

  ok("delete node doomed");
  ASSERT_TRUE(eventually([&] { return !get("pod stranded", ".metadata.deletionTimestamp").empty(); },
                         std::chrono::seconds(30)))
      << ok("get pod stranded -o yaml");
  EXPECT_EQ(get("pod stranded", ".status.phase"), "Failed");
  EXPECT_EQ(get("pod stranded", R"(.status.conditions[?(@.type=="DisruptionTarget")].reason)"),
            "DeletionByPodGC");
  EXPECT_EQ(get("pod stranded", R"(.status.conditions[?(@.type=="DisruptionTarget")].message)"),
            "PodGC: node no longer exists");
  EXPECT_EQ(get("pod stranded", ".metadata.deletionGracePeriodSeconds"), "0");
  // The running pod is not touched: its node is still there.
  EXPECT_EQ(get("pod runner", ".status.phase"), "Running");
  EXPECT_EQ(get("pod runner", ".metadata.deletionTimestamp"), "");

  // Its node gone too, the kubelet's pod goes at once (grace period 0).
  ok("delete node cj-node");
  EXPECT_TRUE(
      eventually([&] { return (*kubectl_)("get pod runner").out.find("NotFound") != std::string::npos; },
                 std::chrono::seconds(30)))
      << ok("get pod runner -o yaml");
  ok("patch pod stranded --type=merge -p " + shell_quote(R"({"metadata":{"finalizers":null}})"));
  EXPECT_TRUE(
      eventually([&] { return (*kubectl_)("get pod stranded").out.find("NotFound") != std::string::npos; }));
}

}  // namespace
}  // namespace ukube::testing
