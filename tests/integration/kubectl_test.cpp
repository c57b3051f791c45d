// Real kubectl against a real daemon: the oldest and the newest kubectl the API server
// promises to serve, each with its own fresh discovery cache.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <map>
#include <regex>

#include "tests/integration/kubectl_fixture.h"

namespace ukube::testing {
namespace {

namespace json = boost::json;

constexpr const char* kApp = R"(apiVersion: v1
kind: Namespace
metadata: {name: demo}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: demo, labels: {app: web, tier: front}}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: nginx
        image: nginx:1.25
        ports: [{containerPort: 80}]
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: demo}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 80}]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: demo, labels: {app: web}}
data: {mode: fast}
---
apiVersion: v1
kind: Secret
metadata: {name: token, namespace: demo}
stringData: {password: hunter2}
---
apiVersion: batch/v1
kind: Job
metadata: {name: migrate, namespace: demo}
spec:
  template:
    spec:
      restartPolicy: Never
      containers: [{name: migrate, image: busybox, command: [echo, done]}]
)";

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  auto at = text.find(from);
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) out.push_back(line);
  return out;
}

class KubectlTest : public KubectlFixture<::testing::TestWithParam<std::string>> {
 protected:
  void SetUp() override {
    binary_ = kubectl_binary(GetParam());
    ASSERT_FALSE(binary_.empty()) << "kubectl." << GetParam() << " not found beside the kubectl on PATH ("
                                  << kubectl_dir() << "); these tests need the real kubectl " << GetParam()
                                  << " installed there as kubectl." << GetParam();
    // The garbage collector finishes what a delete's propagation policy starts, the
    // namespace controller what a namespace's deletion starts.
    start_node(binary_,
               "  - uri: ukube.controller.v1.garbagecollector\n"
               "  - uri: ukube.controller.v1.namespace\n");
  }

  // Runs kubectl and expects it to fail; returns its output.
  std::string fails(const std::string& args, const std::string& stdin_text = "") {
    return refused(args, stdin_text).out;
  }
  json::object get_json(const std::string& args) {
    std::string out = ok(args + " -o json");
    boost::system::error_code ec;
    json::value v = json::parse(out, ec);
    EXPECT_FALSE(ec) << out;
    return v.is_object() ? v.get_object() : json::object();
  }
  void apply_app() { ok("apply -f -", kApp); }

  std::string binary_;
};

TEST_P(KubectlTest, AppliesMultiDocumentYamlAndReappliesClientAndServerSide) {
  std::string out = ok("apply -f -", kApp);
  for (const char* line : {"namespace/demo created", "deployment.apps/web created", "service/web created",
                           "configmap/settings created", "secret/token created", "job.batch/migrate created"})
    EXPECT_TRUE(contains(out, line)) << out;

  out = ok("apply -f -", kApp);
  EXPECT_TRUE(contains(out, "deployment.apps/web unchanged")) << out;
  EXPECT_TRUE(contains(out, "configmap/settings unchanged")) << out;

  std::string edited = replaced(replaced(kApp, "replicas: 2", "replicas: 3"), "mode: fast", "mode: safe");
  out = ok("apply -f -", edited);
  EXPECT_TRUE(contains(out, "deployment.apps/web configured")) << out;
  EXPECT_TRUE(contains(out, "configmap/settings configured")) << out;
  EXPECT_TRUE(contains(out, "service/web unchanged")) << out;
  EXPECT_EQ(ok("get deploy web -n demo -o jsonpath={.spec.replicas}"), "3");
  EXPECT_EQ(ok("get cm settings -n demo -o jsonpath={.data.mode}"), "safe");

  std::string server_side = replaced(edited, "replicas: 3", "replicas: 5");
  out = ok("apply --server-side --force-conflicts -f -", server_side);
  EXPECT_TRUE(contains(out, "deployment.apps/web serverside-applied")) << out;
  EXPECT_EQ(ok("get deploy web -n demo -o jsonpath={.spec.replicas}"), "5");
  // Server-side apply records its field manager.
  EXPECT_TRUE(contains(ok("get deploy web -n demo -o yaml --show-managed-fields"), "manager: kubectl"));

  out = ok("apply --server-side -f -",
           "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: fresh, namespace: demo}\ndata: {a: b}\n");
  EXPECT_TRUE(contains(out, "configmap/fresh serverside-applied")) << out;
  EXPECT_EQ(ok("get cm fresh -n demo -o jsonpath={.data.a}"), "b");
}

