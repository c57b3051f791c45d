// `kubectl get` rows of the non-pod types, for sample objects.
#include "builtin_test_support.h"

namespace ukube::builtin::testing {
namespace {

using std::chrono::hours;

const TypeInfo& type(const std::string& group, const std::string& plural) {
  static const std::vector<TypeInfo> all = builtin_types();
  for (const auto& t : all)
    if (t.group == group && t.plural == plural) return t;
  throw std::runtime_error("no type " + plural);
}

// The row of `body` (its creationTimestamp set to 3h ago, so AGE reads "3h").
std::string row(const std::string& group, const std::string& plural, std::string_view body) {
  json::object o = parse(body);
  auto& meta = o["metadata"];
  if (!meta.is_object()) meta = json::object{};
  meta.as_object()["creationTimestamp"] = ago(hours(3));
  if (!meta.as_object().contains("name")) meta.as_object()["name"] = "x";
  return json::serialize(type(group, plural).table_row(o));
}

std::string column_names(const std::string& group, const std::string& plural) {
  std::string out;
  for (const auto& c : type(group, plural).printer_columns)
    out += (out.empty() ? "" : "|") + c.name + (c.priority ? "*" : "");
  return out;
}

TEST(TableRows, Services) {
  EXPECT_EQ(column_names("", "services"), "Name|Type|Cluster-IP|External-IP|Port(s)|Age|Selector*");
  EXPECT_EQ(
      row("", "services",
          R"({"metadata":{"name":"web"},"spec":{"type":"NodePort","clusterIP":"10.96.0.10","clusterIPs":["10.96.0.10"],
      "ports":[{"port":80,"nodePort":30080,"protocol":"TCP"},{"port":443,"nodePort":30443,"protocol":"TCP"}],"selector":{"app":"web"}}})"),
      R"(["web","NodePort","10.96.0.10","<none>","80:30080/TCP,443:30443/TCP","3h","app=web"])");
  EXPECT_EQ(
      row("", "services",
          R"({"metadata":{"name":"lb"},"spec":{"type":"LoadBalancer","clusterIP":"10.96.0.11","ports":[{"port":53,"protocol":"UDP"}]}})"),
      R"(["lb","LoadBalancer","10.96.0.11","<pending>","53/UDP","3h","<none>"])");
  EXPECT_EQ(
      row("", "services",
          R"({"metadata":{"name":"lb"},"spec":{"type":"LoadBalancer","clusterIP":"10.96.0.11","ports":[{"port":80,"protocol":"TCP"}]},
      "status":{"loadBalancer":{"ingress":[{"ip":"192.0.2.1"}]}}})"),
      R"(["lb","LoadBalancer","10.96.0.11","192.0.2.1","80/TCP","3h","<none>"])");
  EXPECT_EQ(row("", "services",
                R"({"metadata":{"name":"ext"},"spec":{"type":"ExternalName","externalName":"example.com"}})"),
            R"(["ext","ExternalName","<none>","example.com","<none>","3h","<none>"])");
  EXPECT_EQ(
      row("", "services",
          R"({"metadata":{"name":"h"},"spec":{"type":"ClusterIP","clusterIP":"None","clusterIPs":["None"]}})"),
      R"(["h","ClusterIP","None","<none>","<none>","3h","<none>"])");
}

