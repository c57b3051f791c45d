// Request bodies captured from kubectl 1.33 (`-v=10` logs them), decoded against the real
// built-in schemas: each must decode to exactly the JSON body kubectl 1.30 sends for the same
// command (also captured), since JSON-speaking clients are what the rest of the server was
// built and tested against.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <string>

#include "apiserver/protobuf_body.h"
#include "registry.h"

namespace ukube::apiserver {
namespace {

namespace json = boost::json;

std::string from_hex(std::string_view hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2)
    out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  return out;
}

struct Captured {
  const char* command;
  GroupVersionResource gvr;
  const char* protobuf_hex;  // what kubectl 1.33 sent
  const char* json;          // what kubectl 1.30 sent
};

// The secret's "bin" value is the bytes 01 02.
const Captured kCaptured[] = {
    {"kubectl create namespace cap-ns2",
     {"", "v1", "namespaces"},
     "6b3873000a0f0a02763112094e616d657370616365121f0a170a076361702d6e733212001a0022002a00320038004200"
     "12001a020a001a002200",
     R"({"kind":"Namespace","apiVersion":"v1","metadata":{"name":"cap-ns2","creationTimestamp":null},
     "spec":{},"status":{}})"},
    {"kubectl create deployment capweb --image=nginx --replicas=3 --port=80",
     {"apps", "v1", "deployments"},
     "6b3873000a150a07617070732f7631120a4465706c6f796d656e7412cb010a2c0a0663617077656212001a076e732d31"
     "2d333322002a003200380042005a0d0a036170701206636170776562128c010803120f0a0d0a03617070120663617077"
     "65621a6f0a1f0a0012001a0022002a003200380042005a0d0a036170701206636170776562124c122e0a056e67696e78"
     "12056e67696e782a00320a0a001000185022002a0042006a007200800100880100900100a201001a00320042004a0052"
     "005800600068008201008a01009a0100c2010022020a00280038001a0c0800100018002000280038001a002200",
     R"({"kind":"Deployment","apiVersion":"apps/v1","metadata":{"name":"capweb","namespace":"ns-1-33",
     "creationTimestamp":null,"labels":{"app":"capweb"}},"spec":{"replicas":3,
     "selector":{"matchLabels":{"app":"capweb"}},"template":{"metadata":{"creationTimestamp":null,
     "labels":{"app":"capweb"}},"spec":{"containers":[{"name":"nginx","image":"nginx",
     "ports":[{"containerPort":80}],"resources":{}}]}},"strategy":{}},"status":{}})"},
    {"kubectl create deployment capzero --image=nginx --replicas=0",
     {"apps", "v1", "deployments"},
     "6b3873000a150a07617070732f7631120a4465706c6f796d656e7412c3010a2e0a076361707a65726f12001a076e732d"
     "312d333322002a003200380042005a0e0a0361707012076361707a65726f128201080012100a0e0a0361707012076361"
     "707a65726f1a640a200a0012001a0022002a003200380042005a0e0a0361707012076361707a65726f124012220a056e"
     "67696e7812056e67696e782a0042006a007200800100880100900100a201001a00320042004a00520058006000680082"
     "01008a01009a0100c2010022020a00280038001a0c0800100018002000280038001a002200",
     R"({"kind":"Deployment","apiVersion":"apps/v1","metadata":{"name":"capzero","namespace":"ns-1-33",
     "creationTimestamp":null,"labels":{"app":"capzero"}},"spec":{"replicas":0,
     "selector":{"matchLabels":{"app":"capzero"}},"template":{"metadata":{"creationTimestamp":null,
     "labels":{"app":"capzero"}},"spec":{"containers":[{"name":"nginx","image":"nginx",
     "resources":{}}]}},"strategy":{}},"status":{}})"},
    {"kubectl create secret generic capsec --from-literal=user=admin --from-literal=bin=$'\\x01\\x02' "
     "--from-literal=empty=",
     {"", "v1", "secrets"},
     "6b3873000a0c0a027631120653656372657412460a1d0a0663617073656312001a076e732d312d333322002a00320038"
     "00420012090a0362696e1202010212090a05656d7074791200120d0a0475736572120561646d696e1a001a002200",
     R"({"kind":"Secret","apiVersion":"v1","metadata":{"name":"capsec","namespace":"ns-1-33",
     "creationTimestamp":null},"data":{"bin":"AQI=","empty":"","user":"YWRtaW4="}})"},
    {"kubectl create service nodeport capsvc --tcp=80:8080 --tcp=443:https",
     {"", "v1", "services"},
     "6b3873000a0d0a027631120753657276696365129c010a2c0a0663617073766312001a076e732d312d333322002a0032"
     "00380042005a0d0a03617070120663617073766312680a1b0a0738302d38303830120354435018502207080010903f1a"
     "0028000a220a093434332d6874747073120354435018bb03220b080110001a0568747470732800120d0a036170701206"
     "6361707376631a0022084e6f6465506f72743a00420052005a00600068001a020a001a002200",
     R"({"kind":"Service","apiVersion":"v1","metadata":{"name":"capsvc","namespace":"ns-1-33",
     "creationTimestamp":null,"labels":{"app":"capsvc"}},"spec":{"ports":[{"name":"80-8080",
     "protocol":"TCP","port":80,"targetPort":8080},{"name":"443-https","protocol":"TCP","port":443,
     "targetPort":"https"}],"selector":{"app":"capsvc"},"type":"NodePort"},"status":{"loadBalancer":{}}})"},
    {"kubectl create clusterrole capcr --verb=get,list --resource=pods,deployments.apps",
     {"rbac.authorization.k8s.io", "v1", "clusterroles"},
     "6b3873000a2b0a1c726261632e617574686f72697a6174696f6e2e6b38732e696f2f7631120b436c7573746572526f6c"
     "65124c0a150a05636170637212001a0022002a0032003800420012130a036765740a046c69737412001a04706f647312"
     "1e0a036765740a046c6973741204617070731a0b6465706c6f796d656e74731a002200",
     R"({"kind":"ClusterRole","apiVersion":"rbac.authorization.k8s.io/v1","metadata":{"name":"capcr",
     "creationTimestamp":null},"rules":[{"verbs":["get","list"],"apiGroups":[""],"resources":["pods"]},
     {"verbs":["get","list"],"apiGroups":["apps"],"resources":["deployments"]}]})"},
    {"kubectl create quota capq --hard=pods=10,cpu=2,memory=1Gi,requests.storage=5Gi",
     {"", "v1", "resourcequotas"},
     "6b3873000a130a027631120d5265736f7572636551756f746112670a1b0a046361707112001a076e732d312d33332200"
     "2a0032003800420012460a0a0a0363707512030a01320a0f0a066d656d6f727912050a033147690a0c0a04706f647312"
     "040a0231300a190a1072657175657374732e73746f7261676512050a033547691a001a002200",
     R"({"kind":"ResourceQuota","apiVersion":"v1","metadata":{"name":"capq","namespace":"ns-1-33",
     "creationTimestamp":null},"spec":{"hard":{"cpu":"2","memory":"1Gi","pods":"10",
     "requests.storage":"5Gi"}},"status":{}})"},
    {"kubectl create priorityclass cappc --value=0",
     {"scheduling.k8s.io", "v1", "priorityclasses"},
     "6b3873000a250a147363686564756c696e672e6b38732e696f2f7631120d5072696f72697479436c61737312330a150a"
     "05636170706312001a0022002a003200380042001000180022002a14507265656d70744c6f7765725072696f72697479"
     "1a002200",
     R"({"kind":"PriorityClass","apiVersion":"scheduling.k8s.io/v1","metadata":{"name":"cappc",
     "creationTimestamp":null},"value":0,"preemptionPolicy":"PreemptLowerPriority"})"},
    {"kubectl create cronjob capcj --image=busybox --schedule='*/5 * * * *' -- echo hi",
     {"batch", "v1", "cronjobs"},
     "6b3873000a130a0862617463682f7631120743726f6e4a6f6212b9010a1c0a05636170636a12001a076e732d312d3333"
     "22002a003200380042001296010a0b2a2f35202a202a202a202a1a002a84010a150a05636170636a12001a0022002a00"
     "320038004200126b32690a100a0012001a0022002a003200380042001255122e0a05636170636a120762757379626f78"
     "1a046563686f1a0268692a0042006a007200800100880100900100a201001a094f6e4661696c757265320042004a0052"
     "005800600068008201008a01009a0100c201001a001a002200",
     R"({"kind":"CronJob","apiVersion":"batch/v1","metadata":{"name":"capcj","namespace":"ns-1-33",
     "creationTimestamp":null},"spec":{"schedule":"*/5 * * * *",
     "jobTemplate":{"metadata":{"name":"capcj","creationTimestamp":null},
     "spec":{"template":{"metadata":{"creationTimestamp":null},"spec":{"containers":[{"name":"capcj",
     "image":"busybox","command":["echo","hi"],"resources":{}}],"restartPolicy":"OnFailure"}}}}},
     "status":{}})"},
    {"kubectl create job richcap --from=cronjob/rich (a pod template using most PodSpec fields)",
     {"batch", "v1", "jobs"},
     "6b3873000a0f0a0862617463682f763112034a6f6212c80c0a9d010a077269636863617012001a0764656661756c7422"
     "002a003200380042005a0d0a047469657212056261746368622b0a2163726f6e6a6f622e6b756265726e657465732e69"
     "6f2f696e7374616e746961746512066d616e75616c6a410a0743726f6e4a6f621a047269636822243432613637626665"
     "2d343866642d343635332d396130332d3334346462383534626639382a0862617463682f76313001129b0b32d50a0a18"
     "0a0012001a0022002a0032003800420062060a016112016212b80a0a0f0a0773637261746368120412020a000a190a03"
     "6d656d121212100a064d656d6f727912060a0436344d690a230a02636d121d9a011a0a050a03636667120d0a01611205"
     "612e747874188002180020010a0f0a03736563120832060a017318a4030a190a02687012130a110a042f746d70120944"
     "69726563746f72790a590a0470726f6a1251d2014e0a091a070a050a036366670a090a070a030a017320000a0e220c0a"
     "0010901c1a05746f6b656e0a2312210a1f0a066c6162656c7312150a027631120f6d657461646174612e6c6162656c73"
     "10a4030a110a03707663120a52080a046461746110010a590a036570681252ea014f0a4d0a180a0012001a0022002a00"
     "3200380042005a060a017812017912310a0d5265616457726974654f6e6365121212100a0773746f7261676512050a03"
     "3147691a00320a46696c6573797374656d12aa040a046d61696e120762757379626f7822032d2d7822002a022f773212"
     "0a0468747470100018903f22035443502a00320d0a001000183522035544502a003a060a01411201313a090a05454d50"
     "545912003a1e0a03504f4412001a150a130a027631120d6d657461646174612e6e616d653a1f0a0343505512001a1612"
     "140a00120a6c696d6974732e6370751a040a02316d3a170a03434d4b12001a0e1a0c0a050a0363666712016b18003a12"
     "0a02534b12001a0a22080a030a017312016b42400a0d0a0363707512060a043530306d0a110a066d656d6f727912070a"
     "053132384d69120a0a0363707512030a013012100a066d656d6f727912060a0436344d694a190a077363726174636810"
     "001a082f73637261746368220032004a150a02636d10011a042f6366672205612e747874320052330a2712250a082f68"
     "65616c74687a120a080110001a04687474701a002204485454502a050a0158120010001801200a280130035a190a0d1a"
     "0b0a07080010903f1a00120010001801200a28013001621d0a1512130a012f1206080010501a001a0022044854545012"
     "04220208056a142f6465762f7465726d696e6174696f6e2d6c6f677206416c776179737a240a170a104e45545f42494e"
     "445f534552564943451203414c4c100020e8072801300138008001018801009001019a010b0a0012070a050a03636667"
     "9a010d0a02535f1a070a030a01731001a2010446696c65b201140a080a060a047472756510001801200a280130031a05"
     "4e6576657220002864320c436c7573746572466972737442004a0052005800600068007239100020012002200328d00f"
     "3a1a0a126e65742e636f72652e736f6d6178636f6e6e12043130323452100a0e52756e74696d6544656661756c748201"
     "008a01009201670a310a0e0a0c0a0a0a016b1202496e1a0176121f0805121b12190a0d6d657461646174612e6e616d65"
     "12054e6f74496e1a016e1a3212300864122c0a0f120d0a0361707012064578697374731201611a166b756265726e6574"
     "65732e696f2f686f73746e616d659a011164656661756c742d7363686564756c6572a201580a04696e69741207627573"
     "79626f781a0273681a022d631a04747275652a0042006a142f6465762f7465726d696e6174696f6e2d6c6f677206416c"
     "77617973800100880100900100a2010446696c65c20106416c77617973a80100b2011a0a016b12064578697374731a00"
     "22094e6f457865637574652800ba01140a093132372e302e302e311207782e6c6f63616cc20100d2011e0a07312e312e"
     "312e311a0a0a056e646f74731201321a070a0565646e7330f001008a0225080112047a6f6e651a0d446f4e6f74536368"
     "6564756c65220a0a080a03617070120178280138005a3f0a190a074661696c4a6f62120e0a046d61696e1202496e182a"
     "182b0a220a0649676e6f72651a180a1044697372757074696f6e5461726765741204547275651a082000280030003a00"
     "1a002200",
     R"({"kind":"Job","apiVersion":"batch/v1","metadata":{"name":"richcap","namespace":"default",
     "creationTimestamp":null,"labels":{"tier":"batch"},
     "annotations":{"cronjob.kubernetes.io/instantiate":"manual"},
     "ownerReferences":[{"apiVersion":"batch/v1","kind":"CronJob","name":"rich",
     "uid":"42a67bfe-48fd-4653-9a03-344db854bf98","controller":true}]},
     "spec":{"podFailurePolicy":{"rules":[{"action":"FailJob","onExitCodes":{"containerName":"main",
     "operator":"In","values":[42,43]}},{"action":"Ignore","onPodConditions":[{"type":"DisruptionTarget",
     "status":"True"}]}]},"backoffLimit":0,"template":{"metadata":{"creationTimestamp":null,
     "annotations":{"a":"b"}},"spec":{"volumes":[{"name":"scratch","emptyDir":{}},{"name":"mem",
     "emptyDir":{"medium":"Memory","sizeLimit":"64Mi"}},{"name":"cm","configMap":{"name":"cfg",
     "items":[{"key":"a","path":"a.txt","mode":256}],"defaultMode":0,"optional":true}},{"name":"sec",
     "secret":{"secretName":"s","defaultMode":420}},{"name":"hp","hostPath":{"path":"/tmp",
     "type":"Directory"}},{"name":"proj","projected":{"sources":[{"configMap":{"name":"cfg"}},
     {"secret":{"name":"s","optional":false}},{"serviceAccountToken":{"expirationSeconds":3600,
     "path":"token"}},{"downwardAPI":{"items":[{"path":"labels","fieldRef":{"apiVersion":"v1",
     "fieldPath":"metadata.labels"}}]}}],"defaultMode":420}},{"name":"pvc",
     "persistentVolumeClaim":{"claimName":"data","readOnly":true}},{"name":"eph",
     "ephemeral":{"volumeClaimTemplate":{"metadata":{"creationTimestamp":null,"labels":{"x":"y"}},
     "spec":{"accessModes":["ReadWriteOnce"],"resources":{"requests":{"storage":"1Gi"}},
     "volumeMode":"Filesystem"}}}}],"initContainers":[{"name":"init","image":"busybox","command":["sh",
     "-c","true"],"resources":{},"restartPolicy":"Always",
     "terminationMessagePath":"/dev/termination-log","terminationMessagePolicy":"File",
     "imagePullPolicy":"Always"}],"containers":[{"name":"main","image":"busybox","args":["--x",""],
     "workingDir":"/w","ports":[{"name":"http","containerPort":8080,"protocol":"TCP"},
     {"containerPort":53,"protocol":"UDP"}],"envFrom":[{"configMapRef":{"name":"cfg"}},{"prefix":"S_",
     "secretRef":{"name":"s","optional":true}}],"env":[{"name":"A","value":"1"},{"name":"EMPTY"},
     {"name":"POD","valueFrom":{"fieldRef":{"apiVersion":"v1","fieldPath":"metadata.name"}}},
     {"name":"CPU","valueFrom":{"resourceFieldRef":{"resource":"limits.cpu","divisor":"1m"}}},
     {"name":"CMK","valueFrom":{"configMapKeyRef":{"name":"cfg","key":"k","optional":false}}},
     {"name":"SK","valueFrom":{"secretKeyRef":{"name":"s","key":"k"}}}],
     "resources":{"limits":{"cpu":"500m","memory":"128Mi"},"requests":{"cpu":"0","memory":"64Mi"}},
     "volumeMounts":[{"name":"scratch","mountPath":"/scratch"},{"name":"cm","readOnly":true,
     "mountPath":"/cfg","subPath":"a.txt"}],"livenessProbe":{"httpGet":{"path":"/healthz","port":"http",
     "scheme":"HTTP","httpHeaders":[{"name":"X","value":""}]},"timeoutSeconds":1,"periodSeconds":10,
     "successThreshold":1,"failureThreshold":3},"readinessProbe":{"tcpSocket":{"port":8080},
     "timeoutSeconds":1,"periodSeconds":10,"successThreshold":1,"failureThreshold":1},
     "startupProbe":{"exec":{"command":["true"]},"timeoutSeconds":1,"periodSeconds":10,
     "successThreshold":1,"failureThreshold":3},"lifecycle":{"postStart":{"httpGet":{"path":"/",
     "port":80,"scheme":"HTTP"}},"preStop":{"sleep":{"seconds":5}}},
     "terminationMessagePath":"/dev/termination-log","terminationMessagePolicy":"File",
     "imagePullPolicy":"Always","securityContext":{"capabilities":{"add":["NET_BIND_SERVICE"],
     "drop":["ALL"]},"privileged":false,"runAsUser":1000,"runAsNonRoot":true,
     "readOnlyRootFilesystem":true,"allowPrivilegeEscalation":false},"stdin":true,"tty":true}],
     "restartPolicy":"Never","terminationGracePeriodSeconds":0,"activeDeadlineSeconds":100,
     "dnsPolicy":"ClusterFirst","automountServiceAccountToken":false,"securityContext":{"runAsUser":0,
     "supplementalGroups":[1,2,3],"fsGroup":2000,"sysctls":[{"name":"net.core.somaxconn",
     "value":"1024"}],"seccompProfile":{"type":"RuntimeDefault"}},
     "affinity":{"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":
     {"nodeSelectorTerms":[{"matchExpressions":[{"key":"k",
     "operator":"In","values":["v"]}]}]},"preferredDuringSchedulingIgnoredDuringExecution":[{"weight":5,
     "preference":{"matchFields":[{"key":"metadata.name","operator":"NotIn","values":["n"]}]}}]},
     "podAntiAffinity":{"preferredDuringSchedulingIgnoredDuringExecution":[{"weight":100,
     "podAffinityTerm":{"labelSelector":{"matchExpressions":[{"key":"app","operator":"Exists"}]},
     "namespaces":["a"],"topologyKey":"kubernetes.io/hostname"}}]}},"schedulerName":"default-scheduler",
     "tolerations":[{"key":"k","operator":"Exists","effect":"NoExecute","tolerationSeconds":0}],
     "hostAliases":[{"ip":"127.0.0.1","hostnames":["x.local"]}],"dnsConfig":{"nameservers":["1.1.1.1"],
     "options":[{"name":"ndots","value":"2"},{"name":"edns0"}]},"enableServiceLinks":false,
     "topologySpreadConstraints":[{"maxSkew":1,"topologyKey":"zone","whenUnsatisfiable":"DoNotSchedule",
     "labelSelector":{"matchLabels":{"app":"x"}},"minDomains":1}]}}},"status":{}})"},
};

TEST(ProtobufFromKubectl, DecodesToWhatJsonClientsSend) {
  const auto types = builtin::builtin_types();
  for (const auto& c : kCaptured) {
    SCOPED_TRACE(c.command);
    const TypeInfo* type = nullptr;
    for (const auto& t : types)
      if (t.group == c.gvr.group && t.version == c.gvr.version && t.plural == c.gvr.resource) type = &t;
    ASSERT_NE(type, nullptr);
    json::object decoded = decode_protobuf_object(from_hex(c.protobuf_hex), *type);
    EXPECT_EQ(decoded, json::parse(c.json)) << json::serialize(decoded);
  }
}

}  // namespace
}  // namespace ukube::apiserver