TEST_P(KubectlTest, GetPrintsTablesWideStructuredOutputSelectorsAndSorting) {
  apply_app();
  std::string table = ok("get deploy -n demo");
  auto rows = lines_of(table);
  ASSERT_EQ(rows.size(), 2u) << table;
  EXPECT_TRUE(std::regex_search(rows[0], std::regex("^NAME +READY +UP-TO-DATE +AVAILABLE +AGE$"))) << table;
  EXPECT_TRUE(std::regex_search(rows[1], std::regex("^web +0/2 +0 +0 +[0-9]+s$"))) << table;

  std::string wide = ok("get deploy -n demo -o wide");
  EXPECT_TRUE(std::regex_search(wide, std::regex("CONTAINERS +IMAGES +SELECTOR"))) << wide;
  EXPECT_TRUE(std::regex_search(wide, std::regex("nginx +nginx:1.25 +app=web"))) << wide;

  json::object deploy = get_json("get deploy web -n demo");
  EXPECT_EQ(deploy["kind"], "Deployment");
  EXPECT_EQ(deploy.at("spec").at("replicas"), 2);
  EXPECT_FALSE(deploy.at("metadata").at("uid").as_string().empty());
  EXPECT_TRUE(contains(ok("get svc web -n demo -o yaml"), "targetPort: 80"));
  EXPECT_EQ(ok("get secret token -n demo -o jsonpath={.data.password}"), "aHVudGVyMg==");

  std::string all_namespaces = ok("get cm -A");
  EXPECT_TRUE(std::regex_search(all_namespaces, std::regex("NAMESPACE +NAME +DATA +AGE"))) << all_namespaces;
  EXPECT_TRUE(std::regex_search(all_namespaces, std::regex("demo +settings +1 "))) << all_namespaces;

  std::string selected = ok("get cm,deploy -n demo -l app=web -o name");
  EXPECT_EQ(lines_of(selected), (std::vector<std::string>{"configmap/settings", "deployment.apps/web"}))
      << selected;
  EXPECT_EQ(ok("get cm -n demo -l app=nothing -o name"), "");

  std::string labels = ok("get deploy web -n demo --show-labels");
  EXPECT_TRUE(std::regex_search(labels, std::regex("LABELS"))) << labels;
  EXPECT_TRUE(contains(labels, "app=web,tier=front")) << labels;

  for (std::string name : {"charlie", "alpha", "bravo"})
    ok("apply -f -", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: " + name + ", namespace: demo}\n");
  std::string sorted =
      ok("get cm -n demo --sort-by=.metadata.name -o custom-columns=N:.metadata.name --no-headers");
  EXPECT_EQ(lines_of(sorted), (std::vector<std::string>{"alpha", "bravo", "charlie", "settings"})) << sorted;
}

