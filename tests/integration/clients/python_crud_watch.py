#!/usr/bin/python3
"""Debian's python3-kubernetes against a ukube API server: CRUD on namespaces,
configmaps and deployments, and watches that see ADDED / MODIFIED / DELETED.

Takes the cluster from $KUBECONFIG. Exits 0 when every check passed; otherwise prints
what differed and exits 1. The client deserializes every reply into its generated
models, so a reply missing a field the models require fails here too.
"""

import sys
import threading
import time

from client_support import check, import_client, run_steps

client, config, watch, ApiException = import_client()

NS = "py-client"
OVERALL_DEADLINE = time.monotonic() + 120


def expect_api_error(status, reason, fn, *args, **kwargs):
    try:
        fn(*args, **kwargs)
    except ApiException as e:
        if e.status != status or f'"reason":"{reason}"' not in e.body.replace(" ", ""):
            raise AssertionError(f"{fn.__name__}: expected {status} {reason}, got {e.status}: {e.body}")
        print(f"ok: {fn.__name__} fails with {status} {reason}", flush=True)
        return
    raise AssertionError(f"{fn.__name__} succeeded; expected {status} {reason}")


def names(items):
    return sorted(i.metadata.name for i in items)


class Collector:
    """Runs Watch().stream(...) on a thread and keeps every event it yields."""

    def __init__(self, func, **kwargs):
        self.events = []
        self.error = None
        self.ended = threading.Event()
        self.watch = watch.Watch()
        self.thread = threading.Thread(target=self._run, args=(func, kwargs), daemon=True)
        self.thread.start()

    def _run(self, func, kwargs):
        try:
            for event in self.watch.stream(func, **kwargs):
                self.events.append(event)
        except Exception as e:  # reported by the main thread
            self.error = e
        finally:
            self.ended.set()

    def summary(self):
        return [(e["type"], e["object"].metadata.name, e["object"].metadata.resource_version)
                for e in self.events]

    def wait_for(self, predicate, what, timeout=15):
        deadline = min(time.monotonic() + timeout, OVERALL_DEADLINE)
        while time.monotonic() < deadline:
            if self.error:
                raise AssertionError(f"watch failed while waiting for {what}: {self.error!r}")
            if predicate(self.events):
                print(f"ok: {what}", flush=True)
                return
            time.sleep(0.02)
        raise AssertionError(f"timed out waiting for {what}; events: {self.summary()}")


def test_namespaces(core):
    labels = {"suite": "python-client", "tier": "test"}
    created = core.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name=NS, labels=labels)))
    check(created.metadata.name == NS and created.metadata.uid and created.metadata.resource_version,
          "create_namespace returns the object with uid and resourceVersion")
    check(created.status.phase == "Active", "a new namespace is Active")
    expect_api_error(409, "AlreadyExists", core.create_namespace,
                     client.V1Namespace(metadata=client.V1ObjectMeta(name=NS)))

    got = core.read_namespace(NS)
    check(got.metadata.uid == created.metadata.uid and got.metadata.labels.get("tier") == "test",
          "read_namespace returns the created namespace")

    core.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name="py-other")))
    listed = core.list_namespace(label_selector="suite=python-client")
    check(names(listed.items) == [NS], f"list_namespace(label_selector) selects only {NS}")
    check(listed.metadata.resource_version, "the list carries a resourceVersion")

    patched = core.patch_namespace(NS, {"metadata": {"labels": {"tier": "patched"}}})
    check(patched.metadata.labels.get("tier") == "patched" and patched.metadata.labels.get("suite") == "python-client",
          "patch_namespace (strategic merge) changes one label and keeps the others")

    patched.metadata.labels["replaced"] = "yes"
    replaced = core.replace_namespace(NS, patched)
    check(replaced.metadata.labels.get("replaced") == "yes" and
          int(replaced.metadata.resource_version) > int(patched.metadata.resource_version),
          "replace_namespace stores the change under a newer resourceVersion")

    core.delete_namespace("py-other")
    try:
        gone = core.read_namespace("py-other")
        check(gone.status.phase == "Terminating", "a deleted namespace is Terminating or gone")
    except ApiException as e:
        check(e.status == 404, f"a deleted namespace is Terminating or gone (got {e.status})")


