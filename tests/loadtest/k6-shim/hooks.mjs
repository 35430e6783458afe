// Node module hooks that resolve k6's built-in modules to the shims beside this file, so a k6
// script can be imported and its default function run by Node.
const shims = {
  k6: new URL('./k6.mjs', import.meta.url).href,
  'k6/http': new URL('./http.mjs', import.meta.url).href,
  'k6/metrics': new URL('./metrics.mjs', import.meta.url).href,
};

export async function resolve(specifier, context, next) {
  if (specifier in shims) return { url: shims[specifier], shortCircuit: true };
  return next(specifier, context);
}