TEST_P(KubectlTest, WatchSeesAddedModifiedAndDeleted) {
  ok("apply -f -",
     "apiVersion: v1\nkind: Namespace\nmetadata: {name: watched}\n---\n"
     "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: marker, namespace: watched}\n");
  BackgroundCommand watch(kubectl_->command("get configmaps -n watched -w --output-watch-events"),
                          node_->dir() / "watch.out");
  // Once the listed marker shows, kubectl watches from the list's revision: every later
  // write arrives as an event, in order.
  ASSERT_TRUE(eventually([&] { return contains(watch.output(), "marker"); })) << watch.output();
  ok("apply -f -",
     "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: seen, namespace: watched}\ndata: {a: b}\n");
  ok("label configmap seen -n watched touched=yes");
  ok("delete configmap seen -n watched");
  bool all = eventually([&] {
    std::string out = watch.output();
    return std::regex_search(out, std::regex("ADDED +seen")) &&
           std::regex_search(out, std::regex("MODIFIED +seen")) &&
           std::regex_search(out, std::regex("DELETED +seen"));
  });
  EXPECT_TRUE(all) << watch.output();
  auto events = lines_of(watch.output());
  std::vector<std::string> kinds;
  for (const auto& line : events)
    if (line.find("seen") != std::string::npos) kinds.push_back(line.substr(0, line.find(' ')));
  EXPECT_EQ(kinds, (std::vector<std::string>{"ADDED", "MODIFIED", "DELETED"})) << watch.output();
}

TEST_P(KubectlTest, DescribeShowsTheObjectAndItsEvents) {
  apply_app();
  std::string uid = ok("get deploy web -n demo -o jsonpath={.metadata.uid}");
  ok("apply -f -", R"(apiVersion: v1
kind: Event
metadata: {name: web.scaled, namespace: demo}
involvedObject: {apiVersion: apps/v1, kind: Deployment, name: web, namespace: demo, uid: )" +
                       uid + R"(}
reason: ScalingReplicaSet
message: Scaled up replica set web-abc to 2
type: Normal
source: {component: deployment-controller}
count: 1
)");
  std::string out = ok("describe deployment web -n demo");
  EXPECT_TRUE(std::regex_search(out, std::regex("Name: +web"))) << out;
  EXPECT_TRUE(std::regex_search(out, std::regex("Replicas: +2 desired"))) << out;
  EXPECT_TRUE(std::regex_search(out, std::regex("Image: +nginx:1.25"))) << out;
  EXPECT_TRUE(
      std::regex_search(out, std::regex("Normal +ScalingReplicaSet +.*deployment-controller +Scaled up "
                                        "replica set web-abc to 2")))
      << out;
  std::string cm = ok("describe configmap settings -n demo");
  EXPECT_TRUE(contains(cm, "mode:")) << cm;
  EXPECT_TRUE(contains(cm, "fast")) << cm;
}

TEST_P(KubectlTest, LabelsAnnotatesPatchesAndScales) {
  apply_app();
  EXPECT_TRUE(contains(ok("label configmap settings -n demo stage=prod"), "configmap/settings labeled"));
  EXPECT_TRUE(
      contains(ok("annotate configmap settings -n demo owner=team-a"), "configmap/settings annotated"));
  json::object meta = get_json("get cm settings -n demo").at("metadata").as_object();
  EXPECT_EQ(meta.at("labels").at("stage"), "prod");
  EXPECT_EQ(meta.at("annotations").at("owner"), "team-a");
  EXPECT_TRUE(contains(ok("label configmap settings -n demo stage-"), "configmap/settings unlabeled"));

  // Strategic merge patch merges containers by name instead of replacing the list.
  ok(R"(patch deploy web -n demo -p '{"spec":{"template":{"spec":{"containers":[{"name":"sidecar","image":"busybox"}]}}}}')");
  EXPECT_EQ(ok("get deploy web -n demo -o jsonpath={.spec.template.spec.containers[*].name}"),
            "sidecar nginx");
  ok(R"(patch deploy web -n demo --type=merge -p '{"metadata":{"labels":{"tier":null,"merged":"yes"}}}')");
  json::object labels = get_json("get deploy web -n demo").at("metadata").at("labels").as_object();
  EXPECT_EQ(labels.at("merged"), "yes");
  EXPECT_FALSE(labels.contains("tier"));
  ok(R"(patch deploy web -n demo --type=json -p '[{"op":"replace","path":"/spec/replicas","value":7}]')");
  EXPECT_EQ(ok("get deploy web -n demo -o jsonpath={.spec.replicas}"), "7");
  std::string bad =
      fails(R"(patch deploy web -n demo --type=json -p '[{"op":"test","path":"/spec/replicas","value":1}]')");
  EXPECT_TRUE(contains(bad, "test operation failed") || contains(bad, "testing value")) << bad;

  EXPECT_TRUE(contains(ok("scale deployment web -n demo --replicas=1"), "deployment.apps/web scaled"));
  EXPECT_EQ(ok("get deploy web -n demo -o jsonpath={.spec.replicas}"), "1");
  std::string precondition = fails("scale deployment web -n demo --current-replicas=4 --replicas=2");
  EXPECT_TRUE(contains(precondition, "Expected replicas to be 4, was 1")) << precondition;
}

