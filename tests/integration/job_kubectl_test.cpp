// The Job and TTL-after-finished controllers in the real daemon, with the kubelet on the
// fake runtime, observed with real kubectl: a job runs to completion, a failing one stops
// after its back-off limit, an Indexed job gives each pod its index, and a finished job
// with ttlSecondsAfterFinished is deleted with its pods.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "tests/integration/kubectl_fixture.h"

namespace ukube::testing {
namespace {

// The fake runtime's images (plugins/runtime-fake/config.proto): `done` exits 0, `crash` 2.
const std::string kPlugins = kNodeSidePlugins +
                             "  - uri: ukube.controller.v1.job\n"
                             "  - uri: ukube.controller.v1.garbagecollector\n"
                             "  - uri: ukube.controller.v1.ttl-after-finished\n"
                             "  - uri: ukube.runtime.v1.fake\n"
                             "    config:\n"
                             "      images:\n"
                             "        done: {exit_after_ms: 100, exit_code: 0}\n"
                             "        crash: {exit_after_ms: 100, exit_code: 2}\n"
                             "  - uri: ukube.kubelet.v1.kubelet\n"
                             "    config: {node_name: job-node, port: 0}\n";

std::string job_yaml(const std::string& name, const std::string& image, const std::string& spec) {
  return "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: " + name + "\nspec:\n" + spec +
         "  template:\n    spec:\n      restartPolicy: Never\n      containers:\n      - name: main\n"
         "        image: " +
         image + "\n";
}

class JobKubectl : public KubectlFixture<> {
 protected:
  void SetUp() override { start_node(newest_kubectl(), kPlugins); }
  // `kubectl wait` for a job condition; true when it came within `seconds`.
  bool wait_for(const std::string& condition, const std::string& job, int seconds = 40) {
    CommandResult r = (*kubectl_)("wait --for=condition=" + condition + " job/" + job +
                                  " --timeout=" + std::to_string(seconds) + "s");
    return r.exit_code == 0;
  }
};

TEST_F(JobKubectl, CreateJobRunsToCompletion) {
  ok("create job once --image=done");
  ASSERT_TRUE(wait_for("complete", "once")) << ok("get job once -o yaml") << ok("get pods -o yaml");
  EXPECT_EQ(get("job once", ".status.succeeded"), "1");
  EXPECT_EQ(get("job once", ".status.active"), "");
  EXPECT_NE(get("job once", ".status.completionTime"), "");
  EXPECT_EQ(get("job once", R"(.status.conditions[?(@.type=="SuccessCriteriaMet")].status)"), "True");
  EXPECT_EQ(get("job once", R"(.status.conditions[?(@.type=="Complete")].reason)"), "CompletionsReached");
  // The pod was counted: its tracking finalizer is gone; it carries the job's labels.
  EXPECT_EQ(get("pods -l job-name=once", ".items[*].status.phase"), "Succeeded");
  EXPECT_EQ(get("pods -l batch.kubernetes.io/job-name=once", ".items[*].metadata.finalizers"), "");
  EXPECT_EQ(get("pods -l job-name=once", ".items[0].metadata.ownerReferences[0].kind"), "Job");
  const std::string table = ok("get job once");
  EXPECT_NE(table.find("Complete"), std::string::npos) << table;
  EXPECT_NE(table.find("1/1"), std::string::npos) << table;
  const std::string events = ok("describe job once");
  for (const char* expected : {"SuccessfulCreate", "Created pod: once-", "Completed", "Job completed"})
    EXPECT_NE(events.find(expected), std::string::npos) << expected << " missing from\n" << events;
}

TEST_F(JobKubectl, AFailingJobStopsAtItsBackoffLimit) {
  // Two attempts: the second starts after the 10s back-off, then the job fails.
  ok("create -f -", job_yaml("broken", "crash", "  backoffLimit: 1\n"));
  ASSERT_TRUE(wait_for("failed", "broken")) << ok("get job broken -o yaml") << ok("get pods -o yaml");
  EXPECT_EQ(get("job broken", R"(.status.conditions[?(@.type=="Failed")].reason)"), "BackoffLimitExceeded");
  EXPECT_EQ(get("job broken", R"(.status.conditions[?(@.type=="FailureTarget")].status)"), "True");
  EXPECT_EQ(get("job broken", ".status.failed"), "2");
  EXPECT_EQ(get("job broken", ".status.completionTime"), "");
  EXPECT_EQ(get("pods -l job-name=broken", ".items[*].status.phase"), "Failed Failed");
  const std::string events = ok("describe job broken");
  EXPECT_NE(events.find("Job has reached the specified backoff limit"), std::string::npos) << events;
}

TEST_F(JobKubectl, AnIndexedJobRunsOnePodPerIndex) {
  ok("create -f -",
     job_yaml("idx", "done", "  completions: 3\n  parallelism: 3\n  completionMode: Indexed\n"));
  ASSERT_TRUE(wait_for("complete", "idx")) << ok("get job idx -o yaml") << ok("get pods -o yaml");
  EXPECT_EQ(get("job idx", ".status.completedIndexes"), "0-2");
  EXPECT_EQ(get("job idx", ".status.succeeded"), "3");
  for (const char* index : {"0", "1", "2"}) {
    const std::string selector = std::string("pods -l batch.kubernetes.io/job-completion-index=") + index;
    const std::string name = get(selector, ".items[0].metadata.name");
    EXPECT_EQ(name.rfind(std::string("idx-") + index + "-", 0), 0u) << name;
    EXPECT_EQ(get(selector, R"(.items[0].metadata.annotations.batch\.kubernetes\.io/job-completion-index)"),
              index);
    EXPECT_EQ(get(selector, ".items[0].spec.hostname"), std::string("idx-") + index);
    EXPECT_EQ(
        get(selector,
            R"(.items[0].spec.containers[0].env[?(@.name=="JOB_COMPLETION_INDEX")].valueFrom.fieldRef.fieldPath)"),
        "metadata.labels['batch.kubernetes.io/job-completion-index']");
  }
}

TEST_F(JobKubectl, DeletingARunningJobTakesItsTrackedPodsAlong) {
  // `nginx` runs until stopped; its pod keeps the tracking finalizer while it runs.
  ok("create job long --image=nginx");
  ASSERT_TRUE(reads("pods -l job-name=long", ".items[*].status.phase", "Running")) << ok("get pods -o yaml");
  EXPECT_EQ(get("pods -l job-name=long", ".items[0].metadata.finalizers[0]"),
            "batch.kubernetes.io/job-tracking");
  EXPECT_TRUE(reads("job long", ".status.ready", "1"));
  ok("delete job long --wait=false");
  // With the job gone, the controller lets go of the pod: nothing holds it any more.
  EXPECT_TRUE(eventually([&] { return get("pods -l job-name=long", ".items[*].metadata.name") == ""; },
                         std::chrono::seconds(30)))
      << ok("get pods -o yaml");
}

TEST_F(JobKubectl, AFinishedJobIsDeletedWithItsPodsOnceItsTtlPassed) {
  ok("create -f -", job_yaml("shortlived", "done", "  ttlSecondsAfterFinished: 2\n"));
  // Its pods are the job's dependents: they go with it.
  ASSERT_TRUE(eventually([&] { return get("pods -l job-name=shortlived", ".items[*].metadata.name") != ""; },
                         std::chrono::seconds(30)));
  CommandResult gone = (*kubectl_)("wait --for=delete job/shortlived --timeout=40s");
  EXPECT_EQ(gone.exit_code, 0) << gone.out << ok("get job shortlived -o yaml");
  EXPECT_TRUE(eventually([&] { return get("pods -l job-name=shortlived", ".items[*].metadata.name") == ""; },
                         std::chrono::seconds(30)))
      << ok("get pods -o yaml");
}

}  // namespace
}  // namespace ukube::testing
