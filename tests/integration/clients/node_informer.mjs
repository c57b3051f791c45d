// @kubernetes/client-node against a ukube API server: an informer on the configmaps of
// one namespace must deliver the initial list and every add / update / delete made
// through the same library, and must keep doing so after the server ends its watch.
//
// Takes the cluster from $KUBECONFIG and the library from $NODE_PATH. Exits 0 when every
// check passed; otherwise prints what differed and exits 1.
import { check, failAfter, loadClient, ok, sleep } from './client_support.mjs';

// Short, so that the server ends the informer's watch several times during the test.
const WATCH_TIMEOUT_SECONDS = 2;
const NS = 'node-informer';
const OTHER_NS = 'node-informer-other';

failAfter(120);

const k8s = await loadClient();

class Recorder {
  constructor(informer) {
    this.events = [];
    this.connects = 0;
    this.errors = [];
    for (const verb of ['add', 'update', 'delete']) {
      informer.on(verb, (obj) =>
        this.events.push({
          verb,
          name: obj.metadata.name,
          namespace: obj.metadata.namespace,
          rv: obj.metadata.resourceVersion,
          uid: obj.metadata.uid,
          data: obj.data ?? {},
        }),
      );
    }
    // The informer emits 'connect' before each (re-)list or (re-)watch.
    informer.on('connect', () => this.connects++);
    informer.on('error', (err) => this.errors.push(err));
  }

  find(verb, name, pred = () => true) {
    return this.events.find((e) => e.verb === verb && e.name === name && pred(e));
  }

  summary() {
    return this.events.map((e) => `${e.verb} ${e.namespace}/${e.name}@${e.rv}`).join(', ');
  }

  async waitFor(what, predicate, timeoutMs = 15_000) {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.errors.length > 0) throw new Error(`informer error while waiting for ${what}: ${describe(this.errors[0])}`);
      const found = predicate();
      if (found) {
        ok(what);
        return found;
      }
      await sleep(20);
    }
    throw new Error(`timed out waiting for ${what}; events: [${this.summary()}], connects: ${this.connects}`);
  }
}

function describe(err) {
  return `${err?.statusCode ?? err?.code ?? ''} ${err?.message ?? err} ${err?.body ? JSON.stringify(err.body) : ''}`;
}

function configMap(name, data, namespace = NS) {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace }, data };
}