TEST_P(KubectlTest, DeleteHonoursEachCascadeMode) {
  apply_app();
  auto owned_configmap = [&](const std::string& name) {
    std::string uid = ok("get deploy web -n demo -o jsonpath={.metadata.uid}");
    ok("apply -f -",
       "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: " + name +
           "\n  namespace: demo\n  ownerReferences: [{apiVersion: apps/v1, kind: Deployment, name: "
           "web, uid: " +
           uid + "}]\n");
  };
  for (std::string mode : {"background", "foreground", "orphan"}) {
    SCOPED_TRACE(mode);
    owned_configmap("owned-" + mode);
    EXPECT_TRUE(
        contains(ok("delete deployment web -n demo --cascade=" + mode), "deployment.apps \"web\" deleted"));
    EXPECT_TRUE(eventually([&] { return (*kubectl_)("get deploy web -n demo").exit_code != 0; }));
    if (mode == "orphan") {
      json::object left = get_json("get cm owned-orphan -n demo");
      EXPECT_FALSE(left.at("metadata").as_object().contains("ownerReferences")) << left;
    } else {
      EXPECT_TRUE(eventually([&] { return (*kubectl_)("get cm owned-" + mode + " -n demo").exit_code != 0; }))
          << "the dependent of a " << mode << " deletion is still there";
    }
    apply_app();
  }
  EXPECT_TRUE(contains(ok("delete namespace demo"), "namespace \"demo\" deleted"));
  EXPECT_TRUE(eventually([&] { return (*kubectl_)("get namespace demo").exit_code != 0; }));
}

TEST_P(KubectlTest, DiscoveryVersionGetAllAndCreateNamespace) {
  std::string resources = ok("api-resources");
  for (const char* row : {"^pods +po +v1 +true +Pod$", "^deployments +deploy +apps/v1 +true +Deployment$",
                          "^namespaces +ns +v1 +false +Namespace$", "^cronjobs +cj +batch/v1 +true +CronJob$",
                          "^leases +coordination.k8s.io/v1 +true +Lease$",
                          "^clusterroles +rbac.authorization.k8s.io/v1 +false +ClusterRole$"})
    EXPECT_TRUE(std::regex_search(resources, std::regex(row, std::regex::multiline))) << row << "\n"
                                                                                      << resources;

  std::string version = ok("version");
  EXPECT_TRUE(std::regex_search(version, std::regex("Server Version: v1\\.[0-9]+\\.[0-9]+"))) << version;

  EXPECT_TRUE(contains(ok("create namespace fresh"), "namespace/fresh created"));
  EXPECT_EQ(ok("get namespace fresh -o jsonpath={.status.phase}"), "Active");

  apply_app();
  std::string all = ok("get all -n demo");
  for (const char* row : {"service/web", "deployment.apps/web", "job.batch/migrate"})
    EXPECT_TRUE(contains(all, row)) << all;
}

