import * as path from "path";

/**
 * Points the module sources of an HCL example at the modules a run just
 * synthesized. The examples reference a module as the synthesized stack
 * (`../../cdktf.out/stacks/websocket-nlb`) or as the committed module folder
 * (`../../modules/websocket-nlb`); both become a path, relative to the root
 * the example is copied to, to `<outDir>/stacks/<module>`, so `npm run local`
 * always deploys the code of the run.
 */
export function pointModuleSources(hcl: string, root: string, outDir: string): string {
  return hcl.replace(/"\.\.\/\.\.\/(?:cdktf\.out\/stacks|modules)\/(websocket-[a-z]+)"/g, (_, module: string) =>
    JSON.stringify(path.relative(root, path.join(outDir, "stacks", module))),
  );
}
