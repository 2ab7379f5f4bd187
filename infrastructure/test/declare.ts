// Writes what the Pulumi program declares as one JSON file, for a harness that
// runs the whole AWS deployment on one machine (declared.ts describes it):
//
//   cd infrastructure && TS_NODE_TRANSPILE_ONLY=true node --require ts-node/register \
//     test/declare.ts --out FILE [--stack dev|prod] [--build-dir DIR] [--ntfy-url URL] \
//     [--api-key KEY] [--rename-env OLD=NEW]...
//
// The program checks that the six zips exist (loadConfig), so --build-dir
// (default <repo>/build) must hold them: run `make build` first; missing zips
// fail with the program's message, naming them. Exit 2 for a bad argument,
// 1 when the program refuses the configuration or declares something the
// document cannot describe, 0 after the file is written (atomically).

import * as fs from "fs";
import * as path from "path";
import { ConfigError } from "../src/config";
import { DeclareOptions, DescribeError, declared } from "./declared";

const USAGE =
  "usage: declare.ts --out FILE [--stack dev|prod] [--build-dir DIR] [--ntfy-url URL] [--api-key KEY] [--rename-env OLD=NEW]...";

/** A command line this script cannot run: exit 2, one line. */
export class UsageError extends Error {}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The options and output file of a command line, or a UsageError saying what is wrong with it. */
export function parseArgs(argv: string[]): { out: string; options: DeclareOptions } {
  let out: string | undefined;
  const options: DeclareOptions = {};
  const renames: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined || v.startsWith("--")) throw new UsageError(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case "--out":
        out = path.resolve(value());
        if (!fs.existsSync(path.dirname(out))) throw new UsageError(`--out: the directory ${path.dirname(out)} does not exist`);
        break;
      case "--stack": {
        const stack = value();
        const file = path.join(__dirname, "..", `Pulumi.${stack}.yaml`);
        if (!/^[a-z0-9-]+$/.test(stack) || !fs.existsSync(file)) throw new UsageError(`--stack: no stack '${stack}' (no ${file})`);
        options.stack = stack;
        break;
      }
      case "--build-dir":
        options.buildDir = path.resolve(value());
        break;
      case "--ntfy-url": {
        const url = value();
        if (!/^https?:\/\/[^/]+\/./.test(url)) throw new UsageError(`--ntfy-url: '${url}' is not the http(s) URL of an ntfy topic`);
        options.ntfyUrl = url;
        break;
      }
      case "--api-key":
        options.apiKey = value();
        break;
      case "--rename-env": {
        const v = value();
        const m = /^([^=]+)=([^=]+)$/.exec(v);
        if (!m || !ENV_NAME.test(m[1]) || !ENV_NAME.test(m[2])) throw new UsageError(`--rename-env: '${v}' is not OLD=NEW (two variable names)`);
        if (m[1] in renames) throw new UsageError(`--rename-env: ${m[1]} is renamed twice`);
        renames[m[1]] = m[2];
        break;
      }
      default:
        throw new UsageError(`unknown argument '${flag}'`);
    }
  }
  if (out === undefined) throw new UsageError("--out FILE is required");
  if (Object.keys(renames).length > 0) options.renameEnv = renames;
  return { out, options };
}

async function main(argv: string[]): Promise<number> {
  let args: ReturnType<typeof parseArgs>;
  try {
    args = parseArgs(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`declare: ${e.message} (${USAGE})\n`);
    return 2;
  }
  try {
    const doc = await declared(args.options);
    const tmp = `${args.out}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(doc, null, 2) + "\n");
    fs.renameSync(tmp, args.out);
    process.stdout.write(
      `declare: wrote ${args.out} (stack ${args.options.stack ?? "dev"}: ${doc.functions.length} functions, ${doc.queues.length} queues, ` +
        `${doc.parameters.length} parameters, ${doc.stateMachines.length} state machine(s), ${doc.httpApis.length} HTTP API(s))\n`,
    );
    return 0;
  } catch (e) {
    if (!(e instanceof ConfigError || e instanceof DescribeError)) throw e;
    process.stderr.write(`declare: ${e.message}\n`);
    return 1;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`declare: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