TEST_P(KubectlTest, StorageClassesAndAutoscalersAreServed) {
  std::string resources = ok("api-resources");
  for (const char* row :
       {"^storageclasses +sc +storage.k8s.io/v1 +false +StorageClass$",
        "^csidrivers +storage.k8s.io/v1 +false +CSIDriver$", "^csinodes +storage.k8s.io/v1 +false +CSINode$",
        "^volumeattachments +storage.k8s.io/v1 +false +VolumeAttachment$",
        "^horizontalpodautoscalers +hpa +autoscaling/v2 +true +HorizontalPodAutoscaler$"})
    EXPECT_TRUE(std::regex_search(resources, std::regex(row, std::regex::multiline))) << row << "\n"
                                                                                      << resources;

  ok("apply -f -", R"(apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: local
  annotations: {storageclass.kubernetes.io/is-default-class: "true"}
provisioner: example.com/local-path
volumeBindingMode: WaitForFirstConsumer
parameters: {path: /srv}
)");
  std::string classes = ok("get storageclass");
  EXPECT_TRUE(std::regex_search(
      classes,
      std::regex("^local \\(default\\) +example.com/local-path +Delete +WaitForFirstConsumer +false +",
                 std::regex::multiline)))
      << classes;
  std::string immutable = fails("patch sc local -p '{\"parameters\":{\"path\":\"/data\"}}'");
  EXPECT_TRUE(contains(immutable, "parameters: Forbidden: updates to parameters are forbidden."))
      << immutable;
  EXPECT_TRUE(contains(fails("create -f -",
                             "apiVersion: storage.k8s.io/v1\nkind: StorageClass\n"
                             "metadata: {name: nothing}\n"),
                       "provisioner: Required value"));
  for (const char* kind : {"csidrivers", "csinodes", "volumeattachments"})
    EXPECT_TRUE(contains((*kubectl_)(std::string("get ") + kind).out, "No resources found")) << kind;

  // kubectl before 1.32 writes autoscaling/v1, newer ones v2: the server takes either.
  apply_app();
  EXPECT_TRUE(contains(ok("autoscale deployment web -n demo --cpu-percent=60 --max=3"),
                       "horizontalpodautoscaler.autoscaling/web autoscaled"));
  std::string hpas = ok("get hpa -n demo");
  EXPECT_TRUE(std::regex_search(
      hpas, std::regex("^web +Deployment/web +cpu: <unknown>/60% +1 +3 +0 +", std::regex::multiline)))
      << hpas;
}

// kubectl's CLI suite reads `kubectl get --raw '...?pretty=true'` line by line.
TEST_P(KubectlTest, PrettyTrueIndentsTheAnswer) {
  const std::string pretty = ok("get --raw '/api/v1/namespaces/default?pretty=true'");
  EXPECT_TRUE(contains(pretty, "\n  \"metadata\": {\n    ")) << pretty;
  EXPECT_TRUE(contains(pretty, "\n  \"spec\": {\n    \"finalizers\": [\n      \"kubernetes\"\n    ]\n  },\n"))
      << pretty;
  const std::string compact = ok("get --raw /api/v1/namespaces/default");
  EXPECT_FALSE(contains(compact, "\n  ")) << "kubectl is no person: compact by default";
  EXPECT_EQ(boost::json::parse(pretty), boost::json::parse(compact));
}

// kubectl's CLI suite: "Patch fails with type restore error and exit code 1".
TEST_P(KubectlTest, APatchOfTheWrongTypeIsRefusedAsUpstreamRefusesIt) {
  ok("create configmap typed --from-literal=k=v");
  const std::string refused = fails("patch configmap typed -p '{\"metadata\":{\"labels\":\"invalid\"}}'");
  EXPECT_TRUE(contains(refused, "cannot restore map from string")) << refused;
  const std::string merged = fails("patch configmap typed --type=merge -p '{\"data\":{\"k\":1}}'");
  EXPECT_TRUE(
      contains(merged, "json: cannot unmarshal number into Go struct field ConfigMap.data of type string"))
      << merged;
  EXPECT_EQ(ok("get configmap typed -o jsonpath={.data.k}"), "v") << "nothing stored";
  EXPECT_TRUE(
      contains(ok("patch configmap typed -p '{\"metadata\":{\"labels\":{\"a\":\"b\"}}}'"), "patched"));
}