TEST(TableRows, Deployments) {
  EXPECT_EQ(column_names("apps", "deployments"),
            "Name|Ready|Up-to-date|Available|Age|Containers*|Images*|Selector*");
  EXPECT_EQ(row("apps", "deployments",
                R"({"metadata":{"name":"web"},"spec":{"replicas":3,"selector":{"matchLabels":{"app":"web"}},
      "template":{"spec":{"containers":[{"name":"nginx","image":"nginx:1.25"},{"name":"log","image":"busybox"}]}}},
      "status":{"readyReplicas":2,"updatedReplicas":3,"availableReplicas":2}})"),
            R"(["web","2/3",3,2,"3h","nginx,log","nginx:1.25,busybox","app=web"])");
  EXPECT_EQ(column_names("apps", "replicasets"),
            "Name|Desired|Current|Ready|Age|Containers*|Images*|Selector*");
  EXPECT_EQ(
      row("apps", "replicasets",
          R"({"metadata":{"name":"web-1"},"spec":{"replicas":2,"selector":{"matchLabels":{"app":"web"}}},
      "status":{"replicas":2,"readyReplicas":1}})"),
      R"(["web-1",2,2,1,"3h","","","app=web"])");
  EXPECT_EQ(column_names("apps", "statefulsets"), "Name|Ready|Age|Containers*|Images*");
  EXPECT_EQ(row("apps", "statefulsets",
                R"({"metadata":{"name":"db"},"spec":{"replicas":3},"status":{"readyReplicas":3}})"),
            R"(["db","3/3","3h","",""])");
  EXPECT_EQ(
      column_names("apps", "daemonsets"),
      "Name|Desired|Current|Ready|Up-to-date|Available|Node Selector|Age|Containers*|Images*|Selector*");
  EXPECT_EQ(
      row("apps", "daemonsets",
          R"({"metadata":{"name":"agent"},"spec":{"template":{"spec":{"nodeSelector":{"kubernetes.io/os":"linux"}}}},
      "status":{"desiredNumberScheduled":2,"currentNumberScheduled":2,"numberReady":1,"updatedNumberScheduled":2,"numberAvailable":1}})"),
      R"(["agent",2,2,1,2,1,"kubernetes.io/os=linux","3h","","","<none>"])");
  EXPECT_EQ(row("apps", "controllerrevisions", R"({"metadata":{"name":"web-5d8f","ownerReferences":[
      {"apiVersion":"apps/v1","kind":"StatefulSet","name":"web","uid":"u","controller":true}]},"revision":2})"),
            R"(["web-5d8f","statefulset.apps/web",2,"3h"])");
}

TEST(TableRows, Nodes) {
  EXPECT_EQ(
      column_names("", "nodes"),
      "Name|Status|Roles|Age|Version|Internal-IP*|External-IP*|OS-Image*|Kernel-Version*|Container-Runtime*");
  EXPECT_EQ(
      row("", "nodes",
          R"({"metadata":{"name":"n1","labels":{"node-role.kubernetes.io/control-plane":"","node-role.kubernetes.io/worker":""}},
      "spec":{"unschedulable":true},
      "status":{"conditions":[{"type":"MemoryPressure","status":"False"},{"type":"Ready","status":"True"}],
        "addresses":[{"type":"Hostname","address":"n1"},{"type":"InternalIP","address":"192.168.1.10"}],
        "nodeInfo":{"kubeletVersion":"v1.32.0","osImage":"Debian GNU/Linux 12","kernelVersion":"6.1.0","containerRuntimeVersion":"ukube://0.1.0"}}})"),
      R"(["n1","Ready,SchedulingDisabled","control-plane,worker","3h","v1.32.0","192.168.1.10","<none>","Debian GNU/Linux 12","6.1.0","ukube://0.1.0"])");
  EXPECT_EQ(
      row("", "nodes",
          R"({"metadata":{"name":"n2"},"status":{"conditions":[{"type":"Ready","status":"Unknown"}]}})"),
      R"(["n2","NotReady","<none>","3h","","<none>","<none>","<unknown>","<unknown>","<unknown>"])");
  EXPECT_EQ(row("", "nodes", R"({"metadata":{"name":"n3"}})"),
            R"(["n3","Unknown","<none>","3h","","<none>","<none>","<unknown>","<unknown>","<unknown>"])");
}