def test_configmaps(core):
    def cm(name, app, data):
        return client.V1ConfigMap(metadata=client.V1ObjectMeta(name=name, labels={"app": app}), data=data)

    core.create_namespaced_config_map(NS, cm("a1", "a", {"k": "1"}))
    core.create_namespaced_config_map(NS, cm("a2", "a", {"k": "2"}))
    created = core.create_namespaced_config_map(NS, cm("b1", "b", {"k": "3"}))
    check(created.metadata.namespace == NS and created.data == {"k": "3"},
          "create_namespaced_config_map returns the stored object")
    expect_api_error(409, "AlreadyExists", core.create_namespaced_config_map, NS, cm("a1", "a", {}))

    got = core.read_namespaced_config_map("a1", NS)
    check(got.data == {"k": "1"} and got.metadata.labels == {"app": "a"}, "read_namespaced_config_map")
    expect_api_error(404, "NotFound", core.read_namespaced_config_map, "missing", NS)

    check(names(core.list_namespaced_config_map(NS, label_selector="app=a").items) == ["a1", "a2"],
          "list with app=a selects a1 and a2")
    check(names(core.list_namespaced_config_map(NS, label_selector="app in (a,b),app!=a").items) == ["b1"],
          "list with a set-based selector selects b1")
    check(names(core.list_namespaced_config_map(NS, field_selector="metadata.name=a2").items) == ["a2"],
          "list with a field selector selects a2")
    everywhere = core.list_config_map_for_all_namespaces(label_selector="app")
    check({(i.metadata.namespace, i.metadata.name) for i in everywhere.items} >=
          {(NS, "a1"), (NS, "a2"), (NS, "b1")}, "list across all namespaces includes the three")

    got.data["k"] = "replaced"
    replaced = core.replace_namespaced_config_map("a1", NS, got)
    check(replaced.data == {"k": "replaced"}, "replace_namespaced_config_map stores new data")
    # `got` still carries the resourceVersion replace just superseded.
    got.data["k"] = "stale"
    expect_api_error(409, "Conflict", core.replace_namespaced_config_map, "a1", NS, got)

    merged = core.patch_namespaced_config_map("a1", NS, {"data": {"extra": "x"}})
    check(merged.data == {"k": "replaced", "extra": "x"}, "strategic merge patch adds a key")
    json_patched = core.patch_namespaced_config_map(
        "a1", NS, [{"op": "replace", "path": "/data/k", "value": "json"}, {"op": "remove", "path": "/data/extra"}])
    check(json_patched.data == {"k": "json"}, "JSON patch replaces one key and removes another")

    status = core.delete_namespaced_config_map("a2", NS)
    check(status is not None, "delete_namespaced_config_map answers")
    expect_api_error(404, "NotFound", core.read_namespaced_config_map, "a2", NS)
    expect_api_error(404, "NotFound", core.delete_namespaced_config_map, "a2", NS)
    check(names(core.list_namespaced_config_map(NS, label_selector="app=a").items) == ["a1"],
          "the deleted configmap is no longer listed")


def deployment(name, replicas):
    labels = {"app": name}
    container = client.V1Container(name="web", image="nginx:1.25",
                                   ports=[client.V1ContainerPort(container_port=80)])
    return client.V1Deployment(
        metadata=client.V1ObjectMeta(name=name, labels={"suite": "python-client"}),
        spec=client.V1DeploymentSpec(
            replicas=replicas,
            selector=client.V1LabelSelector(match_labels=labels),
            template=client.V1PodTemplateSpec(metadata=client.V1ObjectMeta(labels=labels),
                                              spec=client.V1PodSpec(containers=[container]))))


def test_deployments(apps):
    created = apps.create_namespaced_deployment(NS, deployment("web", 2))
    check(created.spec.replicas == 2 and created.spec.template.spec.containers[0].image == "nginx:1.25",
          "create_namespaced_deployment returns the stored deployment")
    check(created.spec.strategy is not None and created.spec.strategy.type == "RollingUpdate",
          "the server defaults spec.strategy to RollingUpdate")
    apps.create_namespaced_deployment(NS, deployment("api", 1))

    got = apps.read_namespaced_deployment("web", NS)
    check(got.metadata.uid == created.metadata.uid, "read_namespaced_deployment")
    check(names(apps.list_namespaced_deployment(NS, label_selector="suite=python-client").items) == ["api", "web"],
          "list_namespaced_deployment with a label selector")

    got.spec.template.spec.containers[0].image = "nginx:1.26"
    replaced = apps.replace_namespaced_deployment("web", NS, got)
    check(replaced.spec.template.spec.containers[0].image == "nginx:1.26" and
          replaced.metadata.generation > created.metadata.generation,
          "replace_namespaced_deployment changes the image and bumps generation")

    patched = apps.patch_namespaced_deployment("web", NS, {"spec": {"replicas": 5}})
    check(patched.spec.replicas == 5 and patched.spec.template.spec.containers[0].image == "nginx:1.26",
          "patch_namespaced_deployment sets replicas and keeps the template")
    scale = apps.read_namespaced_deployment_scale("web", NS)
    check(scale.spec.replicas == 5, "the scale subresource reports the patched replicas")

    apps.delete_namespaced_deployment("api", NS)
    expect_api_error(404, "NotFound", apps.read_namespaced_deployment, "api", NS)


