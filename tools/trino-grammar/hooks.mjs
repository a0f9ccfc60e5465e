// dt-sql-parser 4.5.1 ships an ES-module dist whose relative imports omit the extension
// ('./parser', '../common/basicSQL') and whose package.json has no "type": "module".
// Node's ESM loader resolves neither, so: retry a failing relative specifier with '.js' and
// '/index.js', and load every file of that dist as an ES module.
const DIST = '/node_modules/dt-sql-parser/dist/';

export async function resolve(specifier, context, nextResolve) {
  try {
    return await nextResolve(specifier, context);
  } catch (error) {
    if (!specifier.startsWith('.')) throw error;
    for (const suffix of ['.js', '/index.js']) {
      try {
        return await nextResolve(specifier + suffix, context);
      } catch {
        // try the next suffix; the original error is the one worth reporting
      }
    }
    throw error;
  }
}

export async function load(url, context, nextLoad) {
  if (url.includes(DIST) && url.endsWith('.js')) {
    return nextLoad(url, { ...context, format: 'module' });
  }
  return nextLoad(url, context);
}