TEST(TableRows, Batch) {
  EXPECT_EQ(column_names("batch", "jobs"),
            "Name|Status|Completions|Duration|Age|Containers*|Images*|Selector*");
  std::string start = ago(hours(2)),
              end = format_time(parse_time(ago(hours(2))).value() + std::chrono::seconds(75));
  EXPECT_EQ(row("batch", "jobs",
                R"({"metadata":{"name":"pi"},"spec":{"completions":3,"parallelism":1},
      "status":{"succeeded":3,"startTime":")" +
                    start + R"(","completionTime":")" + end + R"(",
      "conditions":[{"type":"Complete","status":"True"}]}})"),
            R"(["pi","Complete","3/3","75s","3h","","","<none>"])");
  EXPECT_EQ(
      row("batch", "jobs", R"({"metadata":{"name":"w"},"spec":{"parallelism":4},"status":{"succeeded":1}})"),
      R"(["w","Running","1/1 of 4","","3h","","","<none>"])");
  EXPECT_EQ(
      row("batch", "jobs",
          R"({"spec":{"suspend":true},"status":{"conditions":[{"type":"Suspended","status":"True"}]}})"),
      R"(["x","Suspended","0/1","","3h","","","<none>"])");
  EXPECT_EQ(column_names("batch", "cronjobs"),
            "Name|Schedule|Timezone|Suspend|Active|Last Schedule|Age|Containers*|Images*|Selector*");
  EXPECT_EQ(row("batch", "cronjobs",
                R"({"metadata":{"name":"tick"},"spec":{"schedule":"*/5 * * * *","suspend":false},
      "status":{"active":[{"name":"tick-1"}],"lastScheduleTime":")" +
                    ago(hours(3)) + R"("}})"),
            R"(["tick","*/5 * * * *","<none>","False",1,"3h","3h","","","<none>"])");
}

TEST(TableRows, ConfigAndAccess) {
  EXPECT_EQ(row("", "configmaps", R"({"data":{"a":"1","b":"2"},"binaryData":{"c":"AA=="}})"),
            R"(["x",3,"3h"])");
  EXPECT_EQ(row("", "secrets", R"({"type":"Opaque","data":{"a":"MQ=="}})"), R"(["x","Opaque",1,"3h"])");
  EXPECT_EQ(row("", "serviceaccounts", R"({})"), R"(["x",0,"3h"])");
  EXPECT_EQ(row("", "namespaces", R"({"status":{"phase":"Active"}})"), R"(["x","Active","3h"])");
  EXPECT_EQ(
      row("rbac.authorization.k8s.io", "rolebindings", R"({"roleRef":{"kind":"ClusterRole","name":"view"},
      "subjects":[{"kind":"User","name":"alice"},{"kind":"ServiceAccount","name":"bot","namespace":"ci"}]})"),
      R"(["x","ClusterRole/view","3h","alice","","ci/bot"])");
  json::object role = parse(R"({"metadata":{"name":"r","creationTimestamp":"2024-05-01T10:00:00Z"}})");
  EXPECT_EQ(json::serialize(type("rbac.authorization.k8s.io", "roles").table_row(role)),
            R"(["r","2024-05-01T10:00:00Z"])");
  EXPECT_EQ(row("coordination.k8s.io", "leases", R"({"spec":{"holderIdentity":"node-1"}})"),
            R"(["x","node-1","3h"])");
  EXPECT_EQ(row("scheduling.k8s.io", "priorityclasses",
                R"({"value":1000,"globalDefault":false,"preemptionPolicy":"Never"})"),
            R"(["x",1000,false,"3h","Never"])");
  EXPECT_EQ(row("policy", "poddisruptionbudgets",
                R"({"spec":{"minAvailable":"50%"},"status":{"disruptionsAllowed":1}})"),
            R"(["x","50%","N/A",1,"3h"])");
  EXPECT_EQ(
      row("", "resourcequotas",
          R"({"spec":{"hard":{"pods":"10","limits.cpu":"4","requests.cpu":"2"}},"status":{"used":{"pods":"3"}}})"),
      R"(["x","3h","pods: 3/10, requests.cpu: 0/2","limits.cpu: 0/4"])");
}