def test_configmap_watch(core):
    start = core.list_namespaced_config_map(NS, label_selector="watched=yes")
    collector = Collector(core.list_namespaced_config_map, namespace=NS, label_selector="watched=yes",
                          resource_version=start.metadata.resource_version, timeout_seconds=60)
    # The watch may still be connecting; writes after the list's resourceVersion are
    # delivered either way, since the watch starts from that version.
    meta = client.V1ObjectMeta(name="w1", labels={"watched": "yes"})
    created = core.create_namespaced_config_map(NS, client.V1ConfigMap(metadata=meta, data={"v": "1"}))
    core.create_namespaced_config_map(NS, client.V1ConfigMap(metadata=client.V1ObjectMeta(name="unwatched"),
                                                             data={"v": "x"}))
    modified = core.patch_namespaced_config_map("w1", NS, {"data": {"v": "2"}})
    core.delete_namespaced_config_map("w1", NS)
    collector.wait_for(lambda ev: len(ev) >= 3, "three configmap watch events")
    collector.watch.stop()

    got = [(e["type"], e["object"].metadata.name) for e in collector.events]
    check(got == [("ADDED", "w1"), ("MODIFIED", "w1"), ("DELETED", "w1")],
          f"the watch sees ADDED, MODIFIED, DELETED of w1 only (got {collector.summary()})")
    added, mod, deleted = collector.events[:3]
    check(isinstance(added["object"], client.V1ConfigMap), "watch events decode into V1ConfigMap")
    check(added["object"].data == {"v": "1"} and added["object"].metadata.uid == created.metadata.uid,
          "ADDED carries the created object")
    check(mod["object"].data == {"v": "2"} and
          mod["object"].metadata.resource_version == modified.metadata.resource_version,
          "MODIFIED carries the patched object and its resourceVersion")
    check(deleted["object"].metadata.uid == created.metadata.uid, "DELETED carries the deleted object")


def test_deployment_watch(apps):
    collector = Collector(apps.list_namespaced_deployment, namespace=NS, timeout_seconds=60)
    # Without a resourceVersion the watch first reports what exists as ADDED.
    collector.wait_for(lambda ev: any(e["type"] == "ADDED" and e["object"].metadata.name == "web" for e in ev),
                       "a watch without resourceVersion reports the existing deployment as ADDED")
    apps.patch_namespaced_deployment("web", NS, {"spec": {"replicas": 1}})
    collector.wait_for(lambda ev: any(e["type"] == "MODIFIED" and e["object"].spec.replicas == 1 for e in ev),
                       "the deployment watch sees the scale-down as MODIFIED")
    apps.delete_namespaced_deployment("web", NS)
    collector.wait_for(lambda ev: any(e["type"] == "DELETED" and e["object"].metadata.name == "web" for e in ev),
                       "the deployment watch sees DELETED")
    collector.watch.stop()
    check(all(isinstance(e["object"], client.V1Deployment) for e in collector.events),
          "deployment watch events decode into V1Deployment")


def test_watch_timeout(core):
    # The server must end the watch when timeoutSeconds passes; the client then returns
    # from stream() instead of retrying.
    began = time.monotonic()
    events = list(watch.Watch().stream(core.list_namespaced_config_map, namespace=NS,
                                       label_selector="never=matches", timeout_seconds=2))
    took = time.monotonic() - began
    check(events == [] and 1.5 <= took < 10,
          f"a watch with timeoutSeconds=2 ends after about 2 s (took {took:.1f} s)")


def main():
    config.load_kube_config()
    core = client.CoreV1Api()
    apps = client.AppsV1Api()
    steps = [("namespaces", lambda: test_namespaces(core)),
             ("configmaps", lambda: test_configmaps(core)),
             ("deployments", lambda: test_deployments(apps)),
             ("configmap watch", lambda: test_configmap_watch(core)),
             ("deployment watch", lambda: test_deployment_watch(apps)),
             ("watch timeout", lambda: test_watch_timeout(core))]
    return run_steps(steps, "python3-kubernetes")


if __name__ == "__main__":
    sys.exit(main())
