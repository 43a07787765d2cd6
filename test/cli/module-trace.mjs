// `node --import ./module-trace.mjs …`: writes "module: <url>" to stderr for every module the program imports
// (resolve hook), so that a test can tell what a command loaded.
import { register } from 'node:module';

const hooks = `export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  process._rawDebug('module: ' + r.url);
  return r;
}`;
register(`data:text/javascript,${encodeURIComponent(hooks)}`);
