// Where each function's `live` alias points: the version this deploy
// publishes, or the version `pinnedVersions` pins it to, with `canaryWeight`
// of its traffic sent to the newly published one. scripts/rollout.sh,
// scripts/rollback.sh and scripts/unpin.sh drive these two keys; the program
// owns the alias's routing, so a deploy always leaves it as configured here.

import * as pulumi from "@pulumi/pulumi";
import { FUNCTION_NAMES, FunctionName } from "./names";

/** Each pinned function → the published version its alias points at. */
export type PinnedVersions = Partial<Record<FunctionName, string>>;

/** How the aliases are set: the pins, and the canary's share of a pinned function's traffic (unset = none). */
export interface Rollout {
  pinnedVersions: PinnedVersions;
  canaryWeight?: number;
}

/** A Lambda version number as `pinnedVersions` accepts it: digits, from 1. */
const VERSION = /^[1-9][0-9]*$/;
/** A decimal number as `canaryWeight` accepts it. */
const DECIMAL = /^(0|[1-9][0-9]*)?(\.[0-9]+)?$/;

/**
 * Reads `pinnedVersions` (a map, or its JSON text as `pulumi config` hands it
 * over) and `canaryWeight`; the problems of each, in the words of the other
 * config messages.
 */
export function readRollout(
  pinnedVersions: string | Record<string, unknown> | undefined,
  canaryWeight: string | number | undefined,
): { rollout: Rollout; problems: string[] } {
  const problems: string[] = [];
  const pins: PinnedVersions = {};
  let map: unknown = pinnedVersions;
  if (typeof map === "string") {
    try {
      map = map.trim() === "" ? {} : JSON.parse(map);
    } catch {
      map = undefined;
      problems.push(`config 'pinnedVersions' must be a map of function → version (set it with pulumi config set --path 'pinnedVersions.<function>' <version>), got '${pinnedVersions}'`);
    }
  }
  if (map !== undefined && map !== null && (typeof map !== "object" || Array.isArray(map))) {
    problems.push(`config 'pinnedVersions' must be a map of function → version (set it with pulumi config set --path 'pinnedVersions.<function>' <version>), got ${JSON.stringify(map)}`);
  } else if (map) {
    for (const [fn, v] of Object.entries(map as Record<string, unknown>)) {
      const text = typeof v === "number" || typeof v === "string" ? String(v) : JSON.stringify(v);
      if (!(FUNCTION_NAMES as readonly string[]).includes(fn)) {
        problems.push(`config 'pinnedVersions' pins '${fn}', which is none of the functions ${FUNCTION_NAMES.join(", ")}`);
      } else if (!VERSION.test(text)) {
        problems.push(`config 'pinnedVersions.${fn}' must be a published version number (1, 2, …), got '${text}'`);
      } else {
        pins[fn as FunctionName] = text;
      }
    }
  }

  let weight: number | undefined;
  const weightText = canaryWeight === undefined ? "" : String(canaryWeight).trim();
  if (weightText !== "") {
    weight = Number(weightText);
    if (!DECIMAL.test(weightText) || !(weight > 0 && weight < 1)) {
      problems.push(`config 'canaryWeight' must be a number between 0 and 1 (exclusive), such as 0.1, got '${weightText}'`);
      weight = undefined;
    }
  }
  return { rollout: { pinnedVersions: pins, canaryWeight: weight }, problems };
}

/** Where a `live` alias points, as the Alias resource takes it. */
export interface AliasTarget {
  functionVersion: pulumi.Output<string>;
  routingConfig: pulumi.Output<{ additionalVersionWeights: Record<string, number> }>;
}

/**
 * The alias of `name`, whose newly published version is `published`:
 * unpinned, all of it on `published`; pinned, on the pin, and with
 * canaryWeight set the canaryWeight of it on `published` unless that is the
 * pin itself (Lambda refuses a weight on the alias's own version). The
 * routing is always explicit, so a deploy replaces any routing set by hand.
 */
export function aliasTarget(rollout: Rollout, name: FunctionName, published: pulumi.Input<string>): AliasTarget {
  const pin = rollout.pinnedVersions[name];
  const weight = rollout.canaryWeight;
  return {
    functionVersion: pin === undefined ? pulumi.output(published) : pulumi.output(pin),
    routingConfig: pulumi.all([published]).apply(([version]) => ({
      additionalVersionWeights: pin !== undefined && weight !== undefined && version !== pin ? { [version]: weight } : {},
    })),
  };
}
