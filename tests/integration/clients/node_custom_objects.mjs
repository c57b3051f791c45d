// @kubernetes/client-node against a ukube API server with custom resources: a
// CustomResourceDefinition created through ApiextensionsV1Api, then CRUD, status and a
// watch through CustomObjectsApi, and the definition deleted with its instances.
//
// Takes the cluster from $KUBECONFIG and the library from $NODE_PATH. Exits 0 when every
// check passed; otherwise prints what differed and exits 1.
import { check, failAfter, loadClient, sleep } from './client_support.mjs';

const GROUP = 'example.com';
const VERSION = 'v1';
const PLURAL = 'doodads';
const NS = 'default';

failAfter(120);

const k8s = await loadClient();

async function waitFor(what, predicate, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await predicate()) {
      console.log(`ok: ${what}`);
      return;
    }
    await sleep(50);
  }
  throw new Error(`timed out waiting for ${what}`);
}

// Typed as the library's models: V1JSONSchemaProps names `default` `_default`.
const crd = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: `${PLURAL}.${GROUP}` },
  spec: {
    group: GROUP,
    scope: 'Namespaced',
    names: { plural: PLURAL, singular: 'doodad', kind: 'Doodad' },
    versions: [
      {
        name: VERSION,
        served: true,
        storage: true,
        subresources: { status: {} },
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: {
              spec: { type: 'object', properties: { color: { type: 'string', _default: 'red' }, count: { type: 'integer' } } },
              status: { type: 'object', properties: { ready: { type: 'boolean' } } },
            },
          },
        },
      },
    ],
  },
};

const doodad = (name, spec = {}) => ({ apiVersion: `${GROUP}/${VERSION}`, kind: 'Doodad', metadata: { name }, spec });

async function main() {
  const kc = new k8s.KubeConfig();
  kc.loadFromDefault();
  const ext = kc.makeApiClient(k8s.ApiextensionsV1Api);
  const co = kc.makeApiClient(k8s.CustomObjectsApi);
  const at = (name, extra = {}) => ({ group: GROUP, version: VERSION, namespace: NS, plural: PLURAL, name, ...extra });

  const created = await ext.createCustomResourceDefinition({ body: crd });
  check(created.spec.names.kind === 'Doodad', 'createCustomResourceDefinition returns the definition');
  await waitFor('the definition becomes Established', async () => {
    const got = await ext.readCustomResourceDefinition({ name: `${PLURAL}.${GROUP}` });
    return (got.status?.conditions ?? []).some((c) => c.type === 'Established' && c.status === 'True');
  });

  // A watch from now on, through the library's Watch.
  const start = await co.listNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: NS, plural: PLURAL });
  const events = [];
  const watch = new k8s.Watch(kc);
  const controller = await watch.watch(
    `/apis/${GROUP}/${VERSION}/namespaces/${NS}/${PLURAL}`,
    { resourceVersion: start.metadata.resourceVersion },
    (type, obj) => events.push([type, obj.metadata.name]),
    () => {},
  );

  const one = await co.createNamespacedCustomObject({ ...at(), body: doodad('d1', { count: 1 }) });
  check(one?.spec?.color === 'red' && one?.spec?.count === 1, 'createNamespacedCustomObject returns the defaulted object', one);
  const got = await co.getNamespacedCustomObject(at('d1'));
  check(got.metadata.uid === one.metadata.uid, 'getNamespacedCustomObject');
  const listed = await co.listNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: NS, plural: PLURAL });
  check(listed.kind === 'DoodadList' && listed.items.length === 1, 'listNamespacedCustomObject');

  const patched = await co.patchNamespacedCustomObject(
    at('d1', { body: [{ op: 'replace', path: '/spec/count', value: 2 }] }),
  );
  check(patched.spec.count === 2 && patched.metadata.generation === 2, 'patchNamespacedCustomObject (JSON patch)');
  patched.spec.color = 'blue';
  const replaced = await co.replaceNamespacedCustomObject(at('d1', { body: patched }));
  check(replaced.spec.color === 'blue', 'replaceNamespacedCustomObject');
  const status = await co.patchNamespacedCustomObjectStatus(
    at('d1', { body: [{ op: 'add', path: '/status', value: { ready: true } }] }),
  );
  check(status.status.ready === true && status.metadata.generation === 3, 'patchNamespacedCustomObjectStatus');

  try {
    await co.createNamespacedCustomObject({ ...at(), body: doodad('d2', { count: 'many' }) });
    throw new Error('an invalid doodad was created');
  } catch (e) {
    check(e.code === 422, `an invalid doodad is refused with 422 (got ${e.code})`);
  }

  await co.deleteNamespacedCustomObject(at('d1'));
  await waitFor('the watch sees ADDED, MODIFIED and DELETED', () => events.some(([t]) => t === 'DELETED'));
  controller.abort();
  check(events[0][0] === 'ADDED' && events[0][1] === 'd1' && events.filter(([t]) => t === 'MODIFIED').length === 3,
    'the watch delivers ADDED, three MODIFIED and DELETED in order', events);

  await ext.deleteCustomResourceDefinition({ name: `${PLURAL}.${GROUP}` });
  await waitFor('the deleted definition goes', async () => {
    try {
      await ext.readCustomResourceDefinition({ name: `${PLURAL}.${GROUP}` });
      return false;
    } catch (e) {
      return e.code === 404;
    }
  });
  console.log('PASS: @kubernetes/client-node custom objects');
}

try {
  await main();
  process.exit(0);
} catch (e) {
  console.log(`FAIL: ${e.stack ?? e}`);
  process.exit(1);
}
