// Reading a project's Pulumi.yaml and a stack's Pulumi.<stack>.yaml as `pulumi up` would see its config,
// for the tools that run outside Pulumi (`make cost`) and the mock tests.

import * as fs from "fs";

/** Parses a Pulumi.<stack>.yaml (flat `key: value` config, as ours is): full keys (`project:key`) to values. */
export function readStackFile(file: string): Record<string, string> {
  const out: Record<string, string> = {};
  let inConfig = false;
  for (const line of fs.readFileSync(file, "utf8").split("\n")) {
    if (/^config:\s*$/.test(line)) {
      inConfig = true;
      continue;
    }
    const m = /^ {2}([^\s:#][^:]*:[^:\s]+):\s*(.*?)\s*$/.exec(line);
    if (inConfig && m) out[m[1]] = m[2].replace(/^"(.*)"$/, "$1");
  }
  return out;
}

/** The project's name, from its Pulumi.yaml (`name: …`). */
export function projectName(file: string): string {
  const m = /^name:\s*(\S+)\s*$/m.exec(fs.readFileSync(file, "utf8"));
  if (!m) throw new Error(`${file} names no project`);
  return m[1];
}
