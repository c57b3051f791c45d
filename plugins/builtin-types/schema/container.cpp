// Container and its parts: ports, env, probes, lifecycle, resources, security context.
#include <boost/json.hpp>

#include "schema/meta.h"
#include "schema/pod.h"

namespace ukube::builtin::schema {
namespace {

Schema key_selector(std::string_view what) {
  return atomic_struct(
      object({{"name", string(std::string("Name of the ") + std::string(what) + "."), embedded(1, 1)},
              {"key", string("The key to select."), 2, kAlways},
              {"optional", boolean("Whether a missing object or key is tolerated."), 3, kPointer}}));
}

Schema env_var() {
  Schema field_ref =
      atomic_struct(object({{"apiVersion", string("Version of the schema fieldPath is written in."), 1},
                            {"fieldPath", string("Path of the field to expose."), 2, kAlways}}));
  Schema resource_ref =
      atomic_struct(object({{"containerName", string(), 1},
                            {"resource", string("Resource to expose, e.g. limits.cpu."), 2, kAlways},
                            {"divisor", quantity("Unit the value is expressed in."), 3}}));
  return object({
      {"name", string("Name of the environment variable."), 1, kAlways},
      {"value", string("Literal value; $(VAR) references are expanded."), 2},
      {"valueFrom",
       object({{"fieldRef", std::move(field_ref), 1, kPointer},
               {"resourceFieldRef", std::move(resource_ref), 2, kPointer},
               {"configMapKeyRef", key_selector("ConfigMap"), 3, kPointer},
               {"secretKeyRef", key_selector("Secret"), 4, kPointer},
               {"fileKeyRef", preserve("A key of an env file in a volume.")}},
              "Where to read the value from."),
       3, kPointer},
  });
}

Schema env_from() {
  Schema ref = object({{"name", string(), embedded(1, 1)}, {"optional", boolean(), 2, kPointer}});
  return object({{"prefix", string("Prefix added to every variable name."), 1},
                 {"configMapRef", ref, 2, kPointer},
                 {"secretRef", ref, 3, kPointer}});
}

Schema http_get() {
  return object({
      {"path", string("Path to request."), 1},
      {"port", int_or_string("Port number or name."), 2, kAlways},
      {"host", string("Host to connect to; defaults to the pod IP."), 3},
      {"scheme", string("HTTP or HTTPS."), 4},
      {"httpHeaders",
       atomic_list(object({{"name", string(), 1, kAlways}, {"value", string(), 2, kAlways}}),
                   "Extra request headers."),
       5},
  });
}

Schema exec_action() {
  return object({{"command", atomic_list(string(), "Command run inside the container."), 1}});
}

Schema tcp_socket() {
  return object({{"port", int_or_string("Port number or name."), 1, kAlways}, {"host", string(), 2}});
}

Schema probe() {
  return object({
      {"exec", exec_action(), embedded(1, 1), kPointer},
      {"httpGet", http_get(), embedded(1, 2), kPointer},
      {"tcpSocket", tcp_socket(), embedded(1, 3), kPointer},
      {"grpc", object({{"port", integer(), 1, kAlways}, {"service", string(), 2, kPointer}}), embedded(1, 4),
       kPointer},
      {"initialDelaySeconds", integer("Seconds after start before the first probe."), 2},
      {"timeoutSeconds", integer("Seconds after which a probe times out."), 3},
      {"periodSeconds", integer("Seconds between probes."), 4},
      {"successThreshold", integer("Consecutive successes needed after a failure."), 5},
      {"failureThreshold", integer("Consecutive failures needed to give up."), 6},
      {"terminationGracePeriodSeconds", int64("Grace period when the probe kills the container."), 7,
       kPointer},
  });
}

Schema lifecycle_handler() {
  return object({{"exec", exec_action(), 1, kPointer},
                 {"httpGet", http_get(), 2, kPointer},
                 {"tcpSocket", tcp_socket(), 3, kPointer},
                 {"sleep", object({{"seconds", int64(), 1, kAlways}}), 4, kPointer}});
}

Schema seccomp_like() {
  return object({{"type", string(), 1, kAlways}, {"localhostProfile", string(), 2, kPointer}});
}

Schema se_linux_options() {
  return object(
      {{"user", string(), 1}, {"role", string(), 2}, {"type", string(), 3}, {"level", string(), 4}});
}

Schema windows_options() {
  return object({{"gmsaCredentialSpecName", string(), 1, kPointer},
                 {"gmsaCredentialSpec", string(), 2, kPointer},
                 {"runAsUserName", string(), 3, kPointer},
                 {"hostProcess", boolean(), 4, kPointer}});
}

}  // namespace

Schema resource_requirements() {
  return object({
      {"limits", quantity_map("Most of each resource the container may use."), 1},
      {"requests", quantity_map("Least of each resource the container needs; used for scheduling."), 2},
      {"claims",
       map_list(object({{"name", string(), 1, kAlways}, {"request", string(), 2}}), {"name"},
                "Dynamic resource claims the container uses."),
       3},
  });
}

Schema security_context() {
  return object({
      {"capabilities", object({{"add", atomic_list(string()), 1}, {"drop", atomic_list(string()), 2}}), 1,
       kPointer},
      {"privileged", boolean(), 2, kPointer},
      {"seLinuxOptions", se_linux_options(), 3, kPointer},
      {"windowsOptions", windows_options(), 10, kPointer},
      {"runAsUser", int64(), 4, kPointer},
      {"runAsGroup", int64(), 8, kPointer},
      {"runAsNonRoot", boolean(), 5, kPointer},
      {"readOnlyRootFilesystem", boolean(), 6, kPointer},
      {"allowPrivilegeEscalation", boolean(), 7, kPointer},
      {"procMount", string(), 9, kPointer},
      {"seccompProfile", seccomp_like(), 11, kPointer},
      {"appArmorProfile", seccomp_like(), 12, kPointer},
  });
}

Schema pod_security_context() {
  return object({
      {"seLinuxOptions", se_linux_options(), 1, kPointer},
      {"windowsOptions", windows_options(), 8, kPointer},
      {"runAsUser", int64(), 2, kPointer},
      {"runAsGroup", int64(), 6, kPointer},
      {"runAsNonRoot", boolean(), 3, kPointer},
      {"supplementalGroups", atomic_list(int64()), 4},
      {"supplementalGroupsPolicy", string(), 12, kPointer},
      {"fsGroup", int64(), 5, kPointer},
      {"sysctls", atomic_list(object({{"name", string(), 1, kAlways}, {"value", string(), 2, kAlways}})), 7},
      {"fsGroupChangePolicy", string(), 9, kPointer},
      {"seccompProfile", seccomp_like(), 10, kPointer},
      {"appArmorProfile", seccomp_like(), 11, kPointer},
      {"seLinuxChangePolicy", string(), 13, kPointer},
  });
}

Schema container(bool ephemeral) {
  Schema port = object({
      {"name", string("IANA service name for the port."), 1},
      {"hostPort", integer("Port exposed on the host."), 2},
      {"containerPort", integer("Port the container listens on."), 3, kAlways},
      {"protocol", with_default(string("TCP, UDP or SCTP."), "TCP"), 4},
      {"hostIP", string("Host IP the host port binds to."), 5},
  });
  Schema mount = object({
      {"name", string("Name of the volume."), 1, kAlways},
      {"readOnly", boolean(), 2},
      {"recursiveReadOnly", string(), 7, kPointer},
      {"mountPath", string("Where the volume appears in the container."), 3, kAlways},
      {"subPath", string("Sub-path of the volume to mount."), 4},
      {"mountPropagation", string(), 5, kPointer},
      {"subPathExpr", string(), 6},
  });
  Schema c = object(
      {
          {"name", string("Name of the container, a DNS label unique within the pod."), 1, kAlways},
          {"image", string("Container image reference."), 2},
          {"command", atomic_list(string(), "Entrypoint; replaces the image's ENTRYPOINT."), 3},
          {"args", atomic_list(string(), "Arguments; replace the image's CMD."), 4},
          {"workingDir", string(), 5},
          {"ports", map_list(std::move(port), {"containerPort", "protocol"}, "Ports the container exposes."),
           6},
          {"envFrom", atomic_list(env_from(), "Sources of environment variables."), 19},
          {"env", map_list(env_var(), {"name"}, "Environment variables."), 7},
          {"resources", resource_requirements(), 8},
          {"resizePolicy",
           atomic_list(
               object({{"resourceName", string(), 1, kAlways}, {"restartPolicy", string(), 2, kAlways}})),
           23},
          {"restartPolicy", string("Always for sidecar init containers."), 24, kPointer},
          {"volumeMounts", map_list(std::move(mount), {"mountPath"}, "Volumes mounted into the container."),
           9},
          {"volumeDevices",
           map_list(object({{"name", string(), 1, kAlways}, {"devicePath", string(), 2, kAlways}}),
                    {"devicePath"}),
           21},
          {"livenessProbe", probe(), 10, kPointer},
          {"readinessProbe", probe(), 11, kPointer},
          {"startupProbe", probe(), 22, kPointer},
          {"lifecycle",
           object({{"postStart", lifecycle_handler(), 1, kPointer},
                   {"preStop", lifecycle_handler(), 2, kPointer},
                   {"stopSignal", string(), 3, kPointer}}),
           12, kPointer},
          {"terminationMessagePath", string(), 13},
          {"terminationMessagePolicy", string("File or FallbackToLogsOnError."), 20},
          {"imagePullPolicy", string("Always, Never or IfNotPresent."), 14},
          {"securityContext", security_context(), 15, kPointer},
          {"stdin", boolean(), 16},
          {"stdinOnce", boolean(), 17},
          {"tty", boolean(), 18},
      },
      ephemeral ? "A temporary container added to a running pod for debugging." : "A container in a pod.");
  if (ephemeral) {
    // Upstream's EphemeralContainer holds these fields in an inline struct (field 1).
    for (auto& p : c["properties"].as_object()) p.value().as_object()["x-ukube-proto-embedded"] = 1;
    add_properties(c, {{"targetContainerName", string("Container whose namespaces to share."), 2}});
  }
  return c;
}

Schema container_status() {
  Schema mount_status = object({
      {"name", string(), 1, kAlways},
      {"mountPath", string(), 2, kAlways},
      {"readOnly", boolean(), 3},
      {"recursiveReadOnly", string(), 4, kPointer},
  });
  Schema linux_user = object({
      {"uid", int64(), 1, kAlways},
      {"gid", int64(), 2, kAlways},
      {"supplementalGroups", atomic_list(int64()), 3},
  });
  Schema health = object({{"resourceID", string(), 1, kAlways}, {"health", string(), 2}});
  Schema resource_status = object({
      {"name", string(), 1, kAlways},
      {"resources", map_list(std::move(health), {"resourceID"}), 2},
  });
  Schema state = object({
      {"waiting", object({{"reason", string(), 1}, {"message", string(), 2}}), 1, kPointer},
      {"running", object({{"startedAt", date_time(), 1}}), 2, kPointer},
      {"terminated",
       object({{"exitCode", integer(), 1, kAlways},
               {"signal", integer(), 2},
               {"reason", string(), 3},
               {"message", string(), 4},
               {"startedAt", date_time(), 5},
               {"finishedAt", date_time(), 6},
               {"containerID", string(), 7}}),
       3, kPointer},
  });
  return open_object({
      {"name", string(), 1, kAlways},
      {"state", state, 2},
      {"lastState", state, 3},
      {"ready", boolean(), 4, kAlways},
      {"restartCount", integer(), 5, kAlways},
      {"image", string(), 6, kAlways},
      {"imageID", string(), 7, kAlways},
      {"containerID", string(), 8},
      {"started", boolean(), 9, kPointer},
      {"allocatedResources", quantity_map(), 10},
      {"resources", resource_requirements(), 11, kPointer},
      {"volumeMounts", atomic_list(std::move(mount_status)), 12},
      {"user", object({{"linux", std::move(linux_user), 1, kPointer}}), 13, kPointer},
      {"allocatedResourcesStatus", map_list(std::move(resource_status), {"name"}), 14},
      {"stopSignal", string(), 15, kPointer},
  });
}

}  // namespace ukube::builtin::schema
