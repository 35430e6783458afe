// The part of kustomize that deploy/kubernetes and the tests' overlays use, for a machine without
// kustomize (Debian packages none newer than kubectl 1.20's v2; npm none): `resources` (files and
// folders with a kustomization.yaml), `namespace`, `patches` (inline JSON 6902 patches, aimed by
// kind and optionally name; applied with fast-json-patch), `images` (newName/newTag), and
// `secretGenerator`/`configMapGenerator` from files with `disableNameSuffixHash: true`. Any other
// field is an error, so what this renders never quietly differs from `kubectl kustomize`.
//   node kustomize.mjs <folder> <node_modules>    # prints the rendered objects as YAML
import { readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

const known = new Set(["apiVersion", "kind", "namespace", "resources", "patches", "images",
  "secretGenerator", "configMapGenerator", "generatorOptions"]);

export function kustomize(folder, modules) {
  const require = createRequire(path.join(modules, "noop.js"));
  const YAML = require("yaml");
  const { applyPatch } = require("fast-json-patch");
  const render = (dir) => {
    const k = YAML.parse(readFileSync(path.join(dir, "kustomization.yaml"), "utf8"), { version: "1.1" });
    for (const field of Object.keys(k)) {
      if (!known.has(field)) throw new Error(`${dir}: kustomization field ${field} is not supported`);
    }
    if (k.generatorOptions && k.generatorOptions.disableNameSuffixHash !== true) {
      throw new Error(`${dir}: only generatorOptions.disableNameSuffixHash: true is supported`);
    }
    let objects = [];
    for (const resource of k.resources ?? []) {
      const where = path.resolve(dir, resource);
      if (statSync(where).isDirectory()) {
        objects.push(...render(where));
      } else {
        // YAML 1.1, as Kubernetes reads it: 0400 is octal, << merges.
        objects.push(...YAML.parseAllDocuments(readFileSync(where, "utf8"), { version: "1.1" })
          .map((d) => d.toJS()).filter(Boolean));
      }
    }
    const generate = (kind, specs = []) => specs.map((spec) => {
      const data = Object.fromEntries((spec.files ?? []).map((file) => {
        const content = readFileSync(path.resolve(dir, file));
        return [path.basename(file), kind === "Secret" ? content.toString("base64") : content.toString()];
      }));
      return { apiVersion: "v1", kind, metadata: { name: spec.name }, data };
    });
    objects.push(...generate("Secret", k.secretGenerator), ...generate("ConfigMap", k.configMapGenerator));
    if (k.namespace) {
      objects = objects.map((o) => (o.kind === "Namespace" ? o
        : { ...o, metadata: { ...o.metadata, namespace: k.namespace } }));
    }
    for (const patch of k.patches ?? []) {
      const operations = YAML.parse(patch.patch);
      const aimed = objects.filter((o) => o.kind === patch.target.kind &&
        (!patch.target.name || o.metadata.name === patch.target.name));
      if (aimed.length === 0) throw new Error(`${dir}: a patch aims at nothing: ${JSON.stringify(patch.target)}`);
      for (const o of aimed) applyPatch(o, structuredClone(operations), true, true);
    }
    for (const image of k.images ?? []) {
      for (const o of objects) {
        for (const c of o.spec?.template?.spec?.containers ?? []) {
          const [name, tag] = c.image.split(/:(?=[^:/]+$)/);
          if (name !== image.name) continue;
          c.image = `${image.newName ?? name}:${image.newTag ?? tag}`;
        }
      }
    }
    return objects;
  };
  return render(folder);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [folder, modules] = process.argv.slice(2);
  const YAML = createRequire(path.join(modules, "noop.js"))("yaml");
  process.stdout.write(kustomize(folder, modules).map((o) => YAML.stringify(o)).join("---\n"));
}