TEST(TableRows, NetworkAndStorage) {
  EXPECT_EQ(
      row("", "endpoints",
          R"({"subsets":[{"addresses":[{"ip":"10.0.0.1"},{"ip":"10.0.0.2"}],"ports":[{"port":80},{"port":443}]}]})"),
      R"(["x","10.0.0.1:80,10.0.0.1:443,10.0.0.2:80 + 1 more...","3h"])");
  EXPECT_EQ(row("", "endpoints", R"({})"), R"(["x","<none>","3h"])");
  EXPECT_EQ(row("discovery.k8s.io", "endpointslices",
                R"({"addressType":"IPv4","ports":[{"port":80}],"endpoints":[{"addresses":["10.0.0.1"]}]})"),
            R"(["x","IPv4","80","10.0.0.1","3h"])");
  EXPECT_EQ(
      row("networking.k8s.io", "servicecidrs", R"({"spec":{"cidrs":["10.43.0.0/16","fd00:43::/112"]}})"),
      R"(["x","10.43.0.0/16,fd00:43::/112","3h"])");
  EXPECT_EQ(column_names("networking.k8s.io", "ipaddresses"), "Name|ParentRef");
  EXPECT_EQ(
      row("networking.k8s.io", "ipaddresses",
          R"({"spec":{"parentRef":{"resource":"services","namespace":"default","name":"kubernetes"}}})"),
      R"(["x","services/default/kubernetes"])");
  EXPECT_EQ(
      row("networking.k8s.io", "ipaddresses",
          R"({"spec":{"parentRef":{"group":"gateway.networking.k8s.io","resource":"Gateways","name":"g"}}})"),
      R"(["x","gateways.gateway.networking.k8s.io/g"])");
  EXPECT_EQ(row("", "persistentvolumeclaims",
                R"({"spec":{"volumeName":"pv1","storageClassName":"local","volumeMode":"Filesystem"},
      "status":{"phase":"Bound","capacity":{"storage":"1Gi"},"accessModes":["ReadWriteOnce","ReadOnlyMany"]}})"),
            R"(["x","Bound","pv1","1Gi","RWO,ROX","local","<none>","3h","Filesystem"])");
  EXPECT_EQ(
      row("", "persistentvolumes", R"({"spec":{"capacity":{"storage":"5Gi"},"accessModes":["ReadWriteOnce"],
      "persistentVolumeReclaimPolicy":"Retain","claimRef":{"namespace":"default","name":"data"},"storageClassName":"local"},"status":{"phase":"Bound"}})"),
      R"(["x","5Gi","RWO","Retain","Bound","default/data","local","<none>","","3h",""])");
}

TEST(TableRows, Events) {
  EXPECT_EQ(column_names("", "events"),
            "Last Seen|Type|Reason|Object|Subobject*|Source*|Message|First Seen*|Count*|Name*");
  EXPECT_EQ(
      row("", "events",
          R"({"metadata":{"name":"web.17"},"involvedObject":{"kind":"Pod","name":"web","fieldPath":"spec.containers{nginx}"},
      "reason":"Pulled","message":"Pulled image","type":"Normal","source":{"component":"kubelet","host":"n1"},
      "firstTimestamp":")" +
              ago(hours(3)) + R"(","lastTimestamp":")" + ago(hours(3)) + R"(","count":2})"),
      R"(["3h","Normal","Pulled","pod/web","spec.containers{nginx}","kubelet, n1","Pulled image","3h","2","web.17"])");
  EXPECT_EQ(
      row("events.k8s.io", "events",
          R"({"metadata":{"name":"e"},"regarding":{"kind":"Deployment","name":"web"},
      "reason":"ScalingReplicaSet","note":"Scaled up","type":"Normal","reportingController":"deployment-controller",
      "eventTime":")" +
              ago(hours(3)) + R"("})"),
      R"(["3h","Normal","ScalingReplicaSet","deployment/web","","deployment-controller","Scaled up","3h","0","e"])");
}

}  // namespace
}  // namespace ukube::builtin::testing