// From kubectl's CLI suite: the upgrade from client-side to server-side apply. kubectl
// takes over what its client-side apply set without a conflict, and keeps the
// last-applied annotation in step.
TEST_P(KubectlTest, ServerSideApplyTakesOverFromClientSideApply) {
  const std::string pod = R"(apiVersion: v1
kind: Pod
metadata:
  name: test-pod
  labels:
    name: test-pod-label
spec:
  containers:
  - name: kubernetes-pause
    image: registry.k8s.io/pause:3.10
)";
  ok("apply -f -", pod);
  const std::string applied = replaced(pod, "test-pod-label", "test-pod-applied");
  // diff answers 1 when it finds differences, and fails otherwise.
  const CommandResult diff = (*kubectl_)("diff --server-side -f -", applied);
  EXPECT_EQ(diff.exit_code, 1) << diff.out;
  EXPECT_TRUE(contains(diff.out, "+    name: test-pod-applied")) << diff.out;
  EXPECT_TRUE(contains(ok("apply --server-side -f -", applied), "pod/test-pod serverside-applied"));
  EXPECT_EQ(get("pod test-pod", ".metadata.labels.name"), "test-pod-applied");
  const std::string last =
      get("pod test-pod", ".metadata.annotations.kubectl\\.kubernetes\\.io/last-applied-configuration");
  EXPECT_TRUE(contains(last, "\"name\":\"test-pod-applied\"")) << last;
  EXPECT_FALSE(contains(last, "test-pod-label")) << last;
  EXPECT_EQ(get("pod test-pod", ".metadata.managedFields[?(@.manager==\"kubectl\")].operation"), "Apply");

  // Another manager is still held to the fields it does not own.
  const CommandResult other =
      refused("apply --server-side --field-manager=other -f -", replaced(pod, "test-pod-label", "taken"));
  EXPECT_TRUE(contains(other.out, "conflict with \"kubectl\"")) << other.out;
  // And kubectl to the ones it set by hand after its client-side apply.
  ok("label pod test-pod --overwrite name=by-hand");
  const CommandResult by_hand = refused("apply --server-side -f -", replaced(pod, "test-pod-label", "again"));
  EXPECT_TRUE(contains(by_hand.out, "Apply failed with 1 conflict")) << by_hand.out;
}

// Upstream keeps one store of Events behind core/v1 and events.k8s.io/v1: `kubectl events`
// and `kubectl get events` (core) show what a client of the newer API recorded.
TEST_P(KubectlTest, EventsOfEitherApiAreListedByBoth) {
  ok("create -f -", R"(apiVersion: events.k8s.io/v1
kind: Event
metadata: {name: synced.1, namespace: default}
eventTime: "2026-01-02T03:04:05.000000Z"
reportingController: example.com/ctl
reportingInstance: ctl-1
action: Sync
reason: Synced
regarding: {kind: Pod, name: api, namespace: default}
note: all synced
type: Normal
)");
  ok("create -f -", R"(apiVersion: v1
kind: Event
metadata: {name: pulled.1, namespace: default}
involvedObject: {kind: Pod, name: web, namespace: default}
reason: Pulled
message: image pulled
type: Normal
count: 1
source: {component: kubelet}
)");
  // `kubectl events` writes the kind as it is (Pod/api), `get events` in lower case.
  for (const std::string& listing : {ok("events"), ok("get events")}) {
    EXPECT_TRUE(std::regex_search(listing, std::regex("Normal +Synced +[Pp]od/api +all synced"))) << listing;
    EXPECT_TRUE(std::regex_search(listing, std::regex("Normal +Pulled +[Pp]od/web +image pulled")))
        << listing;
  }
  EXPECT_EQ(get("events.v1.events.k8s.io pulled.1", ".note"), "image pulled");
  EXPECT_EQ(get("events.v1.events.k8s.io pulled.1", ".regarding.name"), "web");
  EXPECT_EQ(get("event synced.1", ".message"), "all synced");
  EXPECT_EQ(get("event synced.1", ".involvedObject.name"), "api");
  EXPECT_EQ(ok("get events.v1.events.k8s.io -o name --field-selector regarding.name=web"),
            "event.events.k8s.io/pulled.1\n");
  ok("delete events.v1.events.k8s.io synced.1");
  EXPECT_TRUE(contains(fails("get event synced.1"), "NotFound"));
}

