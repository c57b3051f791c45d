// Container and its parts: ports, env, probes, lifecycle, resources, security context.
#include <boost/json.hpp>

#include "schema/meta.h"
#include "schema/pod.h"

namespace ukube::builtin::schema {
namespace {

Schema key_selector(std::string_view what) {
  return atomic_struct(object({{"name", string(std::string("Name of the ") + std::string(what) + ".")},
                               {"key", string("The key to select.")},
                               {"optional", boolean("Whether a missing object or key is tolerated.")}}));
}

Schema env_var() {
  Schema field_ref =
      atomic_struct(object({{"apiVersion", string("Version of the schema fieldPath is written in.")},
                            {"fieldPath", string("Path of the field to expose.")}}));
  Schema resource_ref = atomic_struct(object({{"containerName", string()},
                                              {"resource", string("Resource to expose, e.g. limits.cpu.")},
                                              {"divisor", quantity("Unit the value is expressed in.")}}));
  return object({
      {"name", string("Name of the environment variable.")},
      {"value", string("Literal value; $(VAR) references are expanded.")},
      {"valueFrom", object({{"fieldRef", std::move(field_ref)},
                            {"resourceFieldRef", std::move(resource_ref)},
                            {"configMapKeyRef", key_selector("ConfigMap")},
                            {"secretKeyRef", key_selector("Secret")},
                            {"fileKeyRef", preserve("A key of an env file in a volume.")}},
                           "Where to read the value from.")},
  });
}

Schema env_from() {
  Schema ref = object({{"name", string()}, {"optional", boolean()}});
  return object({{"prefix", string("Prefix added to every variable name.")},
                 {"configMapRef", ref},
                 {"secretRef", ref}});
}

Schema http_get() {
  return object({
      {"path", string("Path to request.")},
      {"port", int_or_string("Port number or name.")},
      {"host", string("Host to connect to; defaults to the pod IP.")},
      {"scheme", string("HTTP or HTTPS.")},
      {"httpHeaders",
       atomic_list(object({{"name", string()}, {"value", string()}}), "Extra request headers.")},
  });
}

Schema exec_action() {
  return object({{"command", atomic_list(string(), "Command run inside the container.")}});
}

Schema tcp_socket() {
  return object({{"port", int_or_string("Port number or name.")}, {"host", string()}});
}

Schema probe() {
  return object({
      {"exec", exec_action()},
      {"httpGet", http_get()},
      {"tcpSocket", tcp_socket()},
      {"grpc", object({{"port", integer()}, {"service", string()}})},
      {"initialDelaySeconds", integer("Seconds after start before the first probe.")},
      {"timeoutSeconds", integer("Seconds after which a probe times out.")},
      {"periodSeconds", integer("Seconds between probes.")},
      {"successThreshold", integer("Consecutive successes needed after a failure.")},
      {"failureThreshold", integer("Consecutive failures needed to give up.")},
      {"terminationGracePeriodSeconds", int64("Grace period when the probe kills the container.")},
  });
}

Schema lifecycle_handler() {
  return object({{"exec", exec_action()},
                 {"httpGet", http_get()},
                 {"tcpSocket", tcp_socket()},
                 {"sleep", object({{"seconds", int64()}})}});
}

Schema seccomp_like() {
  return object({{"type", string()}, {"localhostProfile", string()}});
}

Schema se_linux_options() {
  return object({{"user", string()}, {"role", string()}, {"type", string()}, {"level", string()}});
}

Schema windows_options() {
  return object({{"gmsaCredentialSpecName", string()},
                 {"gmsaCredentialSpec", string()},
                 {"runAsUserName", string()},
                 {"hostProcess", boolean()}});
}

}  // namespace

Schema resource_requirements() {
  return object({
      {"limits", quantity_map("Most of each resource the container may use.")},
      {"requests", quantity_map("Least of each resource the container needs; used for scheduling.")},
      {"claims", map_list(object({{"name", string()}, {"request", string()}}), {"name"},
                          "Dynamic resource claims the container uses.")},
  });
}

Schema security_context() {
  return object({
      {"capabilities", object({{"add", atomic_list(string())}, {"drop", atomic_list(string())}})},
      {"privileged", boolean()},
      {"seLinuxOptions", se_linux_options()},
      {"windowsOptions", windows_options()},
      {"runAsUser", int64()},
      {"runAsGroup", int64()},
      {"runAsNonRoot", boolean()},
      {"readOnlyRootFilesystem", boolean()},
      {"allowPrivilegeEscalation", boolean()},
      {"procMount", string()},
      {"seccompProfile", seccomp_like()},
      {"appArmorProfile", seccomp_like()},
  });
}

Schema pod_security_context() {
  return object({
      {"seLinuxOptions", se_linux_options()},
      {"windowsOptions", windows_options()},
      {"runAsUser", int64()},
      {"runAsGroup", int64()},
      {"runAsNonRoot", boolean()},
      {"supplementalGroups", atomic_list(int64())},
      {"supplementalGroupsPolicy", string()},
      {"fsGroup", int64()},
      {"sysctls", atomic_list(object({{"name", string()}, {"value", string()}}))},
      {"fsGroupChangePolicy", string()},
      {"seccompProfile", seccomp_like()},
      {"appArmorProfile", seccomp_like()},
      {"seLinuxChangePolicy", string()},
  });
}

Schema container(bool ephemeral) {
  Schema port = object({
      {"name", string("IANA service name for the port.")},
      {"hostPort", integer("Port exposed on the host.")},
      {"containerPort", integer("Port the container listens on.")},
      {"protocol", with_default(string("TCP, UDP or SCTP."), "TCP")},
      {"hostIP", string("Host IP the host port binds to.")},
  });
  Schema mount = object({
      {"name", string("Name of the volume.")},
      {"readOnly", boolean()},
      {"recursiveReadOnly", string()},
      {"mountPath", string("Where the volume appears in the container.")},
      {"subPath", string("Sub-path of the volume to mount.")},
      {"mountPropagation", string()},
      {"subPathExpr", string()},
  });
  Schema c = object(
      {
          {"name", string("Name of the container, a DNS label unique within the pod.")},
          {"image", string("Container image reference.")},
          {"command", atomic_list(string(), "Entrypoint; replaces the image's ENTRYPOINT.")},
          {"args", atomic_list(string(), "Arguments; replace the image's CMD.")},
          {"workingDir", string()},
          {"ports", map_list(std::move(port), {"containerPort", "protocol"}, "Ports the container exposes.")},
          {"envFrom", atomic_list(env_from(), "Sources of environment variables.")},
          {"env", map_list(env_var(), {"name"}, "Environment variables.")},
          {"resources", resource_requirements()},
          {"resizePolicy", atomic_list(object({{"resourceName", string()}, {"restartPolicy", string()}}))},
          {"restartPolicy", string("Always for sidecar init containers.")},
          {"volumeMounts", map_list(std::move(mount), {"mountPath"}, "Volumes mounted into the container.")},
          {"volumeDevices", map_list(object({{"name", string()}, {"devicePath", string()}}), {"devicePath"})},
          {"livenessProbe", probe()},
          {"readinessProbe", probe()},
          {"startupProbe", probe()},
          {"lifecycle", object({{"postStart", lifecycle_handler()},
                                {"preStop", lifecycle_handler()},
                                {"stopSignal", string()}})},
          {"terminationMessagePath", string()},
          {"terminationMessagePolicy", string("File or FallbackToLogsOnError.")},
          {"imagePullPolicy", string("Always, Never or IfNotPresent.")},
          {"securityContext", security_context()},
          {"stdin", boolean()},
          {"stdinOnce", boolean()},
          {"tty", boolean()},
      },
      ephemeral ? "A temporary container added to a running pod for debugging." : "A container in a pod.");
  if (ephemeral)
    c["properties"].as_object()["targetContainerName"] = string("Container whose namespaces to share.");
  return c;
}

Schema container_status() {
  Schema state = object({
      {"waiting", object({{"reason", string()}, {"message", string()}})},
      {"running", object({{"startedAt", date_time()}})},
      {"terminated", object({{"exitCode", integer()},
                             {"signal", integer()},
                             {"reason", string()},
                             {"message", string()},
                             {"startedAt", date_time()},
                             {"finishedAt", date_time()},
                             {"containerID", string()}})},
  });
  return open_object({
      {"name", string()},
      {"state", state},
      {"lastState", state},
      {"ready", boolean()},
      {"restartCount", integer()},
      {"image", string()},
      {"imageID", string()},
      {"containerID", string()},
      {"started", boolean()},
      {"allocatedResources", quantity_map()},
      {"resources", resource_requirements()},
      {"volumeMounts", atomic_list(preserve())},
      {"user", preserve()},
      {"allocatedResourcesStatus", map_list(preserve(), {"name"})},
      {"stopSignal", string()},
  });
}

}  // namespace ukube::builtin::schema
