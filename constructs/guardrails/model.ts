import { DefaultTokenResolver, StringConcat, TerraformElement, TerraformStack, Tokenization } from "cdktf";
import { IConstruct } from "constructs";
import type { TerraformJson } from "../terraform-json";
import { StackModel, TfBlock } from "./types";

/** A suppression as recorded by `Guardrails.suppress`, or an entry of a suppression file. */
export interface Suppression {
  readonly ruleId: string;
  readonly reason: string;
  /** Where it was made: a construct path, or the Terraform address a suppression file names. */
  readonly path: string;
  /**
   * The construct it was made on (it covers the whole subtree).
   * @default - none: an entry of a suppression file
   */
  readonly construct?: IConstruct;
}

const SUPPRESSIONS = new WeakMap<IConstruct, Map<string, Suppression>>();

/** Records a suppression on a construct (a later one for the same rule replaces the reason). */
export function addSuppression(construct: IConstruct, ruleId: string, reason: string): void {
  let own = SUPPRESSIONS.get(construct);
  if (!own) SUPPRESSIONS.set(construct, (own = new Map()));
  own.set(ruleId, { ruleId, reason, path: construct.node.path, construct });
}

/** The stack's blocks, and for each the suppressions in force on its construct. */
export interface BuiltModel {
  readonly model: StackModel;
  /** Suppressions in force per block, nearest construct first. */
  readonly suppressionsOf: ReadonlyMap<TfBlock, readonly Suppression[]>;
  /** Every suppression made inside the stack, in tree order. */
  readonly suppressions: readonly Suppression[];
}

const RESOLVER = new DefaultTokenResolver(new StringConcat());

/**
 * Walks the stack's construct tree once: resolves each Terraform element's
 * configuration as synth does (`element.toTerraform()`, then token
 * resolution against the stack, so references read `${aws_x.y.attr}`), and
 * collects the suppressions on the way down. Linear in the size of the tree.
 */
export function buildModel(stack: TerraformStack): BuiltModel {
  const blocks: TfBlock[] = [];
  const suppressionsOf = new Map<TfBlock, readonly Suppression[]>();
  const suppressions: Suppression[] = [];

  const visit = (construct: IConstruct, inherited: readonly Suppression[]): void => {
    const own = SUPPRESSIONS.get(construct);
    let inForce = inherited;
    if (own && own.size) {
      const list = [...own.values()];
      suppressions.push(...list);
      inForce = [...list, ...inherited];
    }
    if (TerraformElement.isTerraformElement(construct)) {
      for (const block of blocksOf(stack, construct)) {
        blocks.push(block);
        suppressionsOf.set(block, inForce);
      }
    }
    for (const child of construct.node.children) {
      if (child !== stack && TerraformStack.isStack(child)) continue;
      visit(child, inForce);
    }
  };
  visit(stack, []);

  const model = modelOf(blocks);
  return { model, suppressionsOf, suppressions };
}

/** The blocks as the rules read them: indexed by type and by address (the last block of an address wins). */
export function modelOf(blocks: readonly TfBlock[]): StackModel {
  const byType = { resource: new Map<string, TfBlock[]>(), data: new Map<string, TfBlock[]>() };
  const byAddress = new Map<string, TfBlock>();
  for (const b of blocks) {
    if (b.kind === "resource" || b.kind === "data") {
      const index = byType[b.kind];
      const list = index.get(b.type);
      if (list) list.push(b);
      else index.set(b.type, [b]);
    }
    byAddress.set(b.address, b);
  }
  const none: readonly TfBlock[] = [];
  return {
    blocks,
    resources: (type) => byType.resource.get(type) ?? none,
    data: (type) => byType.data.get(type) ?? none,
    byAddress: (address) => byAddress.get(address),
  };
}

function blocksOf(stack: TerraformStack, element: TerraformElement): TfBlock[] {
  let fragment: unknown;
  try {
    fragment = Tokenization.resolve(element.toTerraform(), { scope: stack, preparing: false, resolver: RESOLVER });
  } catch {
    // The synth itself reports what cannot be resolved; the rules skip it.
    return [];
  }
  if (!fragment || typeof fragment !== "object") return [];
  const path = element.node.path;
  const out: TfBlock[] = [];
  const add = (kind: string, type: string, name: string, address: string, config: unknown) => {
    if (config && typeof config === "object" && !Array.isArray(config)) {
      out.push({ kind, type, name, address, path, config: config as TerraformJson, construct: element });
    }
  };
  for (const [kind, body] of entriesOf(fragment)) {
    if (!body || typeof body !== "object") continue;
    if (kind === "resource" || kind === "data") {
      for (const [type, byName] of entriesOf(body)) {
        for (const [name, config] of entriesOf(byName ?? {})) {
          add(kind, type, name, kind === "data" ? `data.${type}.${name}` : `${type}.${name}`, config);
        }
      }
    } else if (kind === "variable" || kind === "output" || kind === "module") {
      const prefix = kind === "variable" ? "var" : kind;
      for (const [name, config] of entriesOf(body)) add(kind, kind, name, `${prefix}.${name}`, config);
    } else if (kind === "provider") {
      for (const [name, configs] of entriesOf(body)) {
        (Array.isArray(configs) ? configs : [configs]).forEach((config, i) => add(kind, name, name, `provider.${name}${i ? `[${i}]` : ""}`, config));
      }
    } else {
      add(kind, kind, element.friendlyUniqueId, `${kind}.${element.friendlyUniqueId}`, body);
    }
  }
  return out;
}

/** The properties of a block of resolved Terraform JSON (an object: the callers check). */
const entriesOf = (value: unknown): Array<[string, unknown]> => Object.entries(value as object);