// The daemon's plugins, as `ukube plugins` lists them, for cluster admins.
TEST_P(KubectlTest, DebugPluginsListsThePluginsAndTheirStates) {
  const json::value listed = json::parse(ok("get --raw /debug/plugins"));
  EXPECT_EQ(listed.at("kind"), "PluginList");
  std::map<std::string, std::string> states, libraries;
  for (const auto& item : listed.at("items").as_array()) {
    const std::string uri =
        std::string(item.at("type").as_string()) + "." + std::string(item.at("id").as_string());
    states[uri] = item.at("state").as_string();
    libraries[uri] = item.at("library").as_string();
  }
  EXPECT_EQ(states["ukube.apiserver.v1.apiserver"], "running");
  EXPECT_TRUE(libraries["ukube.apiserver.v1.apiserver"].ends_with("apiserver.so"))
      << libraries["ukube.apiserver.v1.apiserver"];
  EXPECT_EQ(states["ukube.controller.v1.garbagecollector"], "running");
  EXPECT_EQ(states["ukube.authorizer.v1.rbac"], "running");

  ok("create serviceaccount peeker");
  const CommandResult denied = refused("get --raw /debug/plugins --as=system:serviceaccount:default:peeker");
  EXPECT_TRUE(contains(denied.out, "Forbidden")) << denied.out;
}

// kubectl validates a kind that /openapi/v3 does not list against /openapi/v2, which it
// reads as protobuf; a kind no document lists is then "no matches for kind".
TEST_P(KubectlTest, AKindNoDocumentListsIsNoMatchForKind) {
  const std::string refused =
      fails("apply -f -", "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n");
  EXPECT_TRUE(contains(refused, "no matches for kind \"Widget\" in version \"example.com/v1\"")) << refused;
  EXPECT_FALSE(contains(refused, "proto:")) << refused;
}

// From kubectl's CLI suite: --raw posts the YAML file as it is, which the JSON decoder
// cannot read for its kind.
TEST_P(KubectlTest, AYamlPodPostedRawToNamespacesIsUnrecognized) {
  const std::string pod = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: valid-pod\n";
  const std::string refused = fails("create --raw /api/v1/namespaces -f -", pod);
  EXPECT_TRUE(
      contains(refused,
               "Error from server (BadRequest): the object provided is unrecognized (must be of type "
               "Namespace): couldn't get version/kind; json parse error: invalid character 'a' looking "
               "for beginning of value (61706956657273696f6e3a2076310a6b696e643a20506f640a6d65746164 ...)"))
      << refused;
  EXPECT_FALSE(contains(ok("get namespaces -o name"), "valid-pod"));
}