async function main() {
  const kc = new k8s.KubeConfig();
  kc.loadFromDefault();
  // The library refuses an http:// server unless its cluster says insecure-skip-tls-verify;
  // with no TLS there is nothing to verify, and an https:// kubeconfig is used unchanged.
  if (kc.getCurrentCluster()?.server.startsWith('http:')) {
    kc.loadFromOptions({
      clusters: kc.clusters.map((c) => (c.server.startsWith('http:') ? { ...c, skipTLSVerify: true } : c)),
      users: kc.users,
      contexts: kc.contexts,
      currentContext: kc.getCurrentContext(),
    });
  }
  const core = kc.makeApiClient(k8s.CoreV1Api);

  for (const name of [NS, OTHER_NS]) await core.createNamespace({ body: { metadata: { name } } });
  const before = await core.createNamespacedConfigMap({ namespace: NS, body: configMap('before', { v: '0' }) });

  // The path's query reaches the server on every watch request the informer makes; the
  // list goes through listFn.
  const informer = k8s.makeInformer(
    kc,
    `/api/v1/namespaces/${NS}/configmaps?timeoutSeconds=${WATCH_TIMEOUT_SECONDS}`,
    () => core.listNamespacedConfigMap({ namespace: NS }),
  );
  const rec = new Recorder(informer);
  await informer.start();
  try {
    // --- initial list
    const initial = await rec.waitFor('the initial list delivers the existing configmap as add', () =>
      rec.find('add', 'before'),
    );
    check(initial.uid === before.metadata.uid && initial.data.v === '0', 'the listed object is the one created');
    check(informer.get('before', NS)?.metadata.uid === before.metadata.uid, 'the informer cache holds it');

    // --- watch: add, update (replace and merge patch), delete
    const created = await core.createNamespacedConfigMap({ namespace: NS, body: configMap('alpha', { v: '1' }) });
    const added = await rec.waitFor('add of a created configmap', () => rec.find('add', 'alpha'));
    check(added.rv === created.metadata.resourceVersion && added.data.v === '1', 'add carries the created object');

    created.data.v = '2';
    const replaced = await core.replaceNamespacedConfigMap({ name: 'alpha', namespace: NS, body: created });
    await rec.waitFor('update after replace', () =>
      rec.find('update', 'alpha', (e) => e.rv === replaced.metadata.resourceVersion && e.data.v === '2'),
    );

    const patched = await core.patchNamespacedConfigMap(
      { name: 'alpha', namespace: NS, body: { data: { extra: 'x' } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    );
    check(patched.data.v === '2' && patched.data.extra === 'x', 'merge patch keeps v and adds extra');
    await rec.waitFor('update after merge patch', () =>
      rec.find('update', 'alpha', (e) => e.rv === patched.metadata.resourceVersion && e.data.extra === 'x'),
    );

    // Written in another namespace: must never reach this informer.
    await core.createNamespacedConfigMap({ namespace: OTHER_NS, body: configMap('alpha', { v: 'elsewhere' }, OTHER_NS) });

    await core.deleteNamespacedConfigMap({ name: 'alpha', namespace: NS });
    const deleted = await rec.waitFor('delete of the configmap', () => rec.find('delete', 'alpha'));
    check(deleted.uid === created.metadata.uid, 'delete carries the deleted object');
    check(informer.get('alpha', NS) === undefined, 'the informer cache dropped it');

    // --- the server ends the watch; the informer must watch again and lose nothing
    const connectsBefore = rec.connects;
    await rec.waitFor(
      `the server ends the watch after ${WATCH_TIMEOUT_SECONDS} s and the informer reconnects`,
      () => rec.connects > connectsBefore,
      (WATCH_TIMEOUT_SECONDS + 5) * 1000,
    );
    const afterReconnect = await core.createNamespacedConfigMap({
      namespace: NS,
      body: configMap('after-reconnect', { v: '1' }),
    });
    await rec.waitFor('add after the reconnect', () =>
      rec.find('add', 'after-reconnect', (e) => e.rv === afterReconnect.metadata.resourceVersion),
    );
    afterReconnect.data.v = '2';
    const updatedAfter = await core.replaceNamespacedConfigMap({
      name: 'after-reconnect',
      namespace: NS,
      body: afterReconnect,
    });
    await rec.waitFor('update after the reconnect', () =>
      rec.find('update', 'after-reconnect', (e) => e.rv === updatedAfter.metadata.resourceVersion),
    );
    await core.deleteNamespacedConfigMap({ name: 'after-reconnect', namespace: NS });
    await rec.waitFor('delete after the reconnect', () => rec.find('delete', 'after-reconnect'));

    // Writes spread over more than one watch lifetime, so some land right as the server
    // closes a watch or while the informer is reconnecting: each must arrive exactly once.
    const connectsAtStreamStart = rec.connects;
    const streamed = [];
    const streamUntil = Date.now() + (WATCH_TIMEOUT_SECONDS * 2 + 1) * 1000;
    for (let i = 0; Date.now() < streamUntil; i++) {
      const cm = await core.createNamespacedConfigMap({ namespace: NS, body: configMap(`stream-${i}`, { i: `${i}` }) });
      streamed.push(cm);
      await sleep(100);
    }
    await rec.waitFor(`all ${streamed.length} configmaps written across reconnects arrive as add`, () =>
      streamed.every((cm) => rec.find('add', cm.metadata.name, (e) => e.rv === cm.metadata.resourceVersion)),
    );
    check(rec.connects >= connectsAtStreamStart + 2, `the informer reconnected during the writes (${rec.connects - connectsAtStreamStart} times)`);
    for (const cm of streamed) {
      const seen = rec.events.filter((e) => e.name === cm.metadata.name);
      if (seen.length !== 1) throw new Error(`${cm.metadata.name}: expected one add, got [${seen.map((e) => `${e.verb}@${e.rv}`)}]`);
    }
    ok('no streamed configmap was delivered twice or as anything but add');

    // --- the cache agrees with a fresh list, and nothing leaked in from elsewhere
    const fresh = await core.listNamespacedConfigMap({ namespace: NS });
    const key = (o) => `${o.metadata.name}@${o.metadata.resourceVersion}`;
    const listed = fresh.items.map(key).sort();
    const cached = informer.list(NS).map(key).sort();
    check(JSON.stringify(listed) === JSON.stringify(cached), `the informer cache equals a fresh list (${listed.length} objects)`);
    check(
      rec.events.every((e) => e.namespace === NS),
      `no event from namespace ${OTHER_NS} reached the informer`,
    );
    check(rec.errors.length === 0, 'the informer reported no error');
  } finally {
    await informer.stop();
  }
  console.log(`PASS: @kubernetes/client-node informer (${rec.events.length} events, ${rec.connects} connects)`);
}

try {
  await main();
  process.exit(0);
} catch (e) {
  console.log(`FAIL: ${e.stack ?? e}`);
  if (e.body) console.log(`response body: ${typeof e.body === 'string' ? e.body : JSON.stringify(e.body)}`);
  process.exit(1);
}
