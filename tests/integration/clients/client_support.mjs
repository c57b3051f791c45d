// What the @kubernetes/client-node scripts share: the library, found through NODE_PATH,
// a deadline for the whole script, and the way checks are reported.
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

export async function loadClient() {
  // ESM imports ignore NODE_PATH; require.resolve honours it, so find the package that way.
  const require = createRequire(import.meta.url);
  let entry;
  try {
    entry = require.resolve('@kubernetes/client-node');
  } catch (e) {
    console.log(`FAIL: @kubernetes/client-node not found (NODE_PATH=${process.env.NODE_PATH ?? ''}): ${e.message}`);
    console.log('run `bash packaging/install-deps.sh` (it installs the pinned version into the test cache)');
    process.exit(1);
  }
  return import(pathToFileURL(entry).href);
}

export function failAfter(seconds) {
  setTimeout(() => {
    console.log(`FAIL: the test did not finish within ${seconds} s`);
    process.exit(1);
  }, seconds * 1000).unref();
}

export function ok(what) {
  console.log(`ok: ${what}`);
}

// `detail` (what was seen) is printed only when the check fails.
export function check(cond, what, detail = undefined) {
  if (!cond) throw new Error(`check failed: ${what}${detail === undefined ? '' : ` (got ${JSON.stringify(detail)})`}`);
  ok(what);
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