TEST_P(KubectlTest, APIServicesListWhatIsServedAndTakeRegistrations) {
  std::string listed = ok("get apiservices");
  for (const char* row : {"^v1\\.apps +Local +True +", "^v2\\.autoscaling +Local +True +",
                          "^v1\\. +Local +True +", "^v1beta1\\.metrics\\.k8s\\.io +Local +True +"})
    EXPECT_TRUE(std::regex_search(listed, std::regex(row, std::regex::multiline))) << row << "\n" << listed;
  EXPECT_EQ(ok("get apiservice v2.autoscaling -o jsonpath={.spec.versionPriority}"), "30");
  EXPECT_EQ(ok("get apiservice v1.autoscaling -o jsonpath={.spec.versionPriority}"), "15");

  const std::string registration = R"(apiVersion: apiregistration.k8s.io/v1
kind: APIService
metadata: {name: v1beta1.example.com}
spec:
  group: example.com
  version: v1beta1
  service: {namespace: default, name: example-api}
  groupPriorityMinimum: 1000
  versionPriority: 15
  insecureSkipTLSVerify: true
)";
  EXPECT_TRUE(contains(ok("create -f -", registration),
                       "apiservice.apiregistration.k8s.io/v1beta1.example.com created"));
  std::string mine = ok("get apiservice v1beta1.example.com");
  EXPECT_TRUE(std::regex_search(
      mine, std::regex("^v1beta1\\.example\\.com +default/example-api +Unknown +", std::regex::multiline)))
      << mine;
  EXPECT_EQ(ok("get apiservice v1beta1.example.com -o jsonpath={.spec.service.port}"), "443");
  std::string misnamed =
      fails("create -f -", replaced(registration, "name: v1beta1.example.com", "name: wrong"));
  EXPECT_TRUE(contains(misnamed,
                       "metadata.name: Invalid value: \"wrong\": must be `spec.version+\".\"+spec.group`: "
                       "\"v1beta1.example.com\""))
      << misnamed;
  EXPECT_TRUE(contains(ok("delete apiservice v1beta1.example.com"), "deleted"));
  EXPECT_NE((*kubectl_)("get apiservice v1beta1.example.com").exit_code, 0);
}

TEST_P(KubectlTest, ErrorsReadLikeUpstream) {
  apply_app();
  std::string strict = fails(
      "apply -f -", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: typo, namespace: demo}\ndatta: {}\n");
  EXPECT_TRUE(contains(strict, R"(strict decoding error: unknown field "datta")")) << strict;
  EXPECT_TRUE(contains(strict, "Error from server (BadRequest)")) << strict;
  EXPECT_NE((*kubectl_)("get cm typo -n demo").exit_code, 0) << "a rejected object was stored";

  std::string exists =
      fails("create -f -", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings, namespace: demo}\n");
  EXPECT_TRUE(contains(
      exists,
      R"(Error from server (AlreadyExists): error when creating "STDIN": configmaps "settings" already exists)"))
      << exists;

  std::string missing = fails("get configmap nothing -n demo");
  EXPECT_TRUE(contains(missing, R"(Error from server (NotFound): configmaps "nothing" not found)"))
      << missing;

  std::string stale = ok("get cm settings -n demo -o yaml");
  ok("label cm settings -n demo bump=1");
  stale = std::regex_replace(stale, std::regex("resourceVersion: \"[0-9]+\""), "resourceVersion: \"1\"");
  std::string conflict = fails("replace -f -", stale);
  EXPECT_TRUE(contains(conflict, "Error from server (Conflict)")) << conflict;
  EXPECT_TRUE(contains(
      conflict,
      R"(Operation cannot be fulfilled on configmaps "settings": the object has been modified; please apply your changes to the latest version and try again)"))
      << conflict;

  std::string invalid =
      fails("apply -f -", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: Not_Valid, namespace: demo}\n");
  EXPECT_TRUE(contains(
      invalid,
      R"(The ConfigMap "Not_Valid" is invalid: metadata.name: Invalid value: "Not_Valid": a lowercase RFC 1123 subdomain must consist of)"))
      << invalid;

  std::string no_namespace =
      fails("apply -f -", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x, namespace: absent}\n");
  EXPECT_TRUE(contains(no_namespace, R"(namespaces "absent" not found)")) << no_namespace;
}

// The oldest and the newest kubectl the server supports.
INSTANTIATE_TEST_SUITE_P(Versions, KubectlTest, ::testing::Values("1.30", "1.33"), [](const auto& info) {
  return "kubectl_" + std::string(info.param).replace(1, 1, "_");
});

}  // namespace
}  // namespace ukube::testing
